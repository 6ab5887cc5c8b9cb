#!/usr/bin/env python3
"""Writes the plan fixtures under testdata/plan/: for each case, the Terraform source (`tf/main.tf`, or
`main.tf` next to the plan for `same_dir`) and the plan Terraform 1.9 makes of it with `terraform show -json`
(format 1.2: variables, planned_values, resource_changes with after/after_unknown, prior_state with the data
sources read during planning, configuration with expressions and references).

The plans are written the way Terraform writes them: policy strings are `jsonencode` output (keys sorted,
minified), `data.aws_iam_policy_document` JSON is indented, and `<`, `>`, `&` are escaped as `\\u003c`,
`\\u003e`, `\\u0026` (Go's encoder). They are pretty-printed (as `terraform show -json | jq .` does) so line
numbers in tests mean something; `same_dir/plan.json` is minified like raw `terraform show -json` output.

Run from the repository root: `python3 testdata/plan/gen_fixtures.py`.
"""

import json
import os

ACCOUNT = "111122223333"
HERE = os.path.dirname(os.path.abspath(__file__))
PROVIDER = "registry.terraform.io/hashicorp/aws"


def go_json(obj, indent=None):
    """JSON as Go's encoder writes it (HTML characters escaped)."""
    if indent is None:
        s = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    else:
        s = json.dumps(obj, indent=indent, ensure_ascii=False)
    return s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def jsonencode(obj):
    """Terraform's jsonencode: object keys sorted, minified."""
    return go_json(sort_keys(obj))


def sort_keys(o):
    if isinstance(o, dict):
        return {k: sort_keys(o[k]) for k in sorted(o)}
    if isinstance(o, list):
        return [sort_keys(x) for x in o]
    return o


def ref(*refs):
    return {"references": list(refs)}


def const(v):
    return {"constant_value": v}


CALLER = ref("data.aws_caller_identity.current.account_id", "data.aws_caller_identity.current")


class Res:
    def __init__(self, type_, name, values, exprs, unknown=None, data=False, index=None, module=None,
                 after_override=None):
        self.type = type_
        self.name = name
        self.values = values
        self.exprs = exprs
        self.unknown = unknown or {}
        self.data = data
        self.index = index
        self.module = module

    def address(self):
        a = ("data." if self.data else "") + f"{self.type}.{self.name}"
        if self.index is not None:
            a += "[" + json.dumps(self.index) + "]"
        return (self.module + "." if self.module else "") + a

    def config_address(self):
        return ("data." if self.data else "") + f"{self.type}.{self.name}"


def role(name, policy, exprs=None, unknown_policy=False, tags=None, max_session=3600, index=None,
         module=None, inline=None, tf_name=None, policy_exprs=None):
    values = {
        "description": None,
        "force_detach_policies": False,
        "max_session_duration": max_session,
        "name": name,
        "path": "/",
        "permissions_boundary": None,
        "tags": tags,
        "tags_all": tags or {},
    }
    if not unknown_policy:
        values["assume_role_policy"] = policy if isinstance(policy, str) else jsonencode(policy)
    unknown = {"arn": True, "create_date": True, "id": True, "managed_policy_arns": True,
               "name_prefix": True, "unique_id": True, "tags_all": {}}
    if unknown_policy:
        unknown["assume_role_policy"] = True
    if inline:
        values["inline_policy"] = [{"name": n, "policy": jsonencode(p)} for n, p in inline]
        unknown["inline_policy"] = [{} for _ in inline]
    else:
        unknown["inline_policy"] = True
    e = {"assume_role_policy": policy_exprs if policy_exprs is not None else {},
         "name": const(name) if tf_name is None else tf_name}
    if tags:
        e["tags"] = const(tags)
    if max_session != 3600:
        e["max_session_duration"] = const(max_session)
    if inline:
        e["inline_policy"] = [{"name": const(n), "policy": {}} for n, _ in inline]
    if exprs:
        e.update(exprs)
    return Res("aws_iam_role", tf_name_of(name) if index is None else module_res_name(name), values, e,
               unknown, index=index, module=module)


def tf_name_of(name):
    return name.replace("-", "_")


def module_res_name(name):
    return "this"


