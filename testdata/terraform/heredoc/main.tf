data "aws_caller_identity" "current" {}

resource "aws_iam_role" "plain" {
  name = "plain"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
    "Action": "sts:AssumeRole"
  }]
}
EOF
}

resource "aws_iam_role" "indented" {
  name = "indented"
  assume_role_policy = <<-EOT
    {
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"},
        "Action": "sts:AssumeRole"
      }]
    }
    EOT
}
