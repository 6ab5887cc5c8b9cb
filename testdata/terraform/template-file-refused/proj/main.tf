data "template_file" "trust" {
  template = file("${path.module}/../policies/ec2_assume_policy.tpl")
}

resource "aws_iam_role" "ec2" {
  name               = "ec2"
  assume_role_policy = data.template_file.trust.rendered
}