def caller():
    return Res("aws_caller_identity", "current",
               {"account_id": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/ci", "id": ACCOUNT,
                "user_id": "AIDAQEXAMPLEEXAMPLE1"}, {}, data=True)


def plan(resources, variables=None, module_calls=None, indent=2):
    managed = [r for r in resources if not r.data]
    data = [r for r in resources if r.data]

    def pv_entry(r):
        d = {"address": r.address(), "mode": "data" if r.data else "managed", "type": r.type,
             "name": r.name}
        if r.index is not None:
            d["index"] = r.index
        d.update({"provider_name": PROVIDER, "schema_version": 0, "values": sort_keys(r.values),
                  "sensitive_values": {}})
        return d

    def module_tree(rs):
        root = {"resources": [pv_entry(r) for r in rs if not r.module]}
        mods = sorted({r.module for r in rs if r.module})
        if mods:
            root["child_modules"] = [{"resources": [pv_entry(r) for r in rs if r.module == m],
                                      "address": m} for m in mods]
        return root

    rc = []
    for r in managed + [d for d in data if d.unknown]:
        e = {"address": r.address()}
        if r.module:
            e["module_address"] = r.module
        e.update({"mode": "data" if r.data else "managed", "type": r.type, "name": r.name})
        if r.index is not None:
            e["index"] = r.index
        e.update({"provider_name": PROVIDER,
                  "change": {"actions": ["read"] if r.data else ["create"], "before": None,
                             "after": sort_keys(r.values), "after_unknown": sort_keys(r.unknown),
                             "before_sensitive": False,
                             "after_sensitive": {}}})
        if r.data:
            e["action_reason"] = "read_because_dependency_pending"
        rc.append(e)

    def config_module(rs, calls):
        seen = []
        out = []
        for r in rs:
            if r.config_address() in seen:
                continue
            seen.append(r.config_address())
            out.append({"address": r.config_address(), "mode": "data" if r.data else "managed",
                        "type": r.type, "name": r.name, "provider_config_key": "aws",
                        "expressions": sort_keys(r.exprs), "schema_version": 0})
        m = {"resources": out}
        if calls:
            m["module_calls"] = calls
        return m

    root_rs = [r for r in resources if not r.module]
    calls = {}
    for name, (source, exprs, extra) in (module_calls or {}).items():
        rs = [r for r in resources if r.module and r.module.split("[")[0] == f"module.{name}"]
        call = {"source": source, "expressions": exprs, "module": config_module(rs, None)}
        call.update(extra)
        calls[name] = call
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "variables": {k: {"value": v} for k, v in (variables or {}).items()},
        "planned_values": {"root_module": module_tree([r for r in managed]
                                                      + [d for d in data if d.unknown])},
        "resource_changes": rc,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.9.5",
                        "values": {"root_module": module_tree([d for d in data if not d.unknown])}},
        "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
                          "root_module": config_module(root_rs, calls)},
        "timestamp": "2026-11-25T10:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    if not doc["variables"]:
        del doc["variables"]
    return go_json(doc, indent=indent) + "\n"


HEADER = '''terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

data "aws_caller_identity" "current" {}
'''


def trust(principal, action="sts:AssumeRole", condition=None, extra=None):
    st = {"Action": action, "Effect": "Allow", "Principal": principal}
    if condition:
        st["Condition"] = condition
    if extra:
        st.update(extra)
    return {"Statement": [st], "Version": "2012-10-17"}


def this(arn_rest):
    return f"arn:aws:iam::{ACCOUNT}:{arn_rest}"


CASES = {}

# TL001: a role trusts another IAM role (written with the caller identity in .tf, a literal in the plan).
CASES["TL001"] = (HEADER + '''
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci" }
    }]
  })
}
''', [caller(), role("deploy", trust({"AWS": this("role/ci")}), policy_exprs=CALLER)])

# TL002: reachable only by chaining, yet a session duration above one hour.
CASES["TL002"] = (HEADER + '''
resource "aws_iam_role" "chained" {
  name                 = "chained"
  max_session_duration = 7200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/ci" }
    }]
  })
}
''', [caller(), role("chained", trust({"AWS": this("role/ci")}), max_session=7200, policy_exprs=CALLER)])

