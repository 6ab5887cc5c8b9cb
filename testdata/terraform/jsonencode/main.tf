locals {
  trusted = ["111111111111", "222222222222"]
}

resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = [for a in local.trusted : "arn:aws:iam::${a}:root"] }
      Action    = "sts:AssumeRole"
    }]
  })
  max_session_duration = 7200
  tags = {
    owner = "platform"
  }
}
