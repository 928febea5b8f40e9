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

output "repository_url" {
  description = "ECR repository of the application's images, shared by every environment."
  value       = module.registry.repository_url
}

output "repository_arn" {
  description = "ARN of the application's ECR repository."
  value       = module.registry.repository_arn
}

output "build_cache_repository_url" {
  description = "ECR repository of the BuildKit registry cache that the image build reads and writes."
  value       = module.build_cache.repository_url
}