# TL010 (and TL013): an account that is not listed anywhere.
CASES["TL010"] = (HEADER + '''
resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::999988887777:root" }
      Condition = { StringEquals = { "sts:ExternalId" = "vendor<ext>&1" } }
    }]
  })
}
''', [caller(), role("vendor", trust({"AWS": "arn:aws:iam::999988887777:root"},
                                       condition={"StringEquals": {"sts:ExternalId": "vendor<ext>&1"}}))])

# TL011: everyone.
CASES["TL011"] = (HEADER + '''
resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}
''', [caller(), role("open", trust({"AWS": "*"}))])

# TL012: a third party (configured as such) without an external ID.
CASES["TL012"] = (HEADER + '''
resource "aws_iam_role" "datadog" {
  name = "datadog-integration"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::464622532012:root" }
    }]
  })
}
''', [caller(), role("datadog-integration", trust({"AWS": "arn:aws:iam::464622532012:root"}))])
# (The Terraform name is datadog; the role name differs.)
CASES["TL012"][1][1].name = "datadog"

# TL013: a trusted account as a whole, no aws:PrincipalArn.
CASES["TL013"] = (HEADER + '''
resource "aws_iam_role" "shared" {
  name = "shared"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "444455556666" }
    }]
  })
}
''', [caller(), role("shared", trust({"AWS": "444455556666"}))])

# TL014: NotPrincipal.
CASES["TL014"] = (HEADER + '''
resource "aws_iam_role" "inverted" {
  name = "inverted"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect       = "Allow"
      Action       = "sts:AssumeRole"
      NotPrincipal = { AWS = "arn:aws:iam::444455556666:root" }
    }]
  })
}
''', [caller(), role("inverted", {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                   "NotPrincipal": {"AWS": "arn:aws:iam::444455556666:root"}}],
                                   "Version": "2012-10-17"})])

# TL015: a Resource element in a trust policy.
CASES["TL015"] = (HEADER + '''
resource "aws_iam_role" "invalid" {
  name = "invalid"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
      Resource  = "*"
    }]
  })
}
''', [caller(), role("invalid", trust({"Service": "ec2.amazonaws.com"}, extra={"Resource": "*"}))])

# TL020: two services.
CASES["TL020"] = (HEADER + '''
resource "aws_iam_role" "multi" {
  name = "multi"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["ec2.amazonaws.com", "lambda.amazonaws.com"] }
    }]
  })
}
''', [caller(), role("multi", trust({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}))])

# TL021: a service and an account.
CASES["TL021"] = (HEADER + '''
resource "aws_iam_role" "mixed" {
  name = "mixed"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {
        Service = "ecs-tasks.amazonaws.com"
        AWS     = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
      }
    }]
  })
}
''', [caller(), role("mixed", trust({"AWS": this("root"), "Service": "ecs-tasks.amazonaws.com"}),
                     policy_exprs=CALLER)])

GH = "token.actions.githubusercontent.com"

