locals {
  a = local.b
  b = "${local.a}x"
}

module "b" {
  source = "../b"
}

resource "aws_iam_role" "loop" {
  name = "loop"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = [local.a, module.b.arn] }
    }]
  })
}

output "arn" {
  value = aws_iam_role.loop.arn
}
