variable "ci_account" {
  type = string
}
