variable "name" {
  type = string
}

variable "trusted_account" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${var.trusted_account}:root" }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
