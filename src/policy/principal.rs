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

// ---------------------------------------------------------------------------------------------------------
// Normalisation (SPEC §2, aws-trust-semantics.md §A6)
// ---------------------------------------------------------------------------------------------------------

use super::arn;
use crate::value::Origin;

/// Built-in web identity providers accepted as `Federated` principals without an ARN.
pub const WEB_IDENTITY_PROVIDERS: [&str; 4] = [
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// DNS suffixes of service principals, longest first so `amazonaws.com.cn` wins over `amazonaws.com`.
pub const SERVICE_SUFFIXES: [&str; 6] = [
    "amazonaws.com.cn",
    "amazonaws.com",
    "c2s.ic.gov",
    "sc2s.sgov.gov",
    "cloud.adc-e.uk",
    "csp.hci.ic.gov",
];

/// Prefixes of IAM unique IDs (`reference_identifiers.md`). Only role (`AROA`) and user (`AIDA`) IDs name a
/// principal that can call STS, but IAM stores any of them verbatim once the named entity is deleted.
pub const UNIQUE_ID_PREFIXES: [&str; 12] = [
    "AROA", "AIDA", "AGPA", "AIPA", "ANPA", "ANVA", "ASCA", "APKA", "AKIA", "ASIA", "ABIA", "ACCA",
];

impl PrincipalType {
    /// The principal type for a key under `Principal` (`AWS`, `Service`, `Federated`, `CanonicalUser`),
    /// matched case-insensitively; anything else is [`PrincipalType::Other`].
    pub fn from_key(key: &str) -> PrincipalType {
        if key.eq_ignore_ascii_case("AWS") {
            PrincipalType::Aws
        } else if key.eq_ignore_ascii_case("Service") {
            PrincipalType::Service
        } else if key.eq_ignore_ascii_case("Federated") {
            PrincipalType::Federated
        } else if key.eq_ignore_ascii_case("CanonicalUser") {
            PrincipalType::CanonicalUser
        } else {
            PrincipalType::Other(key.to_string())
        }
    }

    /// The key as IAM spells it (`*` for the bare-string form).
    pub fn as_str(&self) -> &str {
        match self {
            PrincipalType::Star => "*",
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
            PrincipalType::Other(k) => k,
        }
    }
}

impl PrincipalEntry {
    /// An entry with its principal normalised by [`parse_principal`].
    pub fn new(kind: PrincipalType, value: Str, guards: Vec<Guard>) -> PrincipalEntry {
        let principal = parse_principal(&kind, &value);
        PrincipalEntry {
            kind,
            value,
            principal,
            guards,
        }
    }

    /// The span of the whole principal string.
    pub fn span(&self) -> Option<crate::source::Span> {
        self.value.span()
    }

    /// The span of the account part, where the principal has one written in its text (the account field of
    /// an ARN, or the whole string for a bare account ID); else the whole string (SPEC §1.2).
    pub fn account_span(&self) -> Option<crate::source::Span> {
        let t = &self.value.text;
        if is_account_id(t) {
            return self.value.span();
        }
        if let Some(a) = arn::parse(&self.value) {
            let (s, e) = a.account_range;
            if s < e {
                return self.value.span_of(s, e).or_else(|| self.value.span());
            }
        }
        self.value.span()
    }
}

impl AccountRef {
    /// The 12-digit ID, when known.
    pub fn id(&self) -> Option<&str> {
        match self {
            AccountRef::Id(s) => Some(s),
            _ => None,
        }
    }
}

impl Principal {
    /// How the principal reads in messages: `account 123456789012`, `role arn:…`, `service ec2.amazonaws.com`.
    pub fn describe(&self) -> String {
        fn acct(a: &AccountRef) -> String {
            match a {
                AccountRef::Id(id) => id.clone(),
                AccountRef::This => "this account".into(),
                AccountRef::Wildcard => "any account".into(),
                AccountRef::Unknown => "an unresolved account".into(),
            }
        }
        match self {
            Principal::Wildcard => "everyone (*)".into(),
            Principal::Account { account } => match account {
                AccountRef::Id(id) => format!("account {id}"),
                other => acct(other),
            },
            Principal::Role {
                account,
                path,
                name,
            } => format!("role {path}{name} in {}", acct(account)),
            Principal::RoleRef { key } => format!("role {}", crate::value::short_key(key)),
            Principal::User {
                account,
                path,
                name,
            } => format!("user {path}{name} in {}", acct(account)),
            Principal::UserRef { key } => format!("user {}", crate::value::short_key(key)),
            Principal::AssumedRole {
                account,
                role,
                session,
            } => format!("session {session} of role {role} in {}", acct(account)),
            Principal::FederatedUser { account, name } => {
                format!("federated user {name} in {}", acct(account))
            }
            Principal::Service {
                name,
                region,
                suffix,
            } => match region {
                Some(r) => format!("service {name}.{r}.{suffix}"),
                None => format!("service {name}.{suffix}"),
            },
            Principal::Saml { account, name } => {
                format!("SAML provider {name} in {}", acct(account))
            }
            Principal::Oidc { host, .. } => format!("OIDC provider {host}"),
            Principal::WebIdentity { provider } => format!("web identity provider {provider}"),
            Principal::UniqueId { id } => format!("deleted principal {id}"),
            Principal::ProviderRef { resource, host } => match host {
                Some(h) => format!("OIDC provider {h}"),
                None => format!("OIDC provider {resource}"),
            },
            Principal::Unresolved => "an unresolved principal".into(),
            Principal::Invalid { reason } => format!("an invalid principal ({reason})"),
        }
    }

    /// Whether this is an OIDC identity provider (an IAM OIDC provider ARN, a scanned provider, or a
    /// built-in web identity provider): the principals `sts:AssumeRoleWithWebIdentity` is for.
    pub fn is_web_identity(&self) -> bool {
        matches!(
            self,
            Principal::Oidc { .. } | Principal::ProviderRef { .. } | Principal::WebIdentity { .. }
        )
    }

    /// The condition-key prefix of an OIDC principal (`token.actions.githubusercontent.com`,
    /// `oidc.eks.REGION.amazonaws.com/id/ID`, `cognito-identity.amazonaws.com`), where known.
    pub fn oidc_host(&self) -> Option<&str> {
        match self {
            Principal::Oidc { host, .. } => Some(host),
            Principal::WebIdentity { provider } => Some(provider),
            Principal::ProviderRef { host, .. } => host.as_deref(),
            _ => None,
        }
    }
}

/// Whether `t` is a 12-digit account ID.
pub fn is_account_id(t: &str) -> bool {
    t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `t` looks like an IAM unique ID (`AROA` + at least 16 upper-case letters or digits).
pub fn is_unique_id(t: &str) -> bool {
    UNIQUE_ID_PREFIXES.iter().any(|p| t.starts_with(p))
        && t.len() >= 20
        && t.len() <= 128
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `t` is a partition IAM knows: `aws`, `aws-cn`, `aws-us-gov`, `aws-eusc` or an ISO partition.
pub fn is_partition(t: &str) -> bool {
    matches!(t, "aws" | "aws-cn" | "aws-us-gov" | "aws-eusc") || t.starts_with("aws-iso")
}

/// Whether `t` looks like a region name (`us-east-1`, `cn-north-1`, `us-gov-west-1`, `us-isob-east-1`).
pub fn is_region(t: &str) -> bool {
    let parts: Vec<&str> = t.split('-').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return false;
    }
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && parts[1..parts.len() - 1] // ok: len >= 3, so the range is in bounds
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Normalises one principal string of type `kind` (SPEC §2, aws-trust-semantics.md §A6). Never fails:
/// syntactically invalid values are [`Principal::Invalid`] with the reason (a TL900 problem), values whose
/// relevant parts are unknown are [`Principal::Unresolved`]. Wildcards inside names (`role/*`) are kept:
/// they are valid syntax that IAM rejects on deploy, which [`super::semantics::invalid_trust_reasons`]
/// reports (TL015). A wildcard account (`arn:aws:iam::*:root`) is kept as [`AccountRef::Wildcard`]: rules
/// treat it as a wildcard principal (TL011).
pub fn parse_principal(kind: &PrincipalType, value: &Str) -> Principal {
    match kind {
        PrincipalType::Star => {
            if value.text == "*" && value.is_known() {
                Principal::Wildcard
            } else if value.has_unknown() {
                Principal::Unresolved
            } else {
                invalid(format!(
                    "a Principal written as a string must be \"*\", not \"{}\"; use a map such as {{\"AWS\": …}}",
                    value.display()
                ))
            }
        }
        PrincipalType::Aws => parse_aws(value),
        PrincipalType::Service => parse_service(value),
        PrincipalType::Federated => parse_federated(value),
        PrincipalType::CanonicalUser => invalid(
            "CanonicalUser principals only apply to Amazon S3 policies; IAM does not accept them here".into(),
        ),
        PrincipalType::Other(k) => invalid(format!(
            "unknown principal type \"{k}\" (expected AWS, Service, Federated or CanonicalUser)"
        )),
    }
}

fn invalid(reason: String) -> Principal {
    Principal::Invalid { reason }
}

/// Whether the key names an OIDC provider resource (`aws_iam_openid_connect_provider.x`,
/// `AWS::IAM::OIDCProvider` logical IDs, module-qualified addresses).
fn is_oidc_provider_resource(resource: &str) -> bool {
    resource.contains("aws_iam_openid_connect_provider")
        || resource.contains("AWS::IAM::OIDCProvider")
}

fn is_saml_provider_resource(resource: &str) -> bool {
    resource.contains("aws_iam_saml_provider") || resource.contains("AWS::IAM::SAMLProvider")
}

fn parse_aws(value: &Str) -> Principal {
    if let Some(sym) = value.as_sym() {
        return match sym {
            Sym::RoleArn(k) | Sym::RoleUniqueId(k) => Principal::RoleRef { key: k.clone() },
            Sym::UserArn(k) => Principal::UserRef { key: k.clone() },
            Sym::ThisAccount => Principal::Account {
                account: AccountRef::This,
            },
            Sym::Partition | Sym::Region | Sym::UrlSuffix => {
                invalid(format!("{} is not an AWS principal", sym.describe()))
            }
            _ => Principal::Unresolved,
        };
    }
    let t = value.text.as_str();
    if value.is_known() {
        if t == "*" {
            return Principal::Wildcard;
        }
        if is_account_id(t) {
            return Principal::Account {
                account: AccountRef::Id(t.to_string()),
            };
        }
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return invalid(format!(
                "\"{t}\" is not a valid account ID: account IDs have 12 digits, this has {}",
                t.len()
            ));
        }
        if is_unique_id(t) {
            return Principal::UniqueId { id: t.to_string() };
        }
        if t.trim() != t {
            return invalid(format!("\"{t}\" has leading or trailing whitespace"));
        }
    }
    if t.starts_with("arn:") {
        return parse_aws_arn(value);
    }
    if value.has_unknown() || !value.is_known() {
        return Principal::Unresolved;
    }
    if t.is_empty() {
        return invalid("an AWS principal must not be empty".into());
    }
    if t.ends_with(".amazonaws.com") || t.ends_with(".amazonaws.com.cn") {
        return invalid(format!(
            "\"{t}\" is a service principal; it belongs under \"Service\", not \"AWS\""
        ));
    }
    invalid(format!(
        "\"{t}\" is not an account ID, an IAM/STS ARN or a unique ID"
    ))
}

/// Checks partition and region of an IAM/STS/provider ARN. `Err` is the reason it is invalid.
fn check_arn_header(a: &arn::Arn, value: &Str) -> Result<(), String> {
    if let Some(p) = a.partition.as_known() {
        if !is_partition(p) {
            return Err(format!(
                "\"{}\" has an unknown partition \"{p}\" (expected aws, aws-cn, aws-us-gov or aws-iso*)",
                value.display()
            ));
        }
    }
    if let Some(r) = a.region.as_known() {
        if !r.is_empty() {
            return Err(format!(
                "\"{}\" has a region; IAM and STS principal ARNs have an empty region field",
                value.display()
            ));
        }
    }
    Ok(())
}

/// The account of an ARN; `Err` when it is written and not a valid account ID.
fn arn_account(a: &arn::Arn, value: &Str) -> Result<AccountRef, String> {
    let acct = AccountRef::from_field(&a.account);
    match &acct {
        AccountRef::Id(id) if !is_account_id(id) => {
            if id.contains('*') || id.contains('?') {
                Err(format!(
                    "\"{}\" has a partial wildcard in its account field; IAM accepts only a 12-digit account ID there",
                    value.display()
                ))
            } else {
                Err(format!(
                    "\"{}\" has an invalid account ID \"{id}\" (account IDs have 12 digits)",
                    value.display()
                ))
            }
        }
        _ => Ok(acct),
    }
}

/// Splits `PATH/NAME` after a resource type (`role/a/b/Name` → (`/a/b/`, `Name`)).
fn path_and_name(rest: &str) -> (String, String) {
    match rest.rfind('/') {
        Some(i) => (
            format!("/{}", rest.get(..=i).unwrap_or("")),
            rest.get(i + 1..).unwrap_or("").to_string(),
        ),
        None => ("/".to_string(), rest.to_string()),
    }
}

fn parse_aws_arn(value: &Str) -> Principal {
    let Some(a) = arn::parse(value) else {
        if value.has_unknown() || !value.is_known() {
            return Principal::Unresolved;
        }
        return invalid(format!(
            "\"{}\" is not a valid ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
            value.display()
        ));
    };
    if let Err(e) = check_arn_header(&a, value) {
        return invalid(e);
    }
    let Some(service) = a.service.as_known() else {
        return Principal::Unresolved;
    };
    if service != "iam" && service != "sts" {
        return invalid(format!(
            "\"{}\" is an ARN of service \"{service}\"; AWS principals are IAM or STS ARNs",
            value.display()
        ));
    }
    let account = match arn_account(&a, value) {
        Ok(acct) => acct,
        Err(e) => return invalid(e),
    };
    // The resource part decides the kind of principal; when it is unknown nothing can be said.
    let resource_known = a.resource.as_known();
    match service {
        "iam" => {
            let Some(res) = resource_known else {
                return symbolic_role_resource(&a, account);
            };
            if res == "root" {
                return Principal::Account { account };
            }
            if let Some(rest) = res.strip_prefix("role/") {
                let (path, name) = path_and_name(rest);
                if name.is_empty() {
                    return invalid(format!("\"{}\" has no role name", value.display()));
                }
                return Principal::Role {
                    account,
                    path,
                    name,
                };
            }
            if let Some(rest) = res.strip_prefix("user/") {
                let (path, name) = path_and_name(rest);
                if name.is_empty() {
                    return invalid(format!("\"{}\" has no user name", value.display()));
                }
                return Principal::User {
                    account,
                    path,
                    name,
                };
            }
            if res.starts_with("group/") {
                return invalid(format!(
                    "\"{}\" is a group; IAM groups cannot be principals",
                    value.display()
                ));
            }
            if res.starts_with("saml-provider/") || res.starts_with("oidc-provider/") {
                return invalid(format!(
                    "\"{}\" is an identity provider; it belongs under \"Federated\", not \"AWS\"",
                    value.display()
                ));
            }
            invalid(format!(
                "\"{}\" is not a principal ARN (expected :root, role/…, user/…)",
                value.display()
            ))
        }
        "sts" => {
            let Some(res) = resource_known else {
                return Principal::Unresolved;
            };
            if let Some(rest) = res.strip_prefix("assumed-role/") {
                let mut it = rest.split('/');
                return match (it.next(), it.next(), it.next()) {
                    (Some(role), Some(session), None) if !role.is_empty() && !session.is_empty() => {
                        Principal::AssumedRole {
                            account,
                            role: role.to_string(),
                            session: session.to_string(),
                        }
                    }
                    _ => invalid(format!(
                        "\"{}\" is not a valid assumed-role ARN (expected assumed-role/ROLE/SESSION)",
                        value.display()
                    )),
                };
            }
            if let Some(name) = res.strip_prefix("federated-user/") {
                if name.is_empty() || name.contains('/') {
                    return invalid(format!(
                        "\"{}\" is not a valid federated-user ARN",
                        value.display()
                    ));
                }
                return Principal::FederatedUser {
                    account,
                    name: name.to_string(),
                };
            }
            invalid(format!(
                "\"{}\" is not a principal ARN (expected assumed-role/… or federated-user/…)",
                value.display()
            ))
        }
        other => invalid(format!(
            "\"{}\" is an ARN of service \"{other}\"; AWS principals are IAM or STS ARNs",
            value.display()
        )),
    }
}

/// `arn:…:iam::ACCT:role/${aws_iam_role.x.name}`: a role ARN built from a scanned role's name is that role.
fn symbolic_role_resource(a: &arn::Arn, account: AccountRef) -> Principal {
    let res = &a.resource;
    let Some(last) = res.parts.last() else {
        return Principal::Unresolved;
    };
    let prefix = res.text.get(..last.start as usize).unwrap_or("");
    let prefix_known = res.parts.len() == 1
        || res
            .parts
            .iter()
            .take(res.parts.len() - 1)
            .all(|p| matches!(p.origin, Origin::Lit { .. }));
    if !prefix_known || last.end as usize != res.text.len() {
        return Principal::Unresolved;
    }
    match &last.origin {
        Origin::Sym(Sym::RoleName(k), _)
            if prefix.starts_with("role/")
                && matches!(account, AccountRef::This | AccountRef::Unknown) =>
        {
            Principal::RoleRef { key: k.clone() }
        }
        Origin::Sym(Sym::UserName(k), _)
            if prefix.starts_with("user/")
                && matches!(account, AccountRef::This | AccountRef::Unknown) =>
        {
            Principal::UserRef { key: k.clone() }
        }
        _ => Principal::Unresolved,
    }
}

/// A whole-string symbol that names an IAM principal, written under the wrong type key.
fn misplaced_sym(value: &Str, under: &str) -> Option<Principal> {
    let what = match value.as_sym()? {
        Sym::RoleArn(k) => format!("the ARN of role {}", crate::value::short_key(k)),
        Sym::UserArn(k) => format!("the ARN of user {}", crate::value::short_key(k)),
        Sym::ThisAccount => "this account".to_string(),
        _ => return None,
    };
    Some(invalid(format!(
        "{what} is an AWS principal; it belongs under \"AWS\", not \"{under}\""
    )))
}

fn parse_service(value: &Str) -> Principal {
    if let Some(p) = misplaced_sym(value, "Service") {
        return p;
    }
    let t = value.text.as_str();
    if value.has_unknown() {
        return Principal::Unresolved;
    }
    if value.is_known() {
        if t == "*" {
            return invalid(
                "a service principal must name one service; IAM does not accept \"*\" here".into(),
            );
        }
        if t.starts_with("arn:") {
            return invalid(format!(
                "\"{t}\" is an ARN; a service principal is a name such as ec2.amazonaws.com"
            ));
        }
    }
    // `ec2.${data.aws_partition.current.dns_suffix}`, `logs.${AWS::Region}.${AWS::URLSuffix}`: the service
    // name is literal, the suffix (and region) may be symbolic.
    if let Some(last) = value.parts.last() {
        if matches!(last.origin, Origin::Sym(Sym::UrlSuffix, _)) && last.end as usize == t.len() {
            if let Some(host) = t
                .get(..last.start as usize)
                .and_then(|h| h.strip_suffix('.'))
            {
                return service_parts(host, format!("<{}>", Sym::UrlSuffix.describe()), value);
            }
        }
    }
    for suffix in SERVICE_SUFFIXES {
        if let Some(host) = t.strip_suffix(suffix).and_then(|h| h.strip_suffix('.')) {
            return service_parts(host, suffix.to_string(), value);
        }
    }
    if !value.is_known() {
        return Principal::Unresolved;
    }
    invalid(format!(
        "\"{t}\" is not a service principal (expected SERVICE.amazonaws.com or a partition's variant)"
    ))
}

/// `logs.cn-north-1` → name `logs`, region `cn-north-1`; `pods.eks` → name `pods.eks`.
fn service_parts(host: &str, suffix: String, value: &Str) -> Principal {
    let (name, region) = match host.rsplit_once('.') {
        Some((n, r)) if is_region(r) => (n, Some(r.to_string())),
        Some((n, "\u{E000}")) => {
            // A symbolic region (`${AWS::Region}`).
            let region = value
                .parts
                .iter()
                .find_map(|p| match &p.origin {
                    Origin::Sym(Sym::Region, _) => Some(format!("<{}>", Sym::Region.describe())),
                    _ => None,
                })
                .unwrap_or_else(|| "<unresolved>".into());
            (n, Some(region))
        }
        _ => (host, None),
    };
    if name.is_empty() || name.contains(crate::value::SYM_CHAR) {
        return if name.is_empty() {
            invalid(format!("\"{}\" has no service name", value.display()))
        } else {
            Principal::Unresolved
        };
    }
    Principal::Service {
        name: name.to_string(),
        region,
        suffix,
    }
}

fn parse_federated(value: &Str) -> Principal {
    if let Some(p) = misplaced_sym(value, "Federated") {
        return p;
    }
    if let Some(sym) = value.as_sym() {
        return match sym {
            Sym::Attr { resource, .. } if is_oidc_provider_resource(resource) => {
                Principal::ProviderRef {
                    resource: resource.clone(),
                    host: None,
                }
            }
            Sym::Attr { resource, .. } if is_saml_provider_resource(resource) => Principal::Saml {
                account: AccountRef::This,
                name: resource.clone(),
            },
            _ => Principal::Unresolved,
        };
    }
    let t = value.text.as_str();
    if value.is_known() {
        if WEB_IDENTITY_PROVIDERS.contains(&t) {
            return Principal::WebIdentity {
                provider: t.to_string(),
            };
        }
        if t == "*" {
            return invalid(
                "a Federated principal must name an identity provider; IAM does not accept \"*\" here"
                    .into(),
            );
        }
    }
    if !t.starts_with("arn:") {
        if !value.is_known() {
            return Principal::Unresolved;
        }
        return invalid(format!(
            "\"{t}\" is not a SAML or OIDC provider ARN or a built-in web identity provider \
             (cognito-identity.amazonaws.com, accounts.google.com, graph.facebook.com, www.amazon.com)"
        ));
    }
    let Some(a) = arn::parse(value) else {
        if !value.is_known() {
            return Principal::Unresolved;
        }
        return invalid(format!("\"{t}\" is not a valid ARN"));
    };
    if let Err(e) = check_arn_header(&a, value) {
        return invalid(e);
    }
    match a.service.as_known() {
        Some("iam") => {}
        Some(other) => {
            return invalid(format!(
            "\"{}\" is an ARN of service \"{other}\"; Federated principals are IAM provider ARNs",
            value.display()
        ))
        }
        None => return Principal::Unresolved,
    }
    let account = match arn_account(&a, value) {
        Ok(acct) => acct,
        Err(e) => return invalid(e),
    };
    let res = &a.resource;
    if let Some(rest) = res.text.strip_prefix("saml-provider/") {
        if res.is_known() {
            if rest.is_empty() {
                return invalid(format!("\"{t}\" has no SAML provider name"));
            }
            return Principal::Saml {
                account,
                name: rest.to_string(),
            };
        }
        return Principal::Unresolved;
    }
    if let Some(rest) = res.text.strip_prefix("oidc-provider/") {
        if res.is_known() {
            if rest.is_empty() {
                return invalid(format!("\"{t}\" has no OIDC provider host"));
            }
            if rest.starts_with("https://") || rest.starts_with("http://") {
                return invalid(format!(
                    "\"{t}\": the OIDC provider ARN must name the host without https://"
                ));
            }
            return Principal::Oidc {
                account,
                host: rest.to_string(),
            };
        }
        // `oidc-provider/${replace(aws_iam_openid_connect_provider.x.url, "https://", "")}`: the host is a
        // scanned provider's attribute.
        let host_start = "oidc-provider/".len();
        let host = res.slice(host_start, res.text.len());
        if let Some(Sym::Attr { resource, .. }) = host.as_sym() {
            if is_oidc_provider_resource(resource) {
                return Principal::ProviderRef {
                    resource: resource.clone(),
                    host: None,
                };
            }
        }
        return Principal::Unresolved;
    }
    if !res.is_known() {
        return Principal::Unresolved;
    }
    invalid(format!(
        "\"{t}\" is not a SAML or OIDC provider ARN (expected saml-provider/NAME or oidc-provider/HOST)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};
    use crate::value::Unknown;

    fn id(a: &str) -> AccountRef {
        AccountRef::Id(a.into())
    }

    fn p(kind: PrincipalType, text: &str) -> Principal {
        parse_principal(&kind, &Str::lit(text, None))
    }

    #[test]
    fn aws_principals_normalise() {
        use PrincipalType::Aws;
        let a = "111111111111";
        let table: Vec<(&str, Principal)> = vec![
            ("*", Principal::Wildcard),
            (a, Principal::Account { account: id(a) }),
            ("arn:aws:iam::111111111111:root", Principal::Account { account: id(a) }),
            ("arn:aws-cn:iam::111111111111:root", Principal::Account { account: id(a) }),
            ("arn:aws-us-gov:iam::111111111111:root", Principal::Account { account: id(a) }),
            ("arn:aws-iso-b:iam::111111111111:root", Principal::Account { account: id(a) }),
            (
                "arn:aws:iam::*:root",
                Principal::Account {
                    account: AccountRef::Wildcard,
                },
            ),
            (
                "arn:aws:iam::111111111111:role/Deploy",
                Principal::Role {
                    account: id(a),
                    path: "/".into(),
                    name: "Deploy".into(),
                },
            ),
            (
                "arn:aws:iam::111111111111:role/a/b/Name",
                Principal::Role {
                    account: id(a),
                    path: "/a/b/".into(),
                    name: "Name".into(),
                },
            ),
            (
                "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_1",
                Principal::Role {
                    account: id(a),
                    path: "/aws-reserved/sso.amazonaws.com/eu-west-1/".into(),
                    name: "AWSReservedSSO_Admin_1".into(),
                },
            ),
            // Wildcards in names are kept (TL015 reports them), not a parse problem.
            (
                "arn:aws:iam::111111111111:role/*",
                Principal::Role {
                    account: id(a),
                    path: "/".into(),
                    name: "*".into(),
                },
            ),
            (
                "arn:aws:iam::111111111111:user/ops/alice",
                Principal::User {
                    account: id(a),
                    path: "/ops/".into(),
                    name: "alice".into(),
                },
            ),
            (
                "arn:aws:sts::111111111111:assumed-role/RoleA/session-1",
                Principal::AssumedRole {
                    account: id(a),
                    role: "RoleA".into(),
                    session: "session-1".into(),
                },
            ),
            (
                "arn:aws:sts::111111111111:federated-user/bob",
                Principal::FederatedUser {
                    account: id(a),
                    name: "bob".into(),
                },
            ),
            (
                "AROA1234567890EXAMPLE",
                Principal::UniqueId {
                    id: "AROA1234567890EXAMPLE".into(),
                },
            ),
            (
                "AIDACKCEVSQ6C2EXAMPLE",
                Principal::UniqueId {
                    id: "AIDACKCEVSQ6C2EXAMPLE".into(),
                },
            ),
        ];
        for (text, want) in table {
            assert_eq!(p(Aws, text), want, "{text}");
        }
    }

    #[test]
    fn invalid_principals_say_why() {
        use PrincipalType::*;
        let table: Vec<(PrincipalType, &str, &str)> = vec![
            (Aws, "11111111111", "12 digits, this has 11"),
            (Aws, "1111111111111", "12 digits, this has 13"),
            (Aws, "arn:aws:iam::123:root", "invalid account ID \"123\""),
            (
                Aws,
                "arn:aws:iam::1111*:root",
                "partial wildcard in its account",
            ),
            (Aws, "arn:aws:iam::111111111111", "not a valid ARN"),
            (
                Aws,
                "arn:aws:iam:us-east-1:111111111111:root",
                "has a region",
            ),
            (
                Aws,
                "arn:azure:iam::111111111111:root",
                "unknown partition \"azure\"",
            ),
            (Aws, "arn:aws:s3:::bucket", "service \"s3\""),
            (
                Aws,
                "arn:aws:iam::111111111111:group/devs",
                "groups cannot be principals",
            ),
            (Aws, "arn:aws:iam::111111111111:role/", "no role name"),
            (
                Aws,
                "arn:aws:iam::111111111111:policy/p",
                "not a principal ARN",
            ),
            (
                Aws,
                "arn:aws:sts::111111111111:assumed-role/R",
                "assumed-role/ROLE/SESSION",
            ),
            (
                Aws,
                "arn:aws:sts::111111111111:assumed-role/R/S/x",
                "assumed-role/ROLE/SESSION",
            ),
            (
                Aws,
                "arn:aws:iam::111111111111:oidc-provider/x",
                "belongs under \"Federated\"",
            ),
            (Aws, "ec2.amazonaws.com", "belongs under \"Service\""),
            (Aws, "alice", "not an account ID"),
            (Aws, "", "must not be empty"),
            (Aws, " 111111111111", "leading or trailing whitespace"),
            (Service, "*", "name one service"),
            (Service, "ec2", "not a service principal"),
            (Service, "arn:aws:iam::111111111111:root", "is an ARN"),
            (Service, ".amazonaws.com", "no service name"),
            (Federated, "*", "must name an identity provider"),
            (
                Federated,
                "token.actions.githubusercontent.com",
                "not a SAML or OIDC provider ARN",
            ),
            (
                Federated,
                "arn:aws:iam::111111111111:role/x",
                "not a SAML or OIDC provider ARN",
            ),
            (
                Federated,
                "arn:aws:iam::111111111111:oidc-provider/",
                "no OIDC provider host",
            ),
            (
                Federated,
                "arn:aws:iam::111111111111:oidc-provider/https://x",
                "without https://",
            ),
            (
                Federated,
                "arn:aws:cognito-idp:::pool",
                "service \"cognito-idp\"",
            ),
            (
                CanonicalUser,
                "79a59df900b949e55d96a1e698fbaced",
                "Amazon S3",
            ),
            (Other("Aws".into()), "*", "unknown principal type"),
            (
                Other("Principal".into()),
                "*",
                "unknown principal type \"Principal\"",
            ),
            (Star, "arn:aws:iam::111111111111:root", "must be \"*\""),
        ];
        for (kind, text, needle) in table {
            match parse_principal(&kind, &Str::lit(text, None)) {
                Principal::Invalid { reason } => {
                    assert!(reason.contains(needle), "{text}: {reason} lacks {needle}")
                }
                other => panic!("{kind:?} {text}: expected invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn principal_type_keys() {
        assert_eq!(PrincipalType::from_key("AWS"), PrincipalType::Aws);
        assert_eq!(PrincipalType::from_key("aws"), PrincipalType::Aws);
        assert_eq!(PrincipalType::from_key("service"), PrincipalType::Service);
        assert_eq!(
            PrincipalType::from_key("Federated"),
            PrincipalType::Federated
        );
        assert_eq!(
            PrincipalType::from_key("CanonicalUser"),
            PrincipalType::CanonicalUser
        );
        assert_eq!(
            PrincipalType::from_key("Role"),
            PrincipalType::Other("Role".into())
        );
        assert_eq!(PrincipalType::Aws.as_str(), "AWS");
    }

    #[test]
    fn service_principals_split_region_and_suffix() {
        use PrincipalType::Service;
        let svc = |n: &str, r: Option<&str>, s: &str| Principal::Service {
            name: n.into(),
            region: r.map(String::from),
            suffix: s.into(),
        };
        let table = vec![
            ("ec2.amazonaws.com", svc("ec2", None, "amazonaws.com")),
            ("ec2.amazonaws.com.cn", svc("ec2", None, "amazonaws.com.cn")),
            (
                "logs.cn-north-1.amazonaws.com.cn",
                svc("logs", Some("cn-north-1"), "amazonaws.com.cn"),
            ),
            (
                "s3.us-east-1.amazonaws.com",
                svc("s3", Some("us-east-1"), "amazonaws.com"),
            ),
            (
                "logs.us-gov-west-1.amazonaws.com",
                svc("logs", Some("us-gov-west-1"), "amazonaws.com"),
            ),
            (
                "pods.eks.amazonaws.com",
                svc("pods.eks", None, "amazonaws.com"),
            ),
            ("ec2.c2s.ic.gov", svc("ec2", None, "c2s.ic.gov")),
            ("ec2.sc2s.sgov.gov", svc("ec2", None, "sc2s.sgov.gov")),
            ("lambda.amazonaws.com", svc("lambda", None, "amazonaws.com")),
            (
                "edgelambda.amazonaws.com",
                svc("edgelambda", None, "amazonaws.com"),
            ),
        ];
        for (text, want) in table {
            assert_eq!(p(Service, text), want, "{text}");
        }
    }

    #[test]
    fn federated_principals() {
        use PrincipalType::Federated;
        let a = "111111111111";
        assert_eq!(
            p(
                Federated,
                "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
            ),
            Principal::Oidc {
                account: id(a),
                host: "token.actions.githubusercontent.com".into()
            }
        );
        assert_eq!(
            p(
                Federated,
                "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
            ),
            Principal::Oidc {
                account: id(a),
                host: "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE".into()
            }
        );
        assert_eq!(
            p(Federated, "arn:aws:iam::111111111111:saml-provider/Okta"),
            Principal::Saml {
                account: id(a),
                name: "Okta".into()
            }
        );
        for prov in WEB_IDENTITY_PROVIDERS {
            assert_eq!(
                p(Federated, prov),
                Principal::WebIdentity {
                    provider: prov.into()
                }
            );
        }
        assert!(p(
            Federated,
            "arn:aws:iam::111111111111:oidc-provider/gitlab.com"
        )
        .is_web_identity());
        assert_eq!(
            p(
                Federated,
                "arn:aws:iam::111111111111:oidc-provider/gitlab.com"
            )
            .oidc_host(),
            Some("gitlab.com")
        );
    }

    fn sp(a: usize, b: usize) -> Option<Span> {
        Some(Span::new(FileId(0), a, b))
    }

    #[test]
    fn symbolic_principals() {
        let role = Str::sym(Sym::RoleArn("mod::aws_iam_role.ci".into()), sp(0, 10));
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &role),
            Principal::RoleRef {
                key: "mod::aws_iam_role.ci".into()
            }
        );
        let user = Str::sym(Sym::UserArn("mod::aws_iam_user.u".into()), None);
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &user),
            Principal::UserRef {
                key: "mod::aws_iam_user.u".into()
            }
        );
        let this = Str::concat([
            &Str::lit("arn:", None),
            &Str::sym(Sym::Partition, None),
            &Str::lit(":iam::", None),
            &Str::sym(Sym::ThisAccount, None),
            &Str::lit(":root", None),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &this),
            Principal::Account {
                account: AccountRef::This
            }
        );
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &Str::sym(Sym::ThisAccount, None)),
            Principal::Account {
                account: AccountRef::This
            }
        );
        // Unknown account: still a role, account unknown.
        let unk = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::unknown(Unknown::new("var.acct", "no value", None)),
            &Str::lit(":role/ci", None),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &unk),
            Principal::Role {
                account: AccountRef::Unknown,
                path: "/".into(),
                name: "ci".into()
            }
        );
        // Unknown role name: nothing can be said.
        let unk_name = Str::concat([
            &Str::lit("arn:aws:iam::111111111111:role/", None),
            &Str::unknown(Unknown::new("var.name", "no value", None)),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &unk_name),
            Principal::Unresolved
        );
        let whole = Str::unknown(Unknown::new("var.p", "no value", None));
        for kind in [
            PrincipalType::Aws,
            PrincipalType::Service,
            PrincipalType::Federated,
            PrincipalType::Star,
        ] {
            assert_eq!(parse_principal(&kind, &whole), Principal::Unresolved);
        }
        // A role ARN built from a scanned role's name.
        let by_name = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::sym(Sym::ThisAccount, None),
            &Str::lit(":role/", None),
            &Str::sym(Sym::RoleName("m::aws_iam_role.r".into()), None),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Aws, &by_name),
            Principal::RoleRef {
                key: "m::aws_iam_role.r".into()
            }
        );
    }

    #[test]
    fn symbolic_federated_and_service() {
        let prov = Str::sym(
            Sym::Attr {
                resource: "aws_iam_openid_connect_provider.github".into(),
                attr: "arn".into(),
            },
            None,
        );
        assert_eq!(
            parse_principal(&PrincipalType::Federated, &prov),
            Principal::ProviderRef {
                resource: "aws_iam_openid_connect_provider.github".into(),
                host: None
            }
        );
        let cfn = Str::sym(
            Sym::Attr {
                resource: "AWS::IAM::OIDCProvider GithubOidc".into(),
                attr: "Arn".into(),
            },
            None,
        );
        assert!(matches!(
            parse_principal(&PrincipalType::Federated, &cfn),
            Principal::ProviderRef { .. }
        ));
        let other = Str::sym(
            Sym::Attr {
                resource: "aws_s3_bucket.b".into(),
                attr: "arn".into(),
            },
            None,
        );
        assert_eq!(
            parse_principal(&PrincipalType::Federated, &other),
            Principal::Unresolved
        );
        // `arn:${partition}:iam::${this}:oidc-provider/${replace(aws_iam_openid_connect_provider.x.url, …)}`
        let built = Str::concat([
            &Str::lit("arn:", None),
            &Str::sym(Sym::Partition, None),
            &Str::lit(":iam::", None),
            &Str::sym(Sym::ThisAccount, None),
            &Str::lit(":oidc-provider/", None),
            &Str::sym(
                Sym::Attr {
                    resource: "aws_iam_openid_connect_provider.eks".into(),
                    attr: "url".into(),
                },
                None,
            ),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Federated, &built),
            Principal::ProviderRef {
                resource: "aws_iam_openid_connect_provider.eks".into(),
                host: None
            }
        );
        let with_this = Str::concat([
            &Str::lit("arn:aws:iam::", None),
            &Str::sym(Sym::ThisAccount, None),
            &Str::lit(":oidc-provider/token.actions.githubusercontent.com", None),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Federated, &with_this),
            Principal::Oidc {
                account: AccountRef::This,
                host: "token.actions.githubusercontent.com".into()
            }
        );
        let svc = Str::concat([&Str::lit("ec2.", None), &Str::sym(Sym::UrlSuffix, None)]);
        match parse_principal(&PrincipalType::Service, &svc) {
            Principal::Service { name, region, .. } => {
                assert_eq!(name, "ec2");
                assert_eq!(region, None);
            }
            other => panic!("{other:?}"),
        }
        let regional = Str::concat([
            &Str::lit("logs.", None),
            &Str::sym(Sym::Region, None),
            &Str::lit(".amazonaws.com", None),
        ]);
        match parse_principal(&PrincipalType::Service, &regional) {
            Principal::Service {
                name,
                region,
                suffix,
            } => {
                assert_eq!(name, "logs");
                assert_eq!(region.as_deref(), Some("<the region>"));
                assert_eq!(suffix, "amazonaws.com");
            }
            other => panic!("{other:?}"),
        }
        let misplaced = Str::sym(Sym::RoleArn("m::aws_iam_role.r".into()), None);
        for kind in [PrincipalType::Service, PrincipalType::Federated] {
            match parse_principal(&kind, &misplaced) {
                Principal::Invalid { reason } => {
                    assert!(reason.contains("belongs under \"AWS\""), "{reason}")
                }
                other => panic!("{other:?}"),
            }
        }
        let unknown_svc = Str::concat([
            &Str::unknown(Unknown::new("var.svc", "no value", None)),
            &Str::lit(".amazonaws.com", None),
        ]);
        assert_eq!(
            parse_principal(&PrincipalType::Service, &unknown_svc),
            Principal::Unresolved
        );
    }

    #[test]
    fn account_span_is_the_account_digits() {
        let e = PrincipalEntry::new(
            PrincipalType::Aws,
            Str::lit("arn:aws:iam::123456789012:root", sp(100, 130)),
            vec![],
        );
        assert_eq!(e.account_span(), sp(113, 125));
        let bare = PrincipalEntry::new(
            PrincipalType::Aws,
            Str::lit("123456789012", sp(5, 17)),
            vec![],
        );
        assert_eq!(bare.account_span(), sp(5, 17));
        assert_eq!(bare.principal.describe(), "account 123456789012");
    }

    #[test]
    fn helpers() {
        assert!(is_region("us-east-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(is_region("cn-northwest-1"));
        assert!(!is_region("eks"));
        assert!(!is_region("us-east"));
        assert!(is_unique_id("AROAJQABLZS4A3QDU576Q"));
        assert!(!is_unique_id("AROA123"));
        assert!(!is_unique_id("arOAJQABLZS4A3QDU576Q"));
        assert!(is_partition("aws-iso-f"));
        assert!(!is_partition("aws-foo"));
    }
}
