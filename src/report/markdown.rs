//! `--format markdown` and the GitHub step summary: counts by rule and severity, the KPIs, the top findings
//! with links, and a Mermaid diagram of role chains (SPEC §5.2).

use crate::finding::{Finding, Severity};
use crate::ScanOutput;
use std::collections::{BTreeMap, BTreeSet};

/// Where links point: `https://github.com/OWNER/REPO/blob/SHA/` when known, else plain paths.
#[derive(Clone, Debug, Default)]
pub struct Links {
    pub base: Option<String>,
}

impl Links {
    /// From the GitHub Actions environment (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_SHA`).
    pub fn from_env() -> Links {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let base = match (get("GITHUB_REPOSITORY"), get("GITHUB_SHA")) {
            (Some(repo), Some(sha)) => {
                let server =
                    get("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into());
                Some(format!("{server}/{repo}/blob/{sha}/"))
            }
            _ => None,
        };
        Links { base }
    }
}

/// How many findings the summary lists.
const TOP: usize = 20;

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn mermaid_label(name: &str) -> String {
    name.replace('"', "#quot;")
}

/// The role chains (TL003 findings) as one Mermaid flowchart: every principal once, every hop once.
fn chain_diagram(findings: &[&Finding]) -> Option<String> {
    let mut edges: BTreeSet<(&str, &str)> = BTreeSet::new();
    for f in findings {
        for w in f.chain.windows(2) {
            if let [a, b] = w {
                edges.insert((a.as_str(), b.as_str()));
            }
        }
    }
    if edges.is_empty() {
        return None;
    }
    // Ids by sorted name: names hold quotes and spaces, and two names may differ only in punctuation.
    let nodes: BTreeSet<&str> = edges.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let ids: BTreeMap<&str, String> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, format!("n{i}")))
        .collect();
    let id = |n: &str| ids.get(n).cloned().unwrap_or_default();
    let mut s = String::from("```mermaid\nflowchart LR\n");
    for n in &nodes {
        s.push_str(&format!("  {}[\"{}\"]\n", id(n), mermaid_label(n)));
    }
    for (a, b) in &edges {
        s.push_str(&format!("  {} -->|assumes| {}\n", id(a), id(b)));
    }
    s.push_str("```\n");
    Some(s)
}

pub fn render(out: &ScanOutput, links: &Links) -> String {
    let active: Vec<&Finding> = out
        .findings
        .iter()
        .filter(|f| f.suppression.is_none())
        .collect();
    let suppressed = out.findings.len() - active.len();
    let mut s = String::from("## trustlint\n\n");
    let count = |sev: Severity| active.iter().filter(|f| f.severity == sev).count();
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    s.push_str(&format!(
        "**{}** errors, **{}** warnings, **{}** notes ({} suppressed) in {}, {}.\n\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note),
        suppressed,
        plural(out.stats.files, "file"),
        plural(out.stats.roles, "role")
    ));
    if !active.is_empty() {
        let mut by_rule: BTreeMap<&str, (Severity, usize)> = BTreeMap::new();
        for f in &active {
            let e = by_rule.entry(f.rule_id).or_insert((f.severity, 0));
            e.1 += 1;
            e.0 = e.0.max(f.severity);
        }
        s.push_str("| rule | severity | findings |\n|---|---|---:|\n");
        for (id, (sev, n)) in &by_rule {
            let slug = crate::rules::meta(id).map(|m| m.slug).unwrap_or("");
            s.push_str(&format!("| {id} {slug} | {sev} | {n} |\n"));
        }
        s.push('\n');
    }
    let k = &out.stats.kpis;
    s.push_str("| KPI | roles |\n|---|---:|\n");
    for (name, v) in [
        ("roles trusting roles", k.roles_trusting_roles),
        (
            "roles trusting unlisted accounts",
            k.roles_trusting_unlisted_accounts,
        ),
        (
            "third-party roles without ExternalId",
            k.third_party_roles_without_external_id,
        ),
        ("multi-service roles", k.multi_service_roles),
        ("roles missing required tags", k.roles_missing_required_tags),
        ("roles with unknown trust", k.roles_with_unknown_trust),
    ] {
        s.push_str(&format!("| {name} | {v} |\n"));
    }
    s.push('\n');
    if !active.is_empty() {
        let mut top = active.clone();
        top.sort_by_key(|f| std::cmp::Reverse(f.severity));
        s.push_str("### Top findings\n\n");
        for f in top.iter().take(TOP) {
            let file = out.sources.get(f.primary.file);
            let pos = file.position(f.primary.start);
            let loc = format!("{}:{}", file.rel, pos.line);
            let link = match &links.base {
                Some(b) => format!("[{loc}]({b}{}#L{})", file.rel, pos.line),
                None => format!("`{loc}`"),
            };
            s.push_str(&format!(
                "- **{}** {} {} — {}\n",
                f.severity,
                f.rule_id,
                link,
                md_escape(&f.message)
            ));
        }
        if top.len() > TOP {
            s.push_str(&format!("- … and {} more\n", top.len() - TOP));
        }
        s.push('\n');
    }
    if let Some(d) = chain_diagram(&active) {
        s.push_str("### Role chains\n\n");
        s.push_str(&d);
    }
    s
}
