resource "aws_iam_role" "escaped" {
  name               = "escaped"
  assume_role_policy = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::555555555555:root\"},\"Action\":\"sts:AssumeRole\"}]}"
}
