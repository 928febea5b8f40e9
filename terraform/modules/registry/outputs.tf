output "repository_name" {
  description = "Name of the ECR repository."
  value       = aws_ecr_repository.this.name
}

output "repository_arn" {
  description = "ARN of the ECR repository, for IAM policies that push or pull."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "Repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`), to which a tag or `@sha256:` digest is appended."
  value       = aws_ecr_repository.this.repository_url
}

output "registry_id" {
  description = "Account id of the registry that contains the repository."
  value       = aws_ecr_repository.this.registry_id
}
