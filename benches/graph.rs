//! Assume-role graph construction and analysis at scale: 10,000 roles with 100,000 trust entries.
//!
//! Run with `cargo bench --bench graph` (optionally `-- ROLES` to change the size). The inventory is built
//! in code (deterministic pseudo-random mix), so only the graph is measured:
//! - every role has 10 trust entries: 2 services, the account (3 roles in 10; another service otherwise),
//!   another account, 4 roles (symbolic references and ARNs with paths, mostly towards older roles, one in
//!   a thousand back), an OIDC provider and a user;
//! - every role has an inline policy allowing `sts:AssumeRole` on a path prefix pattern and one role ARN;
//!   20 roles carry `AdministratorAccess` (and are trusted by users only); 1,000 users each allow one role.
//!
//! Recorded 2026-11-25 on the shared 2-core development machine (bench profile: thin LTO, one codegen unit;
//! load average about 9, so wall-clock figures are about 2.5× the on-CPU ones):
//!
//! | roles  | trust entries | edges   | build, on-CPU | build, wall (min) | chains + cycles + TL030, wall |
//! |--------|---------------|---------|---------------|-------------------|-------------------------------|
//! | 1,000  | 10,000        | 16,572  | 40 ms         | 91 ms             | 9 ms                          |
//! | 2,000  | 20,000        | 33,230  | 72 ms         | 172 ms            | 20 ms                         |
//! | 10,000 | 100,000       | 166,198 | 414 ms        | 985 ms            | 190 ms                        |
//! | 20,000 | 200,000       | 332,665 | 1,056 ms      | 2,308 ms          | 482 ms                        |
//!
//! Construction is near-linear: ten times the roles costs about ten times the CPU.
//!
//! A second shape (`graph/corpus/…`, see [`corpus_inventory`]) imitates the real-world corpus scanned in
//! one go: roles of a hundred-odd modules that may share one account, generated names, wildcard trusts
//! pinned by `aws:PrincipalArn` patterns with any-account or unresolved parts. Its edges grow with roles ×
//! pinned statements (every scanned role may match `role${var.path}${var.name}`), so the figure to watch is
//! CPU per edge. Recorded 2026-11-25 on the same machine (load average 1 to 3), on-CPU build time, median of
//! three alternating runs of each binary, before and after indexing principals for those conditions and
//! remembering pattern answers:
//!
//! | shape / roles  | edges   | before   | after  |
//! |----------------|---------|----------|--------|
//! | mixed / 1,000  | 16,572  | 40 ms    | 36 ms  |
//! | mixed / 10,000 | 166,198 | 528 ms   | 384 ms |
//! | corpus / 1,000 | 20,897  | 332 ms   | 20 ms  |
//! | corpus / 4,000 | 311,106 | 3,168 ms | 264 ms |

use std::time::{Duration, Instant};
use trustlint::graph::{Graph, GraphOptions};
use trustlint::model::{Decl, Frontend, InlinePolicy, Inventory, Role, Trust, User};
use trustlint::policy::principal::{PrincipalEntry, PrincipalType};
use trustlint::policy::{Condition, Effect, Item, Operator, PolicyDocument, Principals, Statement};
use trustlint::source::{FileId, Span};
use trustlint::value::{Str, Sym, Unknown};

const SERVICES: [&str; 8] = [
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "codebuild.amazonaws.com",
    "states.amazonaws.com",
    "glue.amazonaws.com",
    "sagemaker.amazonaws.com",
    "events.amazonaws.com",
];

/// A small deterministic generator (no dependency needed for a benchmark's inputs).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn span(i: usize) -> Option<Span> {
    Some(Span::new(FileId(0), i, i + 1))
}

fn decl(address: &str, i: usize) -> Decl {
    Decl {
        key: format!("bench::{address}"),
        address: address.to_string(),
        span: Span::new(FileId(0), i, i + 1),
        frontend: Frontend::Terraform,
        guards: Vec::new(),
    }
}

