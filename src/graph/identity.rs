//! The identity side of the graph: which `sts:AssumeRole` (and `sts:TagSession`, `sts:SetSourceIdentity`)
//! targets each scanned role, user and group may call, from inline policies, customer managed policies and
//! their attachments, group membership, and the well-known AWS managed policies that allow everything.

use super::describe;
use super::pattern::{Match, Pattern, PrincipalArn};
use crate::policy::{Effect, PolicyDocument, Statement};
use crate::source::Span;
use crate::value::Str;

/// Bits of the STS actions the graph follows.
pub const ACT_ASSUME: u8 = 1;
pub const ACT_TAG_SESSION: u8 = 2;
pub const ACT_SET_SOURCE_IDENTITY: u8 = 4;

const ACTIONS: [(&str, u8); 3] = [
    ("sts:AssumeRole", ACT_ASSUME),
    ("sts:TagSession", ACT_TAG_SESSION),
    ("sts:SetSourceIdentity", ACT_SET_SOURCE_IDENTITY),
];

/// AWS managed policies known to allow `sts:AssumeRole` on every resource: `AdministratorAccess` (`*` on
/// `*`) and `PowerUserAccess` (`NotAction` of `iam:*`, `organizations:*`, `account:*` on `*`, which leaves
/// `sts:*`). Other AWS managed policies are taken to allow no `sts:AssumeRole`.
const AWS_MANAGED_ASSUME_ANY: [&str; 2] = ["AdministratorAccess", "PowerUserAccess"];

/// Where a policy comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// An inline policy of a role, user or group.
    Inline,
    /// A scanned customer managed policy.
    Managed,
    /// An AWS managed policy known to the tool.
    AwsManaged,
}

/// An identity policy, for messages.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicySource {
    /// The name for messages: the policy name, else its address.
    pub name: String,
    pub kind: PolicyKind,
    /// The declaration (or the document when there is no declaration).
    pub span: Option<Span>,
}

/// One `Resource`/`NotResource` entry of a grant.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantPattern {
    pub pattern: Pattern,
    /// As written, readable (`arn:aws:iam::<this account>:role/allowed-roles-path/*`).
    pub display: String,
    pub span: Option<Span>,
    /// Branches the entry exists under.
    pub guards: Vec<String>,
}

/// One identity-policy statement about the STS actions the graph follows.
#[derive(Clone, Debug, PartialEq)]
pub struct Grant {
    pub policy: usize,
    pub effect: Effect,
    /// Actions the statement certainly covers (bits `ACT_*`).
    pub actions: u8,
    /// Some action entries are unresolved: the statement may cover more.
    pub actions_maybe: bool,
    /// An `Action` entry names an `sts:` action explicitly: the statement states an intent about STS (not
    /// just `*` on some other resource).
    pub explicit_sts: bool,
    pub patterns: Vec<GrantPattern>,
    pub not_resource: bool,
    /// The statement's conditions, readable.
    pub conditions: Vec<String>,
    pub guards: Vec<String>,
    pub span: Option<Span>,
}

impl Grant {
    /// Whether the grant covers `action` (an `ACT_*` bit) on `target`, and under which branches.
    pub fn applies(&self, target: &PrincipalArn, action: u8) -> (Match, Vec<String>) {
        let act = if self.actions & action != 0 {
            Match::Yes
        } else if self.actions_maybe {
            Match::Maybe
        } else {
            Match::No
        };
        if act == Match::No {
            return (Match::No, Vec::new());
        }
        let mut best = Match::No;
        let mut notes = Vec::new();
        for gp in &self.patterns {
            let m = gp.pattern.matches(target);
            if m > best {
                best = m;
                notes = gp.guards.clone();
            }
        }
        let res = if self.not_resource {
            best.negate()
        } else {
            best
        };
        let eff = match self.effect {
            Effect::Unknown => Match::Maybe,
            _ => Match::Yes,
        };
        let m = res.and(act).and(eff);
        if self.not_resource {
            notes.clear();
        }
        (m, notes)
    }

    /// Readable resources, for messages (`NotResource` ones prefixed with "all but").
    pub fn resources_display(&self, limit: usize) -> String {
        let mut items: Vec<&str> = self.patterns.iter().map(|p| p.display.as_str()).collect();
        items.sort_unstable();
        items.dedup();
        let more = items.len().saturating_sub(limit);
        let mut s = items.into_iter().take(limit).collect::<Vec<_>>().join(", ");
        if more > 0 {
            s.push_str(&format!(" and {more} more"));
        }
        if self.not_resource {
            format!("all but {s}")
        } else {
            s
        }
    }
}

