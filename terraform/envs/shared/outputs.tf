output "state_bucket_name" {
  description = "Bucket of every root's S3 backend."
  value       = module.bootstrap.state_bucket_name
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider that the deploy roles trust."
  value       = module.bootstrap.github_oidc_provider_arn
}

output "ssl_ruleset_id" {
  description = "ID of the zone's configuration-rules entry point."
  value       = module.zone_ssl.ruleset_id
}
