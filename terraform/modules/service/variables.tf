variable "name" {
  description = "Name shared by the cluster, the service, the task definition family and the log group (`/ecs/<name>`), for example `quiz-backend-testing`. IAM role names append `-task` and `-task-execution`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]*$", var.name)) && length(var.name) <= 49
    error_message = "name must be 1 to 49 letters, digits, hyphens or underscores starting with a letter or digit, so that \"<name>-task-execution\" fits the 64-character IAM role name limit."
  }
}

variable "container_name" {
  description = "Name of the application container. CI finds the container to update by this name, and the load balancer sends traffic to it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$", var.container_name))
    error_message = "container_name must be 1 to 255 letters, digits, hyphens or underscores starting with a letter or digit."
  }
}

variable "container_image" {
  description = "Image of the bootstrap task definition revision, which Terraform registers once. CI registers every later revision from the one the service runs, so changing this later has no effect on the running service."
  type        = string

  validation {
    condition     = length(var.container_image) > 0 && !strcontains(var.container_image, " ")
    error_message = "container_image must be an image reference such as <registry>/<repository>:<tag> or <registry>/<repository>@sha256:<digest>."
  }
}

variable "container_port" {
  description = "TCP port on which the container listens."
  type        = number
  default     = 8000

  validation {
    condition     = var.container_port >= 1 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a whole number from 1 to 65535."
  }
}

variable "container_health_check_command" {
  description = "Container health check command in task definition form, for example `[\"CMD-SHELL\", \"curl -f http://localhost:8000/health || exit 1\"]`. Null leaves the container without a health check, so only the target group checks it."
  type        = list(string)
  default     = null

  validation {
    condition     = var.container_health_check_command == null || try(contains(["CMD", "CMD-SHELL"], var.container_health_check_command[0]), false)
    error_message = "container_health_check_command must start with \"CMD\" or \"CMD-SHELL\", or be null."
  }
}

variable "cpu" {
  description = "Task CPU units (1024 = 1 vCPU)."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  description = "Task memory in MiB. Fargate accepts only certain memory sizes for each CPU size."
  type        = number
  default     = 2048

  validation {
    condition     = var.memory >= 512 && var.memory <= 122880 && floor(var.memory) == var.memory
    error_message = "memory must be a whole number of MiB from 512 to 122880."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the image: `ARM64` (Graviton) or `X86_64`."
  type        = string
  default     = "ARM64"

  validation {
    condition     = contains(["ARM64", "X86_64"], var.cpu_architecture)
    error_message = "cpu_architecture must be ARM64 or X86_64."
  }
}

variable "environment_variables" {
  description = "Plain container environment variables, name to value. Values land in the task definition in clear text, so credentials go in `secrets` instead."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "environment_variables names must be letters, digits and underscores, not starting with a digit."
  }

  # Same name rule as terraform/tests/check_contracts.py.
  validation {
    condition     = !anytrue([for name in keys(var.environment_variables) : can(regex("(URI|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|(^|_)KEY(_|$))", upper(name)))])
    error_message = "environment_variables must not contain names that look like credentials (URI, TOKEN, SECRET, PASSWORD, KEY, CREDENTIALS); pass them through secrets as SSM parameter or Secrets Manager ARNs."
  }
}

variable "secrets" {
  description = "Container secrets, environment variable name to the full ARN of an SSM parameter or a Secrets Manager secret. A Secrets Manager ARN includes the 6-character suffix AWS adds to the name and may end in `:json-key:version-stage:version-id`. The task execution role may read exactly these parameters and secrets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "secrets names must be letters, digits and underscores, not starting with a digit."
  }

  validation {
    condition     = alltrue([for arn in values(var.secrets) : can(regex("^arn:aws[a-z-]*:(ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+|secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+)$", arn))])
    error_message = "secrets values must be full ARNs: arn:aws:ssm:<region>:<account>:parameter/<name> or arn:aws:secretsmanager:<region>:<account>:secret:<name>. Values themselves never go here."
  }
}

variable "secrets_kms_key_arns" {
  description = "ARNs of customer managed KMS keys that encrypt the secrets. Leave empty when they use the AWS managed keys."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", arn))])
    error_message = "secrets_kms_key_arns must contain KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>)."
  }
}

variable "repository_arn" {
  description = "ARN of the ECR repository from which the task execution role may pull the image, such as the application repository that every environment shares."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.repository_arn))
    error_message = "repository_arn must be an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)."
  }
}

