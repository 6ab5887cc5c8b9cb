//! Principals, normalised (SPEC §2): bare account ID ≡ root ARN, `{"AWS": "*"}` ≡ `"*"`, role/user ARNs with
//! paths, assumed-role session ARNs, service principals incl. regional and `.amazonaws.com.cn` forms,
//! SAML/OIDC providers, unique IDs.

use crate::value::{Guard, Str, Sym};

/// The key under `Principal`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalType {
    /// `Principal: "*"` (the bare string form).
    Star,
    Aws,
    Service,
    Federated,
    CanonicalUser,
    /// Any other key (IAM rejects it; a TL900 problem).
    Other(String),
}

/// An account as far as it is known.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccountRef {
    /// A 12-digit account ID.
    Id(String),
    /// The deploying account (symbolic).
    This,
    /// `*` in the account field.
    Wildcard,
    /// Not resolvable (an unknown part).
    Unknown,
}

/// What a principal string means.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// Everyone: `"*"` or `{"AWS": "*"}`.
    Wildcard,
    /// An account: bare ID or `arn:aws:iam::ID:root` (delegation to the account).
    Account { account: AccountRef },
    /// An IAM role ARN (all its sessions); `path` is `/` or `/a/b/`.
    Role {
        account: AccountRef,
        path: String,
        name: String,
    },
    /// A scanned role referenced symbolically (`aws_iam_role.x.arn`, `!GetAtt X.Arn`); the key of the role.
    RoleRef { key: String },
    /// An IAM user ARN.
    User {
        account: AccountRef,
        path: String,
        name: String,
    },
    /// A scanned user referenced symbolically.
    UserRef { key: String },
    /// `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION` (no path).
    AssumedRole {
        account: AccountRef,
        role: String,
        session: String,
    },
    /// `arn:aws:sts::ACCT:federated-user/NAME`.
    FederatedUser { account: AccountRef, name: String },
    /// A service principal, split into the service name, optional region and DNS suffix
    /// (`logs.cn-north-1.amazonaws.com.cn` → `logs`, `cn-north-1`, `amazonaws.com.cn`).
    Service {
        name: String,
        region: Option<String>,
        suffix: String,
    },
    /// `arn:aws:iam::ACCT:saml-provider/NAME`.
    Saml { account: AccountRef, name: String },
    /// `arn:aws:iam::ACCT:oidc-provider/HOST[/PATH]`; `host` is `HOST[/PATH]` (the condition-key prefix).
    Oidc { account: AccountRef, host: String },
    /// A built-in web identity provider: `cognito-identity.amazonaws.com`, `accounts.google.com`,
    /// `graph.facebook.com`, `www.amazon.com`.
    WebIdentity { provider: String },
    /// A unique ID (`AROA…`, `AIDA…`): the principal it named was deleted.
    UniqueId { id: String },
    /// A scanned OIDC provider referenced symbolically (`aws_iam_openid_connect_provider.x.arn`).
    ProviderRef {
        resource: String,
        host: Option<String>,
    },
    /// The string could not be resolved (unknown parts); rules must not guess.
    Unresolved,
    /// Syntactically invalid for its type: the reason (also a document [`super::Problem`]).
    Invalid { reason: String },
}

/// One principal string under `Principal`/`NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalEntry {
    pub kind: PrincipalType,
    /// The string as resolved, with provenance.
    pub value: Str,
    pub principal: Principal,
    /// The branches this entry exists under.
    pub guards: Vec<Guard>,
}

impl Principal {
    /// The account of the principal, where it has one.
    pub fn account(&self) -> Option<&AccountRef> {
        match self {
            Principal::Account { account }
            | Principal::Role { account, .. }
            | Principal::User { account, .. }
            | Principal::AssumedRole { account, .. }
            | Principal::FederatedUser { account, .. }
            | Principal::Saml { account, .. }
            | Principal::Oidc { account, .. } => Some(account),
            _ => None,
        }
    }

    /// Whether this is a role (ARN, reference or session).
    pub fn is_role(&self) -> bool {
        matches!(
            self,
            Principal::Role { .. } | Principal::RoleRef { .. } | Principal::AssumedRole { .. }
        )
    }
}

impl AccountRef {
    /// From the account field of an ARN, given the `Str` it was sliced from.
    pub fn from_field(s: &Str) -> AccountRef {
        if let Some(Sym::ThisAccount) = s.as_sym() {
            return AccountRef::This;
        }
        match s.as_known() {
            Some("*") => AccountRef::Wildcard,
            Some(t) => AccountRef::Id(t.to_string()),
            None => AccountRef::Unknown,
        }
    }
}
