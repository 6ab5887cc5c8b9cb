resource "aws_iam_role" "escape" {
  name               = "escape"
  assume_role_policy = file("../secret.json")
}

resource "aws_iam_role" "passwd" {
  name               = "passwd"
  assume_role_policy = file("/etc/passwd")
}
