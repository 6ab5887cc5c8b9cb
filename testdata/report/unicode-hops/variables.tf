variable "partner" {
  description = "Compte du partenaire"
  type        = string
}
