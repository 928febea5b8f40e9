output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_arn" {
  description = "ARN of the ECS service (`arn:aws:ecs:<region>:<account>:service/<cluster>/<service>`)."
  value       = aws_ecs_service.this.arn
}

output "task_definition_family" {
  description = "Task definition family that CI registers new revisions in."
  value       = aws_ecs_task_definition.bootstrap.family
}

output "bootstrap_task_definition_arn" {
  description = "ARN of the revision Terraform registered to create the service. The service usually runs a later revision registered by CI."
  value       = aws_ecs_task_definition.bootstrap.arn
}

output "container_name" {
  description = "Name of the application container."
  value       = var.container_name
}

output "task_role_arn" {
  description = "ARN of the task role, used by the application's own AWS calls."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role, for attaching the application's permissions."
  value       = aws_iam_role.task.name
}

output "task_execution_role_arn" {
  description = "ARN of the task execution role, used by ECS to pull the image, write logs and resolve secrets."
  value       = aws_iam_role.task_execution.arn
}

output "log_group_name" {
  description = "Name of the CloudWatch Logs group of the containers."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the CloudWatch Logs group, without the trailing `:*`."
  value       = aws_cloudwatch_log_group.this.arn
}

output "security_group_id" {
  description = "ID of the tasks' security group."
  value       = aws_security_group.tasks.id
}
