//! The neutral model front ends produce: roles, users, groups, identity policies, trust documents.
//! Nothing after the front ends sees HCL or YAML.

use crate::policy::PolicyDocument;
use crate::source::Span;
use crate::value::{Guard, Str, Unknown, Value};

/// Which front end produced an item.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Frontend {
    Terraform,
    CloudFormation,
    Plan,
}

/// What every declared item has.
#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    /// Unique across the scan: `scope::address` (scope = module directory or template path), used by
    /// symbolic references ([`crate::value::Sym::RoleArn`]) and fingerprints.
    pub key: String,
    /// What reports show as `resource`: `module.ci.aws_iam_role.this["prod"]`, `DeployRole`, a plan address.
    pub address: String,
    /// The declaration (resource header / logical ID key); findings about absent attributes point here.
    pub span: Span,
    pub frontend: Frontend,
    /// The branches the item exists under (`count` from a variable's default, CloudFormation `Condition`).
    pub guards: Vec<Guard>,
}

/// A trust policy attached to a role.
#[derive(Clone, Debug, PartialEq)]
pub struct Trust {
    pub doc: PolicyDocument,
    /// The attribute that holds it (`assume_role_policy = …`, `AssumeRolePolicyDocument:`).
    pub attr_span: Option<Span>,
}

/// An identity policy attached inline or by reference.
#[derive(Clone, Debug, PartialEq)]
pub struct InlinePolicy {
    pub name: Option<Str>,
    pub doc: PolicyDocument,
    /// Where the policy is declared (an `inline_policy` block, an `aws_iam_role_policy` resource).
    pub decl: Decl,
}

/// An IAM role.
#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub decl: Decl,
    /// `name` / `RoleName`; `None` when AWS generates it.
    pub name: Option<Str>,
    /// `path` / `Path`; `None` means `/`.
    pub path: Option<Str>,
    pub trust: Option<Trust>,
    /// `max_session_duration` / `MaxSessionDuration` as written, with its attribute span.
    pub max_session_duration: Option<(Value, Span)>,
    /// Tags as written; `None` when the role has no tags attribute.
    pub tags: Option<Tags>,
    /// Inline identity policies (`inline_policy`, `aws_iam_role_policy`, `Policies`).
    pub inline_policies: Vec<InlinePolicy>,
    /// Managed policy ARNs attached (`managed_policy_arns`, attachments, `ManagedPolicyArns`).
    pub managed_policy_arns: Vec<Str>,
    /// `permissions_boundary` / `PermissionsBoundary`.
    pub permissions_boundary: Option<Str>,
    /// Unresolved parts of the role outside its documents (name, path).
    pub unknowns: Vec<Unknown>,
}

impl Role {
    /// Service-linked roles (path `/aws-service-role/…`) are AWS-managed and exempt from trust rules.
    pub fn is_service_linked(&self) -> bool {
        self.path
            .as_ref()
            .and_then(|p| p.as_known())
            .is_some_and(|p| p.starts_with("/aws-service-role/"))
    }

    /// The name for messages: the IAM name when known, else the address.
    pub fn display_name(&self) -> String {
        match self.name.as_ref().and_then(|n| n.as_known()) {
            Some(n) => n.to_string(),
            None => self.decl.address.clone(),
        }
    }
}

/// Tags of a role (keys only matter to rules).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Tags {
    pub keys: Vec<Str>,
    /// False when the tag map (or part of it) is unknown: a missing tag cannot be asserted.
    pub complete: bool,
    pub span: Option<Span>,
}

/// An IAM user.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub decl: Decl,
    pub name: Option<Str>,
    pub path: Option<Str>,
    pub inline_policies: Vec<InlinePolicy>,
    pub managed_policy_arns: Vec<Str>,
    /// Group names or symbolic group ARNs the user is a member of.
    pub groups: Vec<Str>,
}

/// An IAM group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub decl: Decl,
    pub name: Option<Str>,
    pub path: Option<Str>,
    pub inline_policies: Vec<InlinePolicy>,
    pub managed_policy_arns: Vec<Str>,
}

