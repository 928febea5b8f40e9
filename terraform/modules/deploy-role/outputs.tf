output "role_arn" {
  description = "ARN of the deploy role, the `role-to-assume` of `aws-actions/configure-aws-credentials`."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the deploy role."
  value       = aws_iam_role.this.name
}

output "oidc_subjects" {
  description = "The token subjects the trust policy admits: the classic form, and the immutable form when repository ids are given."
  value       = local.oidc_subjects
}