fn this_arn(rest: &str) -> Str {
    Str::concat([
        &Str::lit("arn:", None),
        &Str::sym(Sym::Partition, None),
        &Str::lit(":iam::", None),
        &Str::sym(Sym::ThisAccount, None),
        &Str::lit(rest, None),
    ])
}

fn item(s: Str) -> Item {
    Item {
        value: s,
        guards: Vec::new(),
    }
}

fn statement(
    index: usize,
    actions: &[&str],
    entries: Vec<PrincipalEntry>,
    resources: Option<Vec<Str>>,
) -> Statement {
    Statement {
        index,
        sid: None,
        effect: Effect::Allow,
        effect_span: None,
        actions: actions.iter().map(|a| item(Str::lit(*a, None))).collect(),
        not_actions: None,
        principals: (!entries.is_empty()).then_some(Principals {
            span: None,
            entries,
        }),
        not_principals: None,
        resources: resources.map(|r| r.into_iter().map(item).collect()),
        not_resources: None,
        resource_span: None,
        conditions: Vec::new(),
        span: None,
        guards: Vec::new(),
    }
}

fn doc(statements: Vec<Statement>) -> PolicyDocument {
    PolicyDocument {
        span: None,
        version: Some(Str::lit("2012-10-17", None)),
        statements,
        unknowns: Vec::new(),
        problems: Vec::new(),
    }
}

fn name(i: usize) -> String {
    format!("role-{i:05}")
}

fn path(i: usize) -> String {
    format!("/team{}/", i % 10)
}

/// The synthetic inventory and its number of trust entries.
fn inventory(roles: usize) -> (Inventory, usize) {
    let mut rng = Lcg(0x5eed);
    let users = (roles / 10).max(1);
    let mut inv = Inventory::default();
    let mut entries_total = 0usize;
    for i in 0..roles {
        let entry = |kind: PrincipalType, s: Str| PrincipalEntry::new(kind, s, Vec::new());
        let admin = i % (roles / 20).max(1) == 0;
        let mut aws = Vec::new();
        // Three roles in ten trust their account (and so whoever an identity policy allows).
        if i % 10 < 3 {
            aws.push(entry(PrincipalType::Aws, this_arn(":root")));
        } else {
            aws.push(entry(
                PrincipalType::Service,
                Str::lit(SERVICES[i % SERVICES.len()], span(i)),
            ));
        }
        aws.push(entry(
            PrincipalType::Aws,
            Str::lit(
                format!(
                    "arn:aws:iam::{:012}:root",
                    200000000000u64 + rng.next(50) as u64
                ),
                span(i),
            ),
        ));
        for k in 0..4 {
            if admin {
                // Administrators are entered through users only.
                aws.push(entry(
                    PrincipalType::Aws,
                    Str::sym(
                        Sym::UserArn(format!("bench::aws_iam_user.u{}", rng.next(users))),
                        span(i),
                    ),
                ));
                continue;
            }
            // Mostly towards lower indices (chains), one in a thousand back (some cycles).
            let j = if i > 0 && rng.next(1000) != 0 {
                rng.next(i)
            } else {
                rng.next(roles)
            };
            let s = if k % 2 == 0 {
                Str::sym(Sym::RoleArn(format!("bench::aws_iam_role.r{j}")), span(i))
            } else {
                this_arn(&format!(":role{}{}", path(j), name(j)))
            };
            aws.push(entry(PrincipalType::Aws, s));
        }
        aws.push(entry(
            PrincipalType::Aws,
            Str::sym(
                Sym::UserArn(format!("bench::aws_iam_user.u{}", rng.next(users))),
                span(i),
            ),
        ));
        let services: Vec<PrincipalEntry> = (0..2)
            .map(|_| {
                entry(
                    PrincipalType::Service,
                    Str::lit(SERVICES[rng.next(SERVICES.len())], span(i)),
                )
            })
            .collect();
        let oidc = vec![entry(
            PrincipalType::Federated,
            this_arn(":oidc-provider/token.actions.githubusercontent.com"),
        )];
        entries_total += aws.len() + services.len() + oidc.len();
        let trust = doc(vec![
            statement(0, &["sts:AssumeRole", "sts:TagSession"], aws, None),
            statement(1, &["sts:AssumeRole"], services, None),
            statement(2, &["sts:AssumeRoleWithWebIdentity"], oidc, None),
        ]);
        let target = rng.next(roles);
        let identity = doc(vec![statement(
            0,
            &["sts:AssumeRole"],
            Vec::new(),
            Some(vec![
                // At most ten roles match: `role/teamK/role-0123*`.
                this_arn(&format!(
                    ":role{}role-{:04}*",
                    path(i + 1),
                    rng.next(roles / 10 + 1)
                )),
                this_arn(&format!(":role{}{}", path(target), name(target))),
            ]),
        )]);
        let address = format!("aws_iam_role.r{i}");
        let mut managed = Vec::new();
        if admin {
            managed.push(Str::lit(
                "arn:aws:iam::aws:policy/AdministratorAccess",
                None,
            ));
        }
        inv.roles.push(Role {
            decl: decl(&address, i),
            name: Some(Str::lit(name(i), None)),
            path: Some(Str::lit(path(i), None)),
            trust: Some(Trust {
                doc: trust,
                attr_span: None,
            }),
            max_session_duration: None,
            tags: None,
            inline_policies: vec![InlinePolicy {
                name: Some(Str::lit("assume", None)),
                doc: identity,
                decl: decl(&format!("{address}.policy"), i),
            }],
            managed_policy_arns: managed,
            permissions_boundary: None,
            unknowns: Vec::new(),
        });
    }
    for u in 0..users {
        let target = rng.next(roles);
        inv.users.push(User {
            decl: decl(&format!("aws_iam_user.u{u}"), u),
            name: Some(Str::lit(format!("user-{u}"), None)),
            path: None,
            inline_policies: vec![InlinePolicy {
                name: Some(Str::lit("assume-one", None)),
                doc: doc(vec![statement(
                    0,
                    &["sts:AssumeRole"],
                    Vec::new(),
                    Some(vec![this_arn(&format!(
                        ":role{}{}",
                        path(target),
                        name(target)
                    ))]),
                )]),
                decl: decl(&format!("aws_iam_user.u{u}.policy"), u),
            }],
            managed_policy_arns: Vec::new(),
            groups: Vec::new(),
        });
    }
    (inv, entries_total)
}