variable "previous_repository_arns" {
  description = "ARNs of further ECR repositories from which the task execution role may pull: while a service moves to another repository, the revision it runs still names images in the old one, and ECS pulls them again for every new task. Remove an ARN once no running revision names that repository."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.previous_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", arn))])
    error_message = "previous_repository_arns must contain ECR repository ARNs (arn:aws:ecr:<region>:<account>:repository/<name>)."
  }
}

variable "desired_count" {
  description = "Number of tasks when the service is created. Later the autoscaling target and deployments own the count, and Terraform ignores it."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_count >= var.autoscaling.min_capacity && var.desired_count <= var.autoscaling.max_capacity && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number from autoscaling.min_capacity to autoscaling.max_capacity."
  }
}

variable "autoscaling" {
  description = <<-EOT
    Autoscaling of the task count. `min_capacity` and `max_capacity` are set at creation only,
    because an external scheduler may change them. Each `*_target` value that is not null adds
    a target-tracking policy: average CPU percent, average memory percent, or load balancer
    requests per task per minute (this one needs `load_balancer_resource_label`).
    `scale_to_zero` adds two scheduled actions: at `stop_schedule` the range becomes 0 to 0,
    at `start_schedule` it returns to min to max. Schedules are Application Auto Scaling
    expressions such as `cron(0 21 ? * MON-FRI *)`, read in `timezone`.
  EOT
  type = object({
    min_capacity          = number
    max_capacity          = number
    cpu_target_percent    = optional(number, 60)
    memory_target_percent = optional(number)
    requests_per_target   = optional(number)
    scale_in_cooldown     = optional(number, 300)
    scale_out_cooldown    = optional(number, 60)
    scale_to_zero = optional(object({
      stop_schedule  = string
      start_schedule = string
      timezone       = optional(string, "Asia/Kolkata")
    }))
  })

  validation {
    condition     = var.autoscaling.min_capacity >= 0 && var.autoscaling.min_capacity <= var.autoscaling.max_capacity
    error_message = "autoscaling.min_capacity must be at least 0 and no more than autoscaling.max_capacity."
  }

  validation {
    condition = alltrue([
      for percent in [var.autoscaling.cpu_target_percent, var.autoscaling.memory_target_percent] :
      percent == null ? true : (percent > 0 && percent <= 100)
    ])
    error_message = "autoscaling.cpu_target_percent and autoscaling.memory_target_percent must be above 0 and at most 100, or null."
  }

  validation {
    condition     = var.autoscaling.requests_per_target == null ? true : var.autoscaling.requests_per_target > 0
    error_message = "autoscaling.requests_per_target must be above 0, or null."
  }

  validation {
    condition     = var.autoscaling.scale_in_cooldown >= 0 && var.autoscaling.scale_out_cooldown >= 0
    error_message = "autoscaling.scale_in_cooldown and autoscaling.scale_out_cooldown must be at least 0 seconds."
  }

  validation {
    condition = var.autoscaling.scale_to_zero == null ? true : alltrue([
      for schedule in [var.autoscaling.scale_to_zero.stop_schedule, var.autoscaling.scale_to_zero.start_schedule] :
      can(regex("^(cron|rate|at)\\(.+\\)$", schedule))
    ])
    error_message = "autoscaling.scale_to_zero schedules must be cron(...), rate(...) or at(...) expressions."
  }
}

variable "load_balancer_resource_label" {
  description = "Label of the load balancer and target group for the requests-per-target policy: `<load balancer ARN suffix>/<target group ARN suffix>`, that is `app/<lb-name>/<id>/targetgroup/<tg-name>/<id>`. Needed only when `autoscaling.requests_per_target` is set."
  type        = string
  default     = null

  validation {
    condition     = var.load_balancer_resource_label == null || can(regex("^app/[^/]+/[^/]+/targetgroup/[^/]+/[^/]+$", coalesce(var.load_balancer_resource_label, "-")))
    error_message = "load_balancer_resource_label must look like app/<lb-name>/<id>/targetgroup/<tg-name>/<id>."
  }

  validation {
    condition     = var.autoscaling.requests_per_target == null || var.load_balancer_resource_label != null
    error_message = "load_balancer_resource_label is required when autoscaling.requests_per_target is set: the policy counts the requests of that target group."
  }
}

