data "aws_iam_policy_document" "vendor" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::464622532012:root"] # expect: TL012
    }
  }
}

resource "aws_iam_role" "vendor" {
  name               = "datadog"
  assume_role_policy = data.aws_iam_policy_document.vendor.json
}