fn condition(operator: &str, key: &str, values: Vec<Str>) -> Condition {
    Condition {
        operator: Str::lit(operator, None),
        op: Operator::parse(operator),
        key: Str::lit(key, None),
        values: values.into_iter().map(item).collect(),
        span: None,
    }
}

fn unknown(expr: &str) -> Str {
    Str::unknown(Unknown::new(expr, "no value", None))
}

/// An inventory shaped like the real-world corpus scanned in one go: thousands of roles from a hundred-odd
/// modules and templates that may all be one account, a fifth with generated names and some with
/// unresolved paths, mostly service roles; wildcard trusts pinned by `aws:PrincipalArn` (some with
/// unresolved parts, which every scanned role may match: the self-assume pattern of a widely copied
/// module, so edges grow with roles × such statements), any-account role patterns, literal role ARNs in
/// an account that may be this one, account trusts, and identity policies with any-account and path
/// patterns.
fn corpus_inventory(roles: usize) -> (Inventory, usize) {
    let mut rng = Lcg(0xc0de);
    let scopes = (roles / 40).max(1);
    let mut inv = Inventory::default();
    let mut entries_total = 0usize;
    let role_name = |i: usize| -> Option<String> {
        if i.is_multiple_of(5) {
            None
        } else if i.is_multiple_of(7) {
            Some("ExecutionRole".into())
        } else if i.is_multiple_of(23) {
            Some(format!("ci-{i}"))
        } else {
            Some(name(i))
        }
    };
    for i in 0..roles {
        let entry = |kind: PrincipalType, s: Str| PrincipalEntry::new(kind, s, Vec::new());
        let address = format!("aws_iam_role.r{i}");
        let scope = format!("mod{}", i % scopes);
        let mut statements = vec![statement(
            0,
            &["sts:AssumeRole"],
            vec![entry(
                PrincipalType::Service,
                Str::lit(SERVICES[i % 3], span(i)),
            )],
            None,
        )];
        let mut aws = Vec::new();
        if i % 10 == 2 {
            aws.push(entry(PrincipalType::Aws, this_arn(":root")));
        }
        if i % 15 == 4 {
            let j = rng.next(roles);
            aws.push(entry(
                PrincipalType::Aws,
                Str::lit(
                    format!("arn:aws:iam::123456789012:role/{}", name(j)),
                    span(i),
                ),
            ));
        }
        if i % 6 == 5 {
            let j = rng.next(roles);
            aws.push(entry(
                PrincipalType::Aws,
                Str::sym(
                    Sym::RoleArn(format!("mod{}::aws_iam_role.r{j}", j % scopes)),
                    span(i),
                ),
            ));
        }
        if !aws.is_empty() {
            entries_total += aws.len();
            statements.push(statement(statements.len(), &["sts:AssumeRole"], aws, None));
        }
        let wildcard = || vec![entry(PrincipalType::Aws, Str::lit("*", span(i)))];
        if i % 120 == 1 {
            // `arn:${partition}:iam::${account}:role${var.path}${var.name}`: may be any scanned role.
            let mut s = statement(statements.len(), &["sts:AssumeRole"], wildcard(), None);
            s.conditions.push(condition(
                "ArnLike",
                "aws:PrincipalArn",
                vec![Str::concat([
                    &this_arn(":role"),
                    &unknown("var.role_path"),
                    &unknown("var.role_name"),
                ])],
            ));
            statements.push(s);
            entries_total += 1;
        }
        if i % 40 == 3 {
            let mut s = statement(statements.len(), &["sts:AssumeRole"], wildcard(), None);
            s.conditions.push(condition(
                "ForAnyValue:StringLike",
                "aws:PrincipalOrgPaths",
                vec![Str::lit("o-abc/*/ou-def/*", None)],
            ));
            s.conditions.push(condition(
                "ForAnyValue:StringLike",
                "aws:PrincipalArn",
                [
                    "arn:aws:iam::*:role/github-actions",
                    "arn:aws:iam::*:role/ci-*",
                    "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*",
                ]
                .iter()
                .map(|v| Str::lit(*v, None))
                .collect(),
            ));
            statements.push(s);
            entries_total += 1;
        }
        entries_total += 1;
        let mut inline_policies = Vec::new();
        let mut resources = Vec::new();
        if i % 8 == 0 {
            resources.push(Str::lit(
                format!("arn:aws:iam::*:role/role-0{}*", rng.next(10)),
                None,
            ));
        }
        if i % 80 == 0 {
            resources.push(this_arn(":role/service-role/*"));
        }
        if i % 50 == 0 {
            resources.push(Str::lit("arn:aws:iam::123456789012:role/ci-*", None));
        }
        if !resources.is_empty() {
            inline_policies.push(InlinePolicy {
                name: Some(Str::lit("assume", None)),
                doc: doc(vec![statement(
                    0,
                    &["sts:AssumeRole"],
                    Vec::new(),
                    Some(resources),
                )]),
                decl: Decl {
                    key: format!("{scope}::{address}.policy"),
                    ..decl(&format!("{address}.policy"), i)
                },
            });
        }
        let mut managed = Vec::new();
        if i % 200 == 0 {
            managed.push(Str::lit(
                "arn:aws:iam::aws:policy/AdministratorAccess",
                None,
            ));
        }
        let path = if i % 9 == 0 {
            Some(unknown("var.path"))
        } else if i % 4 == 0 {
            Some(Str::lit("/service-role/", None))
        } else {
            None
        };
        inv.roles.push(Role {
            decl: Decl {
                key: format!("{scope}::{address}"),
                ..decl(&address, i)
            },
            name: role_name(i).map(|n| Str::lit(n, None)),
            path,
            trust: Some(Trust {
                doc: doc(statements),
                attr_span: None,
            }),
            max_session_duration: None,
            tags: None,
            inline_policies,
            managed_policy_arns: managed,
            permissions_boundary: None,
            unknowns: Vec::new(),
        });
    }
    (inv, entries_total)
}

