{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::${account}:root", "Service": "${service}"},
    "Action": "sts:AssumeRole"
  }]
}
