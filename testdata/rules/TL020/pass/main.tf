# Lambda@Edge needs both principals.
resource "aws_iam_role" "edge" {
  name = "edge"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }
    }]
  })
}

# Allowed by configuration.
resource "aws_iam_role" "batch" {
  name = "batch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"] }
    }]
  })
}
