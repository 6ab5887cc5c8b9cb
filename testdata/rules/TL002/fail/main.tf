resource "aws_iam_role" "pipeline" {
  name               = "pipeline"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }] })
}

resource "aws_iam_role" "release" {
  name                 = "release"
  max_session_duration = 43200 # expect: TL002
  assume_role_policy   = data.aws_iam_policy_document.release.json
}

data "aws_iam_policy_document" "release" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.pipeline.arn]
    }
  }
}
