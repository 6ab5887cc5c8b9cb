data "aws_caller_identity" "current" {}

resource "aws_iam_role" "role_a" {
  name               = "RoleA"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })

  inline_policy {
    name = "assume-allowed-path"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect   = "Allow"
        Action   = "sts:AssumeRole"
        Resource = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/allowed-roles-path/*"
      }]
    })
  }
}

# RoleD lives under the allowed path: RoleA's own policy already lets it in.
resource "aws_iam_role" "role_d" {
  name = "RoleD"
  path = "/allowed-roles-path/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = aws_iam_role.role_a.arn }
    }]
  })
}
