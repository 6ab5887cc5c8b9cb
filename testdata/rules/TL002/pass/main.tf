# Sessions of an EC2 instance profile are not chained: the 12-hour setting takes effect.
resource "aws_iam_role" "instance" {
  name               = "instance"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_instance_profile" "instance" {
  name = "instance"
  role = aws_iam_role.instance.name
}

resource "aws_iam_role" "batch" {
  name                 = "batch"
  max_session_duration = 43200
  assume_role_policy   = data.aws_iam_policy_document.batch.json
}

data "aws_iam_policy_document" "batch" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.instance.arn]
    }
  }
}

# Chained only, but within the one-hour cap.
resource "aws_iam_role" "short" {
  name                 = "short"
  max_session_duration = 3600
  assume_role_policy   = data.aws_iam_policy_document.batch.json
}
