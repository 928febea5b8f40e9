output "repository_url" {
  description = "ECR repository, shared by every environment, in which CI tags the image it deployed here."
  value       = data.aws_ecr_repository.application.repository_url
}

output "cluster_name" {
  description = "ECS cluster of the service."
  value       = module.service.cluster_name
}

output "service_name" {
  description = "ECS service that CI deploys."
  value       = module.service.service_name
}

output "container_name" {
  description = "Container whose image CI replaces in each new revision."
  value       = module.service.container_name
}

output "task_definition_family" {
  description = "Task definition family of the service."
  value       = module.service.task_definition_family
}

output "log_group_name" {
  description = "CloudWatch Logs group of the containers."
  value       = module.service.log_group_name
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer, the target of the proxied Cloudflare record."
  value       = module.load_balancer.dns_name
}

output "target_group_arn" {
  description = "Target group that the smoke test reads target health from."
  value       = module.load_balancer.target_group_arn
}

output "deploy_role_arn" {
  description = "Role that the GitHub Environment's jobs assume through OIDC."
  value       = module.deploy_role.role_arn
}
