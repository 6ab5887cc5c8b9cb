variable "trusted_arn" {
  type = string
}

resource "aws_iam_role" "this" {
  name = "downloaded"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.trusted_arn }
    }]
  })
}

output "arn" {
  value = aws_iam_role.this.arn
}
