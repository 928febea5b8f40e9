# Settings of the staging environment. Everything else is the same in every environment.
locals {
  environment       = "staging"
  region            = "ap-south-1"
  name              = "quiz-backend-${local.environment}"
  github_repository = "avantifellows/quiz-backend"
  domain_name       = "quiz-backend-staging.avantifellows.org"
  account_id        = data.aws_caller_identity.current.account_id

  # Registry
  image_tag_mutability = "MUTABLE"

  # The deploy role promotes images that passed testing from the testing repository.
  source_repository_arns = ["arn:aws:ecr:${local.region}:${local.account_id}:repository/quiz-backend-testing"]

  # Load balancer
  enable_deletion_protection = false
  container_port             = 8000
  deregistration_delay       = 15

  # Service
  desired_count              = 1
  autoscaling                = { min_capacity = 1, max_capacity = 4 }
  capacity_provider_strategy = [{ capacity_provider = "FARGATE", weight = 1 }]
  enable_execute_command     = true
  log_retention_in_days      = 14

  container_environment = {
    CMS_SERVICE_ENDPOINT = "https://staging-new-cms.avantifellows.org"
  }

  # SSM SecureString parameters, created outside Terraform so that no value passes through it.
  container_secrets = {
    MONGO_AUTH_CREDENTIALS = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/MONGO_AUTH_CREDENTIALS"
    CMS_SERVICE_TOKEN      = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/CMS_SERVICE_TOKEN"
  }
}
