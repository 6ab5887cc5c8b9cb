resource "aws_iam_role" "broken_json" {
  name               = "broken-json"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": { "Service": "ec2.amazonaws.com" },
  }]
}
EOF
}
