variable "ci_account" {
  type = string
}

variable "audit_account" {
  type    = string
  default = "000000000000"
}

variable "json_account" {
  type = string
}
