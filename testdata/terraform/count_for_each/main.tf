variable "envs" {
  default = {
    prod = "111111111111"
    dev  = "222222222222"
  }
}

variable "create_optional" {
  type    = bool
  default = false
}

resource "aws_iam_role" "env" {
  for_each = var.envs
  name     = "deploy-${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${each.value}:root" }
    }]
  })
}

resource "aws_iam_role" "counted" {
  count = 2
  name  = "counted-${count.index}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "optional" {
  count = var.create_optional ? 1 : 0
  name  = "optional"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}

resource "aws_iam_role" "set" {
  for_each = toset(["555555555555"])
  name     = "set-${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = each.value }
    }]
  })
}

resource "aws_iam_role" "chained" {
  name = "chained"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = [aws_iam_role.env["prod"].arn, aws_iam_role.counted[1].arn] }
    }]
  })
}