# TL040: GitHub OIDC whose subject pattern admits other organisations (acme* matches acme-evil).
CASES["TL040"] = (HEADER + '''
resource "aws_iam_role" "github" {
  name = "github-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:acme*" }
      }
    }]
  })
}
''', [caller(), role("github-deploy", trust({"Federated": this(f"oidc-provider/{GH}")},
                                             action="sts:AssumeRoleWithWebIdentity",
                                             condition={"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                                                        "StringLike": {f"{GH}:sub": "repo:acme*"}}),
                     policy_exprs=CALLER)])
CASES["TL040"][1][1].name = "github"

# TL041: OIDC without an audience condition.
CASES["TL041"] = (HEADER + '''
resource "aws_iam_role" "github" {
  name = "github-noaud"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" }
      }
    }]
  })
}
''', [caller(), role("github-noaud", trust({"Federated": this(f"oidc-provider/{GH}")},
                                            action="sts:AssumeRoleWithWebIdentity",
                                            condition={"StringEquals": {
                                                f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}}),
                     policy_exprs=CALLER)])
CASES["TL041"][1][1].name = "github"

# TL050: the required tag "owner" is missing.
CASES["TL050"] = (HEADER + '''
resource "aws_iam_role" "untagged" {
  name = "untagged"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
  tags = {
    team = "platform"
  }
}
''', [caller(), role("untagged", trust({"Service": "ec2.amazonaws.com"}), tags={"team": "platform"})])

# TL900: a principal that is not a valid account ID.
CASES["TL900"] = (HEADER + '''
resource "aws_iam_role" "typo" {
  name = "typo"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "12345678901" }
    }]
  })
}
''', [caller(), role("typo", trust({"AWS": "12345678901"}))])

# TL901: a trust policy that references a role created in the same plan: unknown until apply in the plan.
CASES["TL901"] = (HEADER + '''
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = aws_iam_role.ci.arn }
    }]
  })
}
''', [caller(), role("ci", trust({"Service": "codebuild.amazonaws.com"})),
      role("deploy", None, unknown_policy=True, policy_exprs=ref("aws_iam_role.ci.arn", "aws_iam_role.ci"))])


def data_doc_values(statements, json_text):
    v = {"id": "1234567890", "override_json": None, "override_policy_documents": None, "policy_id": None,
         "source_json": None, "source_policy_documents": None, "statement": statements, "version": "2012-10-17"}
    if json_text is not None:
        v["json"] = json_text
        v["minified_json"] = json.dumps(json.loads(json_text), separators=(",", ":"))
    return v


def stmt(actions, principals, conditions=(), effect="Allow", sid=""):
    return {"actions": actions, "condition": list(conditions), "effect": effect, "not_actions": [],
            "not_principals": [], "not_resources": [], "principals": principals, "resources": [], "sid": sid}


# IRSA: a role whose trust comes from a data source that Terraform can only read during apply, because the
# EKS cluster (and so the OIDC provider's URL and ARN) is created in the same plan. The document is rebuilt from
# the planned statement blocks; the provider's ARN is that provider (symbolic), the condition key built from its
# URL is unknown and named.
DEFERRED_TF = HEADER + """
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/eks-cluster"
  vpc_config {
    subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  }
}

resource "aws_iam_openid_connect_provider" "eks" {
  url             = aws_eks_cluster.main.identity[0].oidc[0].issuer
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
}

data "aws_iam_policy_document" "irsa" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(aws_iam_openid_connect_provider.eks.url, "https://", "")}:sub"
      values   = ["system:serviceaccount:kube-system:aws-node"]
    }
  }
}

resource "aws_iam_role" "vpc_cni" {
  name               = "vpc-cni"
  assume_role_policy = data.aws_iam_policy_document.irsa.json
}
"""

OIDC_URL = ref("aws_iam_openid_connect_provider.eks.url", "aws_iam_openid_connect_provider.eks")


def deferred():
    oidc = Res("aws_iam_openid_connect_provider", "eks",
               {"client_id_list": ["sts.amazonaws.com"], "tags": None,
                "thumbprint_list": ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]},
               {"client_id_list": const(["sts.amazonaws.com"]),
                "thumbprint_list": const(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]),
                "url": ref("aws_eks_cluster.main.identity[0].oidc[0].issuer", "aws_eks_cluster.main.identity[0].oidc[0]",
                           "aws_eks_cluster.main.identity[0]", "aws_eks_cluster.main.identity", "aws_eks_cluster.main")},
               {"arn": True, "id": True, "tags_all": True, "url": True})
    st = stmt(["sts:AssumeRoleWithWebIdentity"], [{"identifiers": [None], "type": "Federated"}],
              [{"test": "StringEquals", "values": ["system:serviceaccount:kube-system:aws-node"], "variable": None}])
    doc = Res("aws_iam_policy_document", "irsa", data_doc_values([st], None),
              {"statement": [{"actions": const(["sts:AssumeRoleWithWebIdentity"]),
                              "condition": [{"test": const("StringEquals"),
                                             "values": const(["system:serviceaccount:kube-system:aws-node"]),
                                             "variable": OIDC_URL}],
                              "principals": [{"identifiers": ref("aws_iam_openid_connect_provider.eks.arn",
                                                                 "aws_iam_openid_connect_provider.eks"),
                                              "type": const("Federated")}]}]},
              {"id": True, "json": True, "minified_json": True,
               "statement": [{"actions": [False], "condition": [{"values": [False], "variable": True}],
                              "principals": [{"identifiers": [True]}]}]},
              data=True)
    r = role("vpc-cni", None, unknown_policy=True,
             policy_exprs=ref("data.aws_iam_policy_document.irsa.json", "data.aws_iam_policy_document.irsa"))
    r.name = "vpc_cni"
    return [caller(), oidc, doc, r]


