# Runs with `terraform test` after `terraform init`; the mock provider needs the AWS provider's
# schema but no credentials.
mock_provider "aws" {}

variables {
  name            = "quiz-backend-testing"
  container_name  = "quiz-backend"
  container_image = "123456789012.dkr.ecr.ap-south-1.amazonaws.com/quiz-backend-testing:bootstrap"
  environment_variables = {
    CMS_SERVICE_ENDPOINT = "https://staging-new-cms.avantifellows.org"
  }
  secrets = {
    MONGO_AUTH_CREDENTIALS = "arn:aws:ssm:ap-south-1:123456789012:parameter/quiz-backend-testing/MONGO_AUTH_CREDENTIALS"
  }
  repository_arn                  = "arn:aws:ecr:ap-south-1:123456789012:repository/quiz-backend"
  desired_count                   = 1
  autoscaling                     = { min_capacity = 1, max_capacity = 2 }
  vpc_id                          = "vpc-0123456789abcdef0"
  subnet_ids                      = ["subnet-0aa11bb22cc33dd44"]
  target_group_arn                = "arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz-backend-testing/0123456789abcdef"
  load_balancer_security_group_id = "sg-0123456789abcdef0"
}

run "secrets_as_value_from" {
  command = plan

  assert {
    condition = jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].secrets == [
      { name = "MONGO_AUTH_CREDENTIALS", valueFrom = "arn:aws:ssm:ap-south-1:123456789012:parameter/quiz-backend-testing/MONGO_AUTH_CREDENTIALS" },
    ]
    error_message = "Secrets must reach the container as valueFrom references."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.bootstrap.container_definitions)[0].environment == [{ name = "CMS_SERVICE_ENDPOINT", value = "https://staging-new-cms.avantifellows.org" }]
    error_message = "Only the plain environment variables may be environment values."
  }
}

run "circuit_breaker_and_capacity_providers" {
  command = plan

  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].enable && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "Deployments must use the circuit breaker with rollback."
  }

  assert {
    condition     = [for item in aws_ecs_service.this.capacity_provider_strategy : item.capacity_provider] == ["FARGATE"]
    error_message = "By default the service must run on the FARGATE capacity provider."
  }
}

run "empty_strategy_keeps_launch_type" {
  command = plan

  variables {
    capacity_provider_strategy = []
  }

  assert {
    condition     = aws_ecs_service.this.launch_type == "FARGATE"
    error_message = "An empty capacity provider strategy must keep the FARGATE launch type."
  }
}

run "credential_name_rejected" {
  command = plan

  variables {
    environment_variables = { MONGO_URI = "mongodb+srv://example" }
  }

  expect_failures = [var.environment_variables]
}

run "scale_to_zero_schedule" {
  command = plan

  variables {
    autoscaling = {
      min_capacity = 1
      max_capacity = 2
      scale_to_zero = {
        stop_schedule  = "cron(0 21 ? * MON-FRI *)"
        start_schedule = "cron(0 8 ? * MON-FRI *)"
      }
    }
  }

  assert {
    condition     = tostring(aws_appautoscaling_scheduled_action.stop[0].scalable_target_action[0].max_capacity) == "0"
    error_message = "The stop action must set the range to 0..0."
  }

  assert {
    condition     = tostring(aws_appautoscaling_scheduled_action.start[0].scalable_target_action[0].min_capacity) == "1"
    error_message = "The start action must restore the configured minimum."
  }
}
