//! Findings: what rules produce and reports consume.

use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A location with a message, for SARIF `relatedLocations` and code-flow steps.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// How a finding is silenced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// `inSource` (comment, metadata) or `external` (baseline).
    pub kind: SuppressionKind,
    pub justification: String,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    InSource,
    External,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: &'static str,
    pub severity: Severity,
    /// One sentence naming the role, the principal and the consequence.
    pub message: String,
    /// The narrowest span that produced the offending value (SPEC §1.2).
    pub primary: Span,
    /// Hops the value took, other places involved.
    pub related: Vec<Related>,
    /// The steps of a chain (TL003), in order.
    pub code_flow: Vec<Related>,
    /// The principals along a chain (TL003), first to last, named as messages name them (`account
    /// 210987654321`, `role "deploy"`): one more than the code-flow steps. Drawn by the Markdown summary.
    pub chain: Vec<String>,
    /// The resource the finding is about (SPEC §5.2 `resource`).
    pub resource: String,
    /// What makes the finding itself, independent of line numbers: rule + resource key + principal + …
    /// Reports hash it into the fingerprint.
    pub fingerprint_key: String,
    pub suppression: Option<Suppression>,
}

impl Finding {
    pub fn new(
        rule_id: &'static str,
        severity: Severity,
        message: impl Into<String>,
        primary: Span,
        resource: impl Into<String>,
    ) -> Finding {
        Finding {
            rule_id,
            severity,
            message: message.into(),
            primary,
            related: Vec::new(),
            code_flow: Vec::new(),
            chain: Vec::new(),
            resource: resource.into(),
            fingerprint_key: String::new(),
            suppression: None,
        }
    }

    /// Sets what identifies the finding across line moves (the rule ID and resource are added).
    pub fn key(mut self, key: impl Into<String>) -> Finding {
        self.fingerprint_key = key.into();
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        let r = Related {
            span,
            message: message.into(),
        };
        if r.span != self.primary && !self.related.contains(&r) {
            self.related.push(r);
        }
        self
    }

    /// The stable fingerprint: a hex FNV-1a 64 hash of rule, resource and key.
    pub fn fingerprint(&self) -> String {
        let mut h: u64 = 0xcbf29ce484222325;
        for part in [
            self.rule_id,
            "\0",
            &self.resource,
            "\0",
            &self.fingerprint_key,
        ] {
            for b in part.bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x100000001b3);
            }
        }
        format!("{h:016x}")
    }
}