# The same roles in main.tf and plan.json of one directory; the offending account comes from a variable.
SAME_DIR_TF = HEADER + '''
variable "partner_account" {
  type    = string
  default = "999988887777"
}

resource "aws_iam_role" "partner" {
  name = "partner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${var.partner_account}:root" }
    }]
  })
}

resource "aws_iam_role" "app" {
  for_each = toset(["api", "worker"])
  name     = "app-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"] }
    }]
  })
}
'''


def same_dir():
    partner = role("partner", trust({"AWS": "arn:aws:iam::999988887777:root"}),
                   policy_exprs=ref("var.partner_account"))
    apps = []
    for k in ["api", "worker"]:
        r = role(f"app-{k}", trust({"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]}),
                 tf_name=ref("each.key"))
        r.name = "app"
        r.index = k
        apps.append(r)
    return [caller(), partner] + apps


# Roles from a local module called twice with for_each; the trust policy comes in through a module variable
# (its value is in the plan, the .tf source has it as a literal in the call).
MODULES_TF = HEADER + '''
module "role" {
  source   = "./modules/role"
  for_each = { ci = "arn:aws:iam::999988887777:root", ops = "arn:aws:iam::444455556666:root" }
  name     = each.key
  trusted  = each.value
}
'''

MODULE_ROLE_TF = '''variable "name" {
  type = string
}

variable "trusted" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.trusted }
    }]
  })
}
'''


def modules():
    out = [caller()]
    for k, acct in [("ci", "999988887777"), ("ops", "444455556666")]:
        r = role(k, trust({"AWS": f"arn:aws:iam::{acct}:root"}), tf_name=ref("var.name"),
                 policy_exprs=ref("var.trusted"))
        r.name = "this"
        r.module = f'module.role["{k}"]'
        out.append(r)
    return out


# The account comes from a variable set only at plan time (`-var` in CI): the .tf source alone cannot know it,
# the plan does, and the finding goes to the .tf expression that received it.
PLAN_VAR_TF = HEADER + """
variable "partner_account" {
  type = string
}

resource "aws_iam_role" "partner" {
  name = "partner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${var.partner_account}:root" }
    }]
  })
}
"""


def plan_var():
    return [caller(), role("partner", trust({"AWS": "arn:aws:iam::999988887777:root"}),
                           policy_exprs=ref("var.partner_account"))]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    for case, (tf, resources) in CASES.items():
        write(os.path.join(HERE, "rules", case, "tf", "main.tf"), tf)
        write(os.path.join(HERE, "rules", case, "plan.json"), plan(resources))
    write(os.path.join(HERE, "deferred_data_source", "tf", "main.tf"), DEFERRED_TF)
    write(os.path.join(HERE, "deferred_data_source", "plan.json"), plan(deferred()))
    write(os.path.join(HERE, "same_dir", "main.tf"), SAME_DIR_TF)
    write(os.path.join(HERE, "same_dir", "plan.json"), plan(same_dir(), indent=None))
    write(os.path.join(HERE, "modules", "main.tf"), MODULES_TF)
    write(os.path.join(HERE, "modules", "modules", "role", "main.tf"), MODULE_ROLE_TF)
    write(os.path.join(HERE, "modules", "plan.json"),
          plan(modules(), module_calls={"role": ("./modules/role",
                                                 {"name": ref("each.key"), "trusted": ref("each.value")},
                                                 {"for_each_expression": const({"ci": "arn:aws:iam::999988887777:root",
                                                                                "ops": "arn:aws:iam::444455556666:root"})})}))
    write(os.path.join(HERE, "plan_time_variable", "main.tf"), PLAN_VAR_TF)
    write(os.path.join(HERE, "plan_time_variable", "plan.json"),
          plan(plan_var(), variables={"partner_account": "999988887777"}))
    # A plan cut short: TL900 at the end of the file, nothing else.
    full = plan(CASES["TL011"][1])
    write(os.path.join(HERE, "truncated", "plan.json"), full[: len(full) // 2])


if __name__ == "__main__":
    main()
