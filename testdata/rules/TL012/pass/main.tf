data "aws_iam_policy_document" "vendor" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::464622532012:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

variable "external_id" {
  type    = string
  default = "4f2a9c"
}

resource "aws_iam_role" "vendor" {
  name               = "datadog"
  assume_role_policy = data.aws_iam_policy_document.vendor.json
}
