resource "aws_iam_role" "legacy" {
  name               = "legacy"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "NotPrincipal": { "AWS": "arn:aws:iam::111111111111:user/mallory" }
  }]
}
EOF
}
