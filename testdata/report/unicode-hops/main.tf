# Rôles de l'équipe données 🚀

resource "aws_iam_role" "ingest" {
  name = "ingestion-données"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::${var.partner}:root" } }]
  })
  tags = { owner = "données" }
}

resource "aws_iam_role" "etl" {
  name = "etl-😀"
  assume_role_policy = jsonencode({
    Statement = [{ Sid = "équipe😀", Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = aws_iam_role.ingest.arn } }]
  })
}
