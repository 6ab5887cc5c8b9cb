module "ci" {
  source          = "./modules/role"
  name            = "ci"
  trusted_account = "444444444444"
}

resource "aws_iam_role" "consumer" {
  name = "consumer"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = module.ci.role_arn }
    }]
  })
}
