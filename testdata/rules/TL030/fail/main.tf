data "aws_caller_identity" "current" {}

resource "aws_iam_role" "role_a" {
  name               = "RoleA"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })

  # RoleA may only assume roles under /allowed-roles-path/ ...
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

# ... but RoleC names RoleA directly, and in the same account that alone lets RoleA in.
resource "aws_iam_role" "role_c" {
  name = "RoleC"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = aws_iam_role.role_a.arn } # expect: TL030
    }]
  })
}
