module "iam_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role"
  version = "6.0.0"

  trusted_arn = "arn:aws:iam::123123123123:role/ci"
}

module "not_downloaded" {
  source = "terraform-aws-modules/kms/aws"
}

resource "aws_iam_role" "uses_outputs" {
  name = "uses-outputs"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = [module.iam_role.arn, module.not_downloaded.key_arn] }
    }]
  })
}
