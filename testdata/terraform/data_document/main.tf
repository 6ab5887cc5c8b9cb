variable "trusted_accounts" {
  default = ["111111111111", "222222222222"]
}

variable "services" {
  default = { ecs = "ecs-tasks.amazonaws.com" }
}

data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Base"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
  statement {
    sid     = "Replace"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::999999999999:root"]
    }
  }
}

data "aws_iam_policy_document" "override" {
  statement {
    sid     = "Replace"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::333333333333:root"]
    }
  }
}

data "aws_iam_policy_document" "trust" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.override.json]

  dynamic "statement" {
    for_each = var.trusted_accounts
    content {
      sid     = "Account${statement.key}"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${statement.value}:root"]
      }
      condition {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = ["ext-${statement.key}"]
      }
    }
  }

  statement {
    actions = ["sts:AssumeRole"]
    dynamic "principals" {
      for_each = var.services
      content {
        type        = "Service"
        identifiers = [principals.value]
      }
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

# Not used by any role: analysed on its own.
data "aws_iam_policy_document" "library_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

# A permissions policy: not a trust document.
data "aws_iam_policy_document" "permissions" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
