variable "external" {
  type = bool
}

resource "aws_iam_role" "cond" {
  name = "cond"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.external ? "arn:aws:iam::111111111111:root" : "arn:aws:iam::222222222222:root" }
    }]
  })
}
