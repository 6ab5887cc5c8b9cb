resource "aws_iam_role" "app" {
  name = "app"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
  inline_policy {
    name = "inline"
    policy = jsonencode({
      Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.target.arn }]
    })
  }
  managed_policy_arns  = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  permissions_boundary = "arn:aws:iam::123456789012:policy/boundary"
}

resource "aws_iam_role" "target" {
  name_prefix = "target-"
  path        = "/team/"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = aws_iam_user.alice.arn }
    }]
  })
}

resource "aws_iam_role_policy" "by_reference" {
  name = "by-reference"
  role = aws_iam_role.target.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:ListBucket", Resource = "*" }]
  })
}

resource "aws_iam_role_policy" "by_name" {
  name = "by-name"
  role = "app"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}

resource "aws_iam_role_policy" "elsewhere" {
  name = "elsewhere"
  role = "not-scanned"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]
  })
}

resource "aws_iam_user" "alice" {
  name = "alice"
  path = "/people/"
}

resource "aws_iam_user_policy" "alice" {
  user = aws_iam_user.alice.name
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.target.arn }]
  })
}

resource "aws_iam_group" "devs" {
  name = "devs"
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.alice.name]
}

resource "aws_iam_group_policy" "devs" {
  group = aws_iam_group.devs.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = "*" }]
  })
}

resource "aws_iam_policy" "assume" {
  name = "assume"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.app.arn }]
  })
}

resource "aws_iam_role_policy_attachment" "target_assume" {
  role       = aws_iam_role.target.name
  policy_arn = aws_iam_policy.assume.arn
}

resource "aws_iam_group_policy_attachment" "devs_assume" {
  group      = aws_iam_group.devs.name
  policy_arn = aws_iam_policy.assume.arn
}

resource "aws_iam_policy_attachment" "many" {
  name       = "many"
  users      = [aws_iam_user.alice.name]
  roles      = ["app"]
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_instance_profile" "app" {
  name = "app"
  role = aws_iam_role.app.name
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "oidc" {
  name = "oidc"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "${replace(aws_iam_openid_connect_provider.github.url, "https://", "")}:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}
