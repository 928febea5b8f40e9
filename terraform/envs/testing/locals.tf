# Settings of the testing environment. Everything else is the same in every environment.
locals {
  environment       = "testing"
  region            = "ap-south-1"
  name              = "quiz-backend-${local.environment}"
  github_repository = "avantifellows/quiz-backend"
  domain_name       = "quiz-backend-testing.avantifellows.org"
  account_id        = data.aws_caller_identity.current.account_id

  # Registry: CI may move a tag such as `testing` to a new image.
  image_tag_mutability = "MUTABLE"

  # Images are built and pushed here first, so there is no repository to promote from.
  source_repository_arns = []

  # Load balancer
  enable_deletion_protection = false
  container_port             = 8000
  deregistration_delay       = 5

  # Service: one task, on Fargate Spot because an interruption in testing costs little.
  desired_count              = 1
  autoscaling                = { min_capacity = 1, max_capacity = 2 }
  capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]
  enable_execute_command     = true
  log_retention_in_days      = 7

  container_environment = {
    CMS_SERVICE_ENDPOINT = "https://staging-new-cms.avantifellows.org"
  }

  # SSM SecureString parameters, created outside Terraform so that no value passes through it.
  container_secrets = {
    MONGO_AUTH_CREDENTIALS = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/MONGO_AUTH_CREDENTIALS"
    CMS_SERVICE_TOKEN      = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/CMS_SERVICE_TOKEN"
  }
}
