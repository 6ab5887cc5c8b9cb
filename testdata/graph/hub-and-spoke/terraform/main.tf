# Hub and spoke: an operator user may assume the hub role; the hub's managed policy allows role/spoke-*;
# every spoke trusts the account. "audit" also trusts the account but is not a spoke.
#
# Expected: ops → hub → spoke-<name> reported by TL003 on each spoke's trust entry (certain chains); the
# hub cannot reach audit.

data "aws_caller_identity" "current" {}

variable "spokes" {
  type    = list(string)
  default = ["network", "security", "billing"]
}

locals {
  account_root = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
}

resource "aws_iam_user" "ops" {
  name = "ops"
}

resource "aws_iam_user_policy" "ops_assume_hub" {
  name = "assume-hub"
  user = aws_iam_user.ops.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = aws_iam_role.hub.arn
    }]
  })
}

resource "aws_iam_role" "hub" {
  name = "hub"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.account_root }
    }]
  })
}

resource "aws_iam_policy" "assume_spokes" {
  name = "assume-spokes"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sts:AssumeRole", "sts:TagSession"]
      Resource = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/spoke-*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "hub_assume_spokes" {
  role       = aws_iam_role.hub.name
  policy_arn = aws_iam_policy.assume_spokes.arn
}

resource "aws_iam_role" "spoke" {
  for_each = toset(var.spokes)
  name     = "spoke-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.account_root }
    }]
  })
}

resource "aws_iam_role" "audit" {
  name = "audit"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = local.account_root }
    }]
  })
}
