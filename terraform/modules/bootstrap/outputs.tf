output "state_bucket_name" {
  description = "Name of the state bucket, the `bucket` of every root's S3 backend."
  value       = aws_s3_bucket.state.id
}

output "state_bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.state.arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider, or null when this module did not create it."
  value       = one(aws_iam_openid_connect_provider.github[*].arn)
}
