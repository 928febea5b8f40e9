data "aws_region" "current" {}

locals {
  log_group_name = "/ecs/${var.name}"

  ssm_parameter_arns = distinct([for arn in values(var.secrets) : arn if strcontains(arn, ":ssm:")])

  # A Secrets Manager valueFrom may append ":json-key:version-stage:version-id" to the secret
  # ARN, but IAM authorizes the secret ARN itself: its first seven ":"-separated fields.
  secretsmanager_secret_arns = distinct([
    for arn in values(var.secrets) : join(":", slice(split(":", arn), 0, 7)) if strcontains(arn, ":secretsmanager:")
  ])

  container_definition = merge(
    {
      name      = var.container_name
      image     = var.container_image
      essential = true

      portMappings = [
        {
          containerPort = var.container_port
          hostPort      = var.container_port
          protocol      = "tcp"
        }
      ]

      environment = [for name, value in var.environment_variables : { name = name, value = value }]
      secrets     = [for name, arn in var.secrets : { name = name, valueFrom = arn }]

      # An init process reaps the zombie processes that ECS Exec sessions leave behind.
      linuxParameters = { initProcessEnabled = true }

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.this.name
          "awslogs-region"        = data.aws_region.current.region
          "awslogs-stream-prefix" = "ecs"
        }
      }
    },
    var.container_health_check_command == null ? {} : {
      healthCheck = {
        command     = var.container_health_check_command
        interval    = 10
        timeout     = 5
        retries     = 3
        startPeriod = min(var.health_check_grace_period_seconds, 300) # ECS accepts at most 300 s
      }
    },
  )
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  tags = var.tags
}

# Both Fargate providers are always attached, so switching the service between them is a
# change to its strategy and never to the cluster.
resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts the group at rest with its own key; the application logs no credentials, which reach the container as secrets.
  #checkov:skip=CKV_AWS_338:Retention is an environment setting (7 to 90 days here), chosen for cost; a year of debug logs has no reader.

  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days

  tags = var.tags
}

data "aws_iam_policy_document" "ecs_tasks_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# The task execution role is what ECS itself uses to start a task: pull the image, create the
# log stream and resolve the secrets.
resource "aws_iam_role" "task_execution" {
  name               = coalesce(var.task_execution_role_name, "${var.name}-task-execution")
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume_role.json

  tags = var.tags
}

