variable "trusted_role_arn" {
  type    = string
  default = "arn:aws:iam::111111111111:role/producer"
}

resource "aws_iam_role" "consumer" {
  name = "consumer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.trusted_role_arn }
    }]
  })
}