variable "capacity_provider_strategy" {
  description = "Fargate capacity providers the service spreads its tasks over: `FARGATE`, `FARGATE_SPOT`, or both with weights. `base` tasks are placed on that provider first. Fargate Spot tasks can be stopped with two minutes' notice. An empty list uses the `FARGATE` launch type instead, as services created without capacity providers do."
  type = list(object({
    capacity_provider = string
    weight            = number
    base              = optional(number, 0)
  }))
  default = [{ capacity_provider = "FARGATE", weight = 1 }]

  validation {
    condition     = alltrue([for item in var.capacity_provider_strategy : contains(["FARGATE", "FARGATE_SPOT"], item.capacity_provider)])
    error_message = "capacity_provider_strategy may list FARGATE and FARGATE_SPOT, and nothing else."
  }

  validation {
    condition     = length(var.capacity_provider_strategy) == 0 || (sum(concat([0], [for item in var.capacity_provider_strategy : item.weight])) > 0 && length([for item in var.capacity_provider_strategy : item if item.base > 0]) <= 1)
    error_message = "capacity_provider_strategy needs a weight above 0 on at least one provider, and at most one provider may set base."
  }
}

variable "enable_execute_command" {
  description = "Whether ECS Exec may open a shell in the running tasks. It also gives the task role the SSM Messages permissions that ECS Exec needs."
  type        = bool
  default     = false
}

variable "health_check_grace_period_seconds" {
  description = "Seconds after a task starts during which ECS ignores failing load balancer health checks."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 2147483647
    error_message = "health_check_grace_period_seconds must be at least 0."
  }
}

variable "deployment_minimum_healthy_percent" {
  description = "Lower limit, in percent of the desired count, of healthy tasks kept during a deployment."
  type        = number
  default     = 100

  validation {
    condition     = var.deployment_minimum_healthy_percent >= 0 && var.deployment_minimum_healthy_percent <= 100
    error_message = "deployment_minimum_healthy_percent must be 0 to 100."
  }
}

variable "deployment_maximum_percent" {
  description = "Upper limit, in percent of the desired count, of tasks running during a deployment."
  type        = number
  default     = 200

  validation {
    condition     = var.deployment_maximum_percent >= 100 && var.deployment_maximum_percent <= 200
    error_message = "deployment_maximum_percent must be 100 to 200."
  }
}

variable "log_retention_in_days" {
  description = "Days CloudWatch Logs keeps the container logs."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "container_insights" {
  description = "Container Insights level of the cluster: `enhanced`, `enabled` or `disabled`."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enhanced", "enabled", "disabled"], var.container_insights)
    error_message = "container_insights must be enhanced, enabled or disabled."
  }
}

variable "vpc_id" {
  description = "ID of the VPC of the tasks' security group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnet IDs in which the tasks run."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must list at least one subnet ID (subnet-...)."
  }
}

variable "assign_public_ip" {
  description = "Whether tasks get a public IP. Tasks in public subnets without a NAT gateway need one to reach ECR, CloudWatch Logs and the database."
  type        = bool
  default     = false
}

variable "target_group_arn" {
  description = "ARN of the load balancer target group (target type ip) in which the service registers its tasks."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/.+$", var.target_group_arn))
    error_message = "target_group_arn must be a target group ARN (arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>)."
  }
}

variable "load_balancer_security_group_id" {
  description = "ID of the load balancer's security group, the only source admitted on the container port."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.load_balancer_security_group_id))
    error_message = "load_balancer_security_group_id must look like sg-0123456789abcdef0."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}

variable "task_role_name" {
  description = "Name of the task role. Null uses `<name>-task`. Revisions that CI registers keep naming the role they were rendered from, so an adopted role must keep its name."
  type        = string
  default     = null
}

variable "task_execution_role_name" {
  description = "Name of the task execution role. Null uses `<name>-task-execution`. Keep the current name when adopting an existing role, for the same reason as `task_role_name`."
  type        = string
  default     = null
}

variable "security_group_name" {
  description = "Name of the tasks' security group. Null uses `<name>-tasks`. A security group's name and description cannot change in place, so set both to the current values when adopting an existing group."
  type        = string
  default     = null
}

variable "security_group_description" {
  description = "Description of the tasks' security group. Null uses a description naming the service."
  type        = string
  default     = null
}
