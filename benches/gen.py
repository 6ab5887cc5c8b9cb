#!/usr/bin/env python3
"""Generates trustlint's benchmark inputs (never committed: they are written under target/bench).

  gen.py monorepo DIR FILES   a Terraform monorepo of FILES files (5 per module): roles with every trust
                              document form, variables, locals, data sources and the non-IAM resources
                              that make up most real repositories
  gen.py plan FILE MEGABYTES  a `terraform show -json` plan of about MEGABYTES MB (minified, as Terraform
                              writes it) with planned_values, resource_changes, prior_state and
                              configuration; about one resource in twenty is IAM

Output is deterministic (no randomness), so runs are comparable.
"""

import json
import os
import sys


def module_files(i):
    acct = "%012d" % (100_000_000_000 + i)
    main = f'''data "aws_caller_identity" "current" {{}}

locals {{
  account_id = data.aws_caller_identity.current.account_id
  tags       = {{ owner = "team-{i}", service = "svc-{i}" }}
}}

resource "aws_iam_role" "app" {{
  name = "app-{i}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::${{var.peer_account}}:root" }}
      Condition = {{ StringEquals = {{ "sts:ExternalId" = "ext-{i}" }} }}
    }}]
  }})
  tags = local.tags
}}

resource "aws_iam_role" "worker" {{
  name               = "worker-{i}"
  assume_role_policy = data.aws_iam_policy_document.worker.json
}}

data "aws_iam_policy_document" "worker" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn, "arn:aws:iam::${{local.account_id}}:root"]
    }}
  }}
}}
'''
    variables = f'''variable "peer_account" {{
  type    = string
  default = "{acct}"
}}

variable "environment" {{
  type        = string
  description = "Deployment environment"
  default     = "prod"
}}

variable "cidr_blocks" {{
  type    = list(string)
  default = ["10.{i % 250}.0.0/16", "10.{i % 250}.1.0/24"]
}}
'''
    legacy = f'''resource "aws_iam_role" "legacy" {{
  name = "legacy-{i}"
  assume_role_policy = <<EOF
{{
  "Version": "2012-10-17",
  "Statement": [{{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {{"Service": "lambda.amazonaws.com"}}}}]
}}
EOF
}}

resource "aws_iam_role_policy" "legacy" {{
  role = aws_iam_role.legacy.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "${{aws_s3_bucket.data.arn}}/*" }}]
  }})
}}
'''
    storage = f'''resource "aws_s3_bucket" "data" {{
  bucket = "data-{i}-${{var.environment}}"
  tags   = local.tags
}}

resource "aws_s3_bucket_versioning" "data" {{
  bucket = aws_s3_bucket.data.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}

resource "aws_security_group" "app" {{
  name        = "app-{i}"
  description = "Application traffic"
  dynamic "ingress" {{
    for_each = var.cidr_blocks
    content {{
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
      cidr_blocks = [ingress.value]
    }}
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}

resource "aws_cloudwatch_log_group" "app" {{
  name              = "/app/{i}"
  retention_in_days = 30
}}

output "app_arn" {{
  value = aws_iam_role.app.arn
}}
'''
    versions = '''terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
'''
    return [
        ("main.tf", main),
        ("variables.tf", variables),
        ("legacy.tf", legacy),
        ("storage.tf", storage),
        ("versions.tf", versions),
    ]


def monorepo(root, files):
    modules = (files + 4) // 5
    for i in range(modules):
        d = os.path.join(root, "stacks", "team-%03d" % (i % 100), "svc-%d" % i)
        os.makedirs(d, exist_ok=True)
        for name, text in module_files(i):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
    return modules * 5


TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"Service": "ec2.amazonaws.com"}},
    ],
}


def role_values(m, r):
    trust = dict(TRUST)
    if r % 3 == 0:
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": "arn:aws:iam::%012d:root" % (200_000_000_000 + m)}}],
        }
    name = "role-%d-%d" % (m, r)
    return {
        "arn": "arn:aws:iam::123456789012:role/" + name,
        "assume_role_policy": json.dumps(trust, separators=(",", ":")),
        "description": "", "force_detach_policies": False, "id": name,
        "inline_policy": [], "managed_policy_arns": [], "max_session_duration": 3600,
        "name": name, "name_prefix": "", "path": "/", "permissions_boundary": None,
        "tags": {"owner": "team-%d" % (m % 50)}, "tags_all": {"owner": "team-%d" % (m % 50)},
        "unique_id": "AROA%016d" % (m * 1000 + r),
    }