/// Time this thread spent on a CPU (Linux `schedstat`), so that a loaded machine does not inflate the
/// figures; `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn measure(shape: &str, roles: usize, runs: usize) {
    let t = Instant::now();
    let (inv, entries) = if shape == "corpus" {
        corpus_inventory(roles)
    } else {
        inventory(roles)
    };
    let gen = t.elapsed();
    let mut builds = Vec::new();
    let mut build_cpu = Vec::new();
    let mut analyses = Vec::new();
    let mut stats = (0, 0, 0, 0, false);
    for _ in 0..runs {
        let t = Instant::now();
        let c = cpu_time();
        let g = Graph::build_with(&inv, &GraphOptions::default());
        builds.push(t.elapsed());
        if let (Some(a), Some(b)) = (c, cpu_time()) {
            build_cpu.push(b.saturating_sub(a));
        }
        let t = Instant::now();
        let chains = g.chains();
        let cycles = g.cycles();
        let bypasses = g.direct_trust_bypasses();
        analyses.push(t.elapsed());
        stats = (
            g.nodes().len(),
            g.edges().len(),
            chains.len(),
            cycles.len(),
            g.truncated(),
        );
        if std::env::var_os("GRAPH_BENCH_DEBUG").is_some() {
            let mut by: std::collections::BTreeMap<String, usize> = Default::default();
            for e in g.edges() {
                let f = g.node(e.from).map(|n| n.kind.as_str()).unwrap_or("");
                *by.entry(format!("{f} {}", e.kind.as_str())).or_default() += 1;
            }
            let sizes: Vec<usize> = cycles.iter().map(|c| c.members.len()).collect();
            println!("edges by kind {by:?}; cycle group sizes {sizes:?}");
            for e in g
                .edges()
                .iter()
                .filter(|e| e.kind == trustlint::graph::EdgeKind::TrustAccount)
                .take(8)
            {
                let gr = e.grant.and_then(|x| g.grant(x));
                println!(
                    "  {} -> {} via {:?}",
                    g.node(e.from).unwrap().name,
                    g.node(e.to).unwrap().name,
                    gr.map(|gr| gr.resources_display(3))
                );
            }
        }
        std::hint::black_box((&chains, &cycles, &bypasses));
    }
    let (nodes, edges, chains, cycles, truncated) = stats;
    let cpu = if build_cpu.is_empty() {
        String::new()
    } else {
        format!(
            ", on-CPU median {:.1} ms",
            median(build_cpu).as_secs_f64() * 1e3
        )
    };
    println!(
        "graph/{shape}/{roles} roles, {entries} trust entries: build median {:.1} ms (min {:.1}{cpu}), \
         chains+cycles+bypasses median {:.1} ms; {nodes} nodes, {edges} edges, {chains} chain findings, \
         {cycles} cycle groups{} (inventory generated in {:.0} ms, {runs} runs)",
        median(builds.clone()).as_secs_f64() * 1e3,
        builds.iter().min().copied().unwrap_or_default().as_secs_f64() * 1e3,
        median(analyses).as_secs_f64() * 1e3,
        if truncated { ", truncated" } else { "" },
        gen.as_secs_f64() * 1e3,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a bare number sets the largest size.
    let max: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    for roles in [max / 10, max] {
        if roles > 0 {
            measure("mixed", roles, 5);
        }
    }
    // The corpus's size: about 4,000 roles.
    for roles in [1_000, 4_000] {
        measure("corpus", roles, 5);
    }
}
