//! Scan statistics and governance KPIs (SPEC §5.2 `runs[0].properties.stats`).

use crate::finding::Finding;
use crate::model::Inventory;
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Duration;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Kpis {
    pub roles_trusting_roles: usize,
    pub roles_trusting_unlisted_accounts: usize,
    pub third_party_roles_without_external_id: usize,
    pub multi_service_roles: usize,
    pub roles_missing_required_tags: usize,
    pub roles_with_unknown_trust: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub files: usize,
    pub roles: usize,
    pub trust_documents: usize,
    pub unresolved_values: usize,
    pub duration_ms: u64,
    pub kpis: Kpis,
}

impl Stats {
    pub fn compute(inv: &Inventory, findings: &[Finding], elapsed: Duration) -> Stats {
        let roles_with = |rule: &str| {
            findings
                .iter()
                .filter(|f| f.rule_id == rule && f.suppression.is_none())
                .map(|f| f.resource.as_str())
                .collect::<BTreeSet<_>>()
                .len()
        };
        let mut unresolved = 0usize;
        let mut unknown_trust = 0usize;
        for r in &inv.roles {
            let n = r.trust.as_ref().map(|t| t.doc.unknowns.len()).unwrap_or(0);
            unresolved += n + r.unknowns.len();
            if n > 0 {
                unknown_trust += 1;
            }
        }
        unresolved += inv
            .diagnostics
            .iter()
            .filter(|d| matches!(d, crate::model::Diagnostic::Unresolved { .. }))
            .count();
        unresolved += inv
            .standalone_trusts
            .iter()
            .map(|s| s.doc.unknowns.len())
            .sum::<usize>();
        Stats {
            files: inv.files,
            roles: inv.roles.len(),
            trust_documents: inv.roles.iter().filter(|r| r.trust.is_some()).count()
                + inv.standalone_trusts.len(),
            unresolved_values: unresolved,
            duration_ms: elapsed.as_millis() as u64,
            kpis: Kpis {
                roles_trusting_roles: roles_with("TL001"),
                roles_trusting_unlisted_accounts: roles_with("TL010"),
                third_party_roles_without_external_id: roles_with("TL012"),
                multi_service_roles: roles_with("TL020"),
                roles_missing_required_tags: roles_with("TL050"),
                roles_with_unknown_trust: unknown_trust,
            },
        }
    }
}