data "aws_iam_policy_document" "task_execution" {
  statement {
    sid       = "EcrAuthorization"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = concat([var.repository_arn], var.previous_repository_arns)
  }

  statement {
    sid       = "LogsWrite"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = length(local.ssm_parameter_arns) > 0 ? [local.ssm_parameter_arns] : []

    content {
      sid       = "SsmParameterRead"
      actions   = ["ssm:GetParameters"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(local.secretsmanager_secret_arns) > 0 ? [local.secretsmanager_secret_arns] : []

    content {
      sid       = "SecretsManagerRead"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(var.secrets_kms_key_arns) > 0 ? [var.secrets_kms_key_arns] : []

    content {
      sid       = "SecretsDecrypt"
      actions   = ["kms:Decrypt"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values = [
          "ssm.${data.aws_region.current.region}.amazonaws.com",
          "secretsmanager.${data.aws_region.current.region}.amazonaws.com",
        ]
      }
    }
  }
}

resource "aws_iam_role_policy" "task_execution" {
  name   = "task-execution"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

# The task role is what the application's own AWS calls use. It starts without permissions.
resource "aws_iam_role" "task" {
  name               = coalesce(var.task_role_name, "${var.name}-task")
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume_role.json

  tags = var.tags
}

data "aws_iam_policy_document" "execute_command" {
  statement {
    sid = "EcsExecChannels"
    actions = [
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "execute_command" {
  count = var.enable_execute_command ? 1 : 0

  name   = "execute-command"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.execute_command.json
}

# Terraform registers this revision once, to create the service. CI registers every later
# revision from the one the service runs, and the service ignores task_definition, so edits
# here do not reach the running service. skip_destroy keeps the revision registered when
# Terraform replaces it, because a deployment may still roll back to it.
resource "aws_ecs_task_definition" "bootstrap" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.task_execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode([local.container_definition])
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  tags = var.tags
}

# Inline rules are authoritative: an apply revokes rules added outside this module. They also
# match the inline rules of the hand-written roots this module replaces, so adopting their
# security group changes no rule.
resource "aws_security_group" "tasks" {
  #checkov:skip=CKV_AWS_382:Tasks reach ECR, CloudWatch Logs, SSM and MongoDB Atlas at addresses that change, from a default VPC with neither NAT gateway nor VPC endpoints to pin them.

  name        = coalesce(var.security_group_name, "${var.name}-tasks")
  description = coalesce(var.security_group_description, "Tasks of ${var.name}: container port from the load balancer only")
  vpc_id      = var.vpc_id

  ingress {
    description     = "Container port from the load balancer"
    protocol        = "tcp"
    from_port       = var.container_port
    to_port         = var.container_port
    security_groups = [var.load_balancer_security_group_id]
  }

  # Tasks reach ECR, CloudWatch Logs, SSM, Secrets Manager and the database (MongoDB Atlas)
  # over the internet, on addresses that are not fixed.
  egress {
    description = "All outbound traffic"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = merge(var.tags, { Name = coalesce(var.security_group_name, "${var.name}-tasks") })
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = aws_ecs_cluster.this.arn
  task_definition = aws_ecs_task_definition.bootstrap.arn
  desired_count   = var.desired_count

  # With an empty strategy the service keeps the FARGATE launch type of services created
  # before capacity providers: switching an existing service from a launch type to a strategy
  # may replace it with some provider versions, so adopting one keeps its launch type.
  launch_type = length(var.capacity_provider_strategy) == 0 ? "FARGATE" : null

  dynamic "capacity_provider_strategy" {
    for_each = var.capacity_provider_strategy

    content {
      capacity_provider = capacity_provider_strategy.value.capacity_provider
      weight            = capacity_provider_strategy.value.weight
      base              = capacity_provider_strategy.value.base
    }
  }

  # The provider changes capacity_provider_strategy in place only with force_new_deployment.
  # The deployment it starts runs the current revision, because task_definition is ignored.
  force_new_deployment = true
  platform_version     = "LATEST"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = var.assign_public_ip
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = var.container_name
    container_port   = var.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  deployment_minimum_healthy_percent = var.deployment_minimum_healthy_percent
  deployment_maximum_percent         = var.deployment_maximum_percent
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds
  enable_execute_command             = var.enable_execute_command
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  tags = var.tags

  # CI owns the task definition revision and deployments and autoscaling own the task count.
  # Without this, an apply would roll the service back to the bootstrap revision.
  lifecycle {
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [
    aws_ecs_cluster_capacity_providers.this,
    aws_iam_role_policy.task_execution,
  ]
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = var.autoscaling.min_capacity
  max_capacity       = var.autoscaling.max_capacity

  tags = var.tags

  # An external scheduler may change the capacity range, for example before an exam.
  lifecycle {
    ignore_changes = [min_capacity, max_capacity]
  }
}

locals {
  target_tracking = {
    for key, policy in {
      cpu = {
        target = var.autoscaling.cpu_target_percent
        metric = "ECSServiceAverageCPUUtilization"
        label  = null
      }
      memory = {
        target = var.autoscaling.memory_target_percent
        metric = "ECSServiceAverageMemoryUtilization"
        label  = null
      }
      requests = {
        target = var.autoscaling.requests_per_target
        metric = "ALBRequestCountPerTarget"
        label  = var.load_balancer_resource_label
      }
    } : key => policy if policy.target != null
  }
}

resource "aws_appautoscaling_policy" "target_tracking" {
  for_each = local.target_tracking

  name               = "${var.name}-${each.key}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = each.value.target
    scale_in_cooldown  = var.autoscaling.scale_in_cooldown
    scale_out_cooldown = var.autoscaling.scale_out_cooldown

    predefined_metric_specification {
      predefined_metric_type = each.value.metric
      resource_label         = each.value.label
    }
  }
}

# The first version of this module had a single CPU policy at this address.
moved {
  from = aws_appautoscaling_policy.cpu
  to   = aws_appautoscaling_policy.target_tracking["cpu"]
}

# Scale to zero outside working hours: the stop action sets the range to 0..0, the start action
# restores the configured range. The target ignores min and max, so these changes are no drift.
resource "aws_appautoscaling_scheduled_action" "stop" {
  count = var.autoscaling.scale_to_zero == null ? 0 : 1

  name               = "${var.name}-scale-to-zero"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id
  schedule           = var.autoscaling.scale_to_zero.stop_schedule
  timezone           = var.autoscaling.scale_to_zero.timezone

  scalable_target_action {
    min_capacity = 0
    max_capacity = 0
  }
}

resource "aws_appautoscaling_scheduled_action" "start" {
  count = var.autoscaling.scale_to_zero == null ? 0 : 1

  name               = "${var.name}-scale-up"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id
  schedule           = var.autoscaling.scale_to_zero.start_schedule
  timezone           = var.autoscaling.scale_to_zero.timezone

  scalable_target_action {
    min_capacity = var.autoscaling.min_capacity
    max_capacity = var.autoscaling.max_capacity
  }

  # Two scheduled actions on one target may not be written at the same time.
  depends_on = [aws_appautoscaling_scheduled_action.stop]
}
