module "a" {
  source = "../a"
}

output "arn" {
  value = module.a.arn
}
