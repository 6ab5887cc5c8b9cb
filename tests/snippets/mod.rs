//! Terraform snippets more than one integration test writes into a temporary tree.

/// A module split over two files: a local in one, the role that reads it in the other.
pub const MODULE_LOCALS: &str = "locals {\n  partner = \"999999999999\"\n}\n";
pub const MODULE_TRUST: &str = r#"resource "aws_iam_role" "vendor" {
  name = "vendor"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::${local.partner}:root" }
    }]
  })
}
"#;

/// A role any AWS principal may assume (TL011).
pub const WILDCARD_TF: &str = r#"resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}
"#;
