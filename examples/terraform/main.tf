data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
}

# The CI pipeline role: trusted by an account nobody listed in trusted_accounts.
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${var.ci_account_id}:root" }
    }]
  })
  tags = { owner = "platform" }
}

# Reached only by chaining from "deploy": its 12-hour session setting cannot take effect.
resource "aws_iam_role" "release" {
  name                 = "release"
  max_session_duration = 43200
  assume_role_policy   = data.aws_iam_policy_document.release_trust.json
  tags                 = { owner = "platform" }
}

data "aws_iam_policy_document" "release_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.deploy.arn]
    }
  }
}

# A vendor integration without sts:ExternalId: the confused-deputy problem.
resource "aws_iam_role" "datadog" {
  name               = "datadog-integration"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": { "AWS": "arn:aws:iam::464622532012:root" }
    }
  ]
}
EOF
}

# GitHub Actions OIDC: "repo:acme*" also matches the organisation "acme-evil".
resource "aws_iam_role" "github" {
  name = "github-actions"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${local.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike   = { "token.actions.githubusercontent.com:sub" = "repo:${var.github_org}*" }
      }
    }]
  })
  tags = { owner = "platform" }
}

# One role for three services: a compromise of any of them reaches all three's permissions.
resource "aws_iam_role" "shared" {
  name = "shared-service-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRole"
      Principal = {
        Service = ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]
      }
    }]
  })
}

# A well-formed trust: this account, pinned to the organisation.
resource "aws_iam_role" "audit" {
  name = "audit"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root" }
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
  tags = { owner = "security" }
}