/// What a customer managed policy is attached to.
#[derive(Clone, Debug, PartialEq)]
pub enum AttachTarget {
    /// A role by name or symbolic reference (`Sym::RoleName`/`Sym::RoleArn`).
    Role(Str),
    User(Str),
    Group(Str),
}

/// A customer managed policy (`aws_iam_policy`, `AWS::IAM::ManagedPolicy`) or a standalone
/// `AWS::IAM::Policy`, with what it is attached to.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedPolicy {
    pub decl: Decl,
    pub name: Option<Str>,
    pub doc: PolicyDocument,
    pub attached_to: Vec<AttachTarget>,
}

/// A policy attachment declared separately (`aws_iam_role_policy_attachment` and friends).
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    pub decl: Decl,
    pub target: AttachTarget,
    pub policy_arn: Str,
}

/// A trust document that no scanned role uses (SPEC §1.1): analysed on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct StandaloneTrust {
    pub decl: Decl,
    pub doc: PolicyDocument,
}

/// An instance profile: the role's sessions come from EC2 (no chaining cap).
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceProfile {
    pub decl: Decl,
    /// The role, by name or symbolic reference.
    pub role: Str,
}

/// An OIDC identity provider declared in the scanned configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct OidcProvider {
    pub decl: Decl,
    /// The issuer URL as written (`https://token.actions.githubusercontent.com`).
    pub url: Option<Str>,
    pub client_ids: Vec<Str>,
}

/// Problems with scanned files: TL900 (parse errors, refused files) and TL901 (unresolved values outside
/// policy documents).
#[derive(Clone, Debug, PartialEq)]
pub enum Diagnostic {
    ParseError {
        message: String,
        span: Span,
        resource: Option<String>,
    },
    Unresolved {
        unknown: Unknown,
        span: Span,
        resource: Option<String>,
    },
}

/// Everything the front ends found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inventory {
    pub roles: Vec<Role>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub policies: Vec<ManagedPolicy>,
    pub attachments: Vec<Attachment>,
    pub standalone_trusts: Vec<StandaloneTrust>,
    pub instance_profiles: Vec<InstanceProfile>,
    pub oidc_providers: Vec<OidcProvider>,
    pub diagnostics: Vec<Diagnostic>,
    /// CloudFormation `Metadata.trustlint.ignore` entries.
    pub metadata_ignores: Vec<crate::suppress::MetadataIgnore>,
    /// Files a front end analysed (for stats).
    pub files: usize,
    pub(crate) role_index: RoleIndex,
}

/// Role positions by key, built on the first lookup once the inventory is complete; rules look roles up
/// per finding, and a scan per lookup would make them quadratic in the number of roles.
#[derive(Clone, Debug, Default)]
pub(crate) struct RoleIndex(std::sync::OnceLock<foldhash::HashMap<String, usize>>);

/// A cache: inventories are equal whether or not it has been built.
impl PartialEq for RoleIndex {
    fn eq(&self, _: &RoleIndex) -> bool {
        true
    }
}

impl Inventory {
    pub fn extend(&mut self, other: Inventory) {
        self.roles.extend(other.roles);
        self.users.extend(other.users);
        self.groups.extend(other.groups);
        self.policies.extend(other.policies);
        self.attachments.extend(other.attachments);
        self.standalone_trusts.extend(other.standalone_trusts);
        self.instance_profiles.extend(other.instance_profiles);
        self.oidc_providers.extend(other.oidc_providers);
        self.diagnostics.extend(other.diagnostics);
        self.metadata_ignores.extend(other.metadata_ignores);
        self.files += other.files;
    }

    pub fn role_by_key(&self, key: &str) -> Option<&Role> {
        let index = self.role_index.0.get_or_init(|| {
            let mut m = foldhash::HashMap::default();
            for (i, r) in self.roles.iter().enumerate() {
                // The first role of a key wins, as a scan in order would find it.
                m.entry(r.decl.key.clone()).or_insert(i);
            }
            m
        });
        match index.get(key).and_then(|&i| self.roles.get(i)) {
            Some(r) if r.decl.key == key => Some(r),
            // Roles changed after the index was built: the index is only a shortcut.
            _ => self.roles.iter().find(|r| r.decl.key == key),
        }
    }
}
