variable "ci_account_id" {
  description = "Account that runs the CI pipelines"
  type        = string
  default     = "210987654321"
}

variable "github_org" {
  type    = string
  default = "acme"
}
