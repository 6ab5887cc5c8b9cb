# Four-role example (aws-trust-semantics.md FR-B…FR-E): RoleA may assume only roles under
# /allowed-roles-path/. RoleB trusts the account, RoleC trusts RoleA directly, RoleD and RoleE live under
# the path and trust the account.
#
# Expected: RoleA can assume RoleC (trust names it: its identity policy is not consulted), RoleD and RoleE
# (account trust + identity Allow), and not RoleB (account trust, no identity Allow). TL030 on RoleC.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}

resource "aws_iam_role" "role_a" {
  name = "RoleA"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    }]
  })
}

resource "aws_iam_role_policy" "role_a_assume" {
  name = "assume-allowed-path"
  role = aws_iam_role.role_a.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = "arn:${local.partition}:iam::${local.account_id}:role/allowed-roles-path/*"
    }]
  })
}

resource "aws_iam_role" "role_b" {
  name = "RoleB"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    }]
  })
}

resource "aws_iam_role" "role_c" {
  name = "RoleC"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = aws_iam_role.role_a.arn }
    }]
  })
}

resource "aws_iam_role" "role_d" {
  name = "RoleD"
  path = "/allowed-roles-path/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    }]
  })
}

data "aws_iam_policy_document" "role_e_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [local.account_id]
    }
  }
}

resource "aws_iam_role" "role_e" {
  name               = "RoleE"
  path               = "/allowed-roles-path/"
  assume_role_policy = data.aws_iam_policy_document.role_e_trust.json
}