def instance_values(m, r):
    # What most of a real plan is: large non-IAM resources with user data, tags and nested blocks.
    return {
        "ami": "ami-%017x" % (m * 1000 + r), "arn": None, "associate_public_ip_address": False,
        "availability_zone": "eu-west-1a", "instance_type": "m5.large",
        "user_data": ("#!/bin/bash\necho module %d resource %d\n" % (m, r)) * 40,
        "tags": {"Name": "i-%d-%d" % (m, r), "owner": "team-%d" % (m % 50), "cost": "cc-%d" % m},
        "root_block_device": [{"delete_on_termination": True, "encrypted": True, "volume_size": 50,
                               "volume_type": "gp3", "tags": None}],
        "ebs_block_device": [{"device_name": "/dev/sd%s" % c, "encrypted": True, "volume_size": 100}
                             for c in "fghij"],
        "vpc_security_group_ids": ["sg-%017x" % (m * 7 + k) for k in range(4)],
        "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required",
                              "http_put_response_hop_limit": 1}],
    }


def sg_values(m, r):
    return {
        "name": "sg-%d-%d" % (m, r), "description": "managed", "vpc_id": "vpc-%08x" % m,
        "ingress": [{"from_port": p, "to_port": p, "protocol": "tcp", "cidr_blocks": ["10.%d.%d.0/24" % (m % 250, k)],
                     "description": "port %d" % p, "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                     "security_groups": [], "self": False} for k, p in enumerate((22, 80, 443, 5432, 6379, 8080))],
        "egress": [{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
                    "description": "", "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                    "self": False}],
        "tags": {"owner": "team-%d" % (m % 50)},
    }


RES_PER_MODULE = 20


def resources_of(m):
    out = []
    for r in range(RES_PER_MODULE):
        if r == 0:
            ty, name, vals = "aws_iam_role", "role_%d" % r, role_values(m, r)
        elif r % 2:
            ty, name, vals = "aws_instance", "app_%d" % r, instance_values(m, r)
        else:
            ty, name, vals = "aws_security_group", "sg_%d" % r, sg_values(m, r)
        out.append((ty, name, vals))
    return out


def dumps(v):
    return json.dumps(v, separators=(",", ":"))


def plan(path, megabytes):
    target = megabytes * 1_000_000
    # One module's share of the file, measured once, decides how many modules to write.
    sample = module_chunks(0)
    per_module = sum(len(c) for part in sample for c in part)
    modules = max(1, target // per_module)
    with open(path, "w") as f:
        f.write('{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{"root_module":{"resources":[],"child_modules":[')
        write_part(f, modules, 0)
        f.write(']}},"resource_changes":[')
        write_part(f, modules, 1)
        f.write('],"prior_state":{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"child_modules":[')
        write_part(f, modules, 2)
        f.write(']}}},"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws"}},"root_module":{"module_calls":{')
        write_part(f, modules, 3)
        f.write("}}}}\n")
    return os.path.getsize(path)


def write_part(f, modules, part):
    for m in range(modules):
        if m:
            f.write(",")
        f.write(module_chunks(m)[part][0])


def module_chunks(m):
    addr = "module.svc_%d" % m
    planned, changes, prior, config = [], [], [], []
    for ty, name, vals in resources_of(m):
        a = "%s.%s.%s" % (addr, ty, name)
        planned.append({"address": a, "mode": "managed", "type": ty, "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                        "values": vals, "sensitive_values": {"tags": {}, "tags_all": {}}})
        changes.append({"address": a, "module_address": addr, "mode": "managed", "type": ty, "name": name,
                        "provider_name": "registry.terraform.io/hashicorp/aws",
                        "change": {"actions": ["update"], "before": vals, "after": vals,
                                   "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}})
        prior.append({"address": a, "mode": "managed", "type": ty, "name": name,
                      "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
                      "values": vals, "sensitive_values": {}})
        exprs = {k: {"constant_value": v} for k, v in vals.items() if isinstance(v, (str, int, bool))}
        config.append({"address": "%s.%s" % (ty, name), "mode": "managed", "type": ty, "name": name,
                       "provider_config_key": "aws", "expressions": exprs, "schema_version": 0})
    return (
        [dumps({"address": addr, "resources": planned})],
        [",".join(dumps(c) for c in changes)],
        [dumps({"address": addr, "resources": prior})],
        ['"svc_%d":%s' % (m, dumps({"source": "./modules/svc", "module": {"resources": config}}))],
    )


def main(argv):
    if len(argv) != 4 or argv[1] not in ("monorepo", "plan"):
        sys.stderr.write(__doc__)
        return 2
    if argv[1] == "monorepo":
        n = monorepo(argv[2], int(argv[3]))
        print("%d files" % n)
    else:
        n = plan(argv[2], int(argv[3]))
        print("%d bytes" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