/// Which followed actions a statement covers: (certain bits, maybe more, explicit sts).
fn action_bits(stmt: &Statement) -> (u8, bool, bool) {
    let mut bits = 0u8;
    for (a, bit) in ACTIONS {
        if super::covers_action(stmt, a) {
            bits |= bit;
        }
    }
    let unknown_items = stmt
        .actions
        .iter()
        .chain(stmt.not_actions.iter().flatten())
        .any(|i| !i.value.is_known());
    let explicit = stmt.not_actions.is_none()
        && stmt.actions.iter().any(|i| {
            i.value.as_known().is_some_and(|a| {
                a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("sts:"))
                    && crate::policy::semantics::action_matches(a, "sts:AssumeRole")
            })
        });
    (bits, unknown_items, explicit)
}

/// The grants of one identity policy document.
pub fn grants_of(
    doc: &PolicyDocument,
    policy: usize,
    this_accounts: &[String],
    arn_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<Grant> {
    let mut out = Vec::new();
    for stmt in &doc.statements {
        let (actions, actions_maybe, explicit_sts) = action_bits(stmt);
        if actions == 0 && !actions_maybe {
            continue;
        }
        let (items, not_resource) = match (&stmt.resources, &stmt.not_resources) {
            (_, Some(nr)) => (nr, true),
            (Some(r), None) => (r, false),
            // An identity statement without Resource is rejected by IAM: it grants nothing.
            (None, None) => continue,
        };
        let patterns = items
            .iter()
            .map(|i| GrantPattern {
                pattern: Pattern::compile(&i.value, this_accounts, arn_of),
                display: i.value.display(),
                span: i.value.span(),
                guards: i.guards.iter().map(|g| g.label.clone()).collect(),
            })
            .collect();
        out.push(Grant {
            policy,
            effect: stmt.effect,
            actions,
            actions_maybe,
            explicit_sts,
            patterns,
            not_resource,
            conditions: stmt.conditions.iter().map(describe::condition).collect(),
            guards: stmt.guards.iter().map(|g| g.label.clone()).collect(),
            span: stmt.span,
        });
    }
    out
}

/// What a managed policy ARN refers to.
#[derive(Clone, Debug, PartialEq)]
pub enum PolicyRef {
    /// A scanned customer managed policy, by key.
    Key(String),
    /// A customer managed policy by name (`arn:…:policy/path/NAME`).
    Name(String),
    /// An AWS managed policy (`arn:aws:iam::aws:policy/…`), by its last path segment.
    AwsManaged(String),
    /// Not resolvable.
    Unknown,
}

/// Classifies a managed policy ARN as written.
pub fn policy_ref(arn: &Str) -> PolicyRef {
    if let Some(crate::value::Sym::PolicyArn(k)) = arn.as_sym() {
        return PolicyRef::Key(k.clone());
    }
    let Some(a) = crate::policy::arn::parse(arn) else {
        return PolicyRef::Unknown;
    };
    let Some(res) = a.resource.as_known() else {
        return PolicyRef::Unknown;
    };
    let Some(rest) = res.strip_prefix("policy/") else {
        return PolicyRef::Unknown;
    };
    let name = rest.rsplit('/').next().unwrap_or(rest).to_string();
    if a.account.as_known() == Some("aws") {
        PolicyRef::AwsManaged(name)
    } else {
        PolicyRef::Name(name)
    }
}

/// The grants of a well-known AWS managed policy; `None` for others (taken to grant no `sts:AssumeRole`).
pub fn aws_managed_grants(name: &str, policy: usize) -> Option<Vec<Grant>> {
    if !AWS_MANAGED_ASSUME_ANY.contains(&name) {
        return None;
    }
    Some(vec![Grant {
        policy,
        effect: Effect::Allow,
        actions: ACT_ASSUME | ACT_TAG_SESSION | ACT_SET_SOURCE_IDENTITY,
        actions_maybe: false,
        explicit_sts: false,
        patterns: vec![GrantPattern {
            pattern: Pattern::compile(&Str::synthetic("*"), &[], &|_| None),
            display: "*".into(),
            span: None,
            guards: Vec::new(),
        }],
        not_resource: false,
        conditions: Vec::new(),
        guards: Vec::new(),
        span: None,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_policy_arns() {
        assert_eq!(
            policy_ref(&Str::lit(
                "arn:aws:iam::aws:policy/AdministratorAccess",
                None
            )),
            PolicyRef::AwsManaged("AdministratorAccess".into())
        );
        assert_eq!(
            policy_ref(&Str::lit(
                "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
                None
            )),
            PolicyRef::AwsManaged("ViewOnlyAccess".into())
        );
        assert_eq!(
            policy_ref(&Str::lit(
                "arn:aws:iam::111111111111:policy/team/assume-deploy",
                None
            )),
            PolicyRef::Name("assume-deploy".into())
        );
        assert_eq!(
            policy_ref(&Str::sym(crate::value::Sym::PolicyArn("m::p".into()), None)),
            PolicyRef::Key("m::p".into())
        );
        assert_eq!(policy_ref(&Str::lit("nonsense", None)), PolicyRef::Unknown);
        assert!(aws_managed_grants("PowerUserAccess", 0).is_some());
        assert!(aws_managed_grants("ReadOnlyAccess", 0).is_none());
    }
}
