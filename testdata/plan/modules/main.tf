terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

data "aws_caller_identity" "current" {}

module "role" {
  source   = "./modules/role"
  for_each = { ci = "arn:aws:iam::999988887777:root", ops = "arn:aws:iam::444455556666:root" }
  name     = each.key
  trusted  = each.value
}
