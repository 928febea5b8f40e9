# Settings of the prod environment. Everything else is the same in every environment.
locals {
  environment       = "prod"
  region            = "ap-south-1"
  name              = "quiz-backend-${local.environment}"
  github_repository = "avantifellows/quiz-backend"
  domain_name       = "quiz-backend.avantifellows.org"
  account_id        = data.aws_caller_identity.current.account_id

  # Registry: a tag, once pushed, always names the same image.
  image_tag_mutability = "IMMUTABLE"

  # The deploy role promotes images that passed staging from the staging repository.
  source_repository_arns = ["arn:aws:ecr:${local.region}:${local.account_id}:repository/quiz-backend-staging"]

  # Load balancer
  enable_deletion_protection = true
  container_port             = 8000
  deregistration_delay       = 30

  # Service: two tasks at least, so one can fail or be replaced while the other serves, on
  # on-demand Fargate only, and without shell access.
  desired_count              = 2
  autoscaling                = { min_capacity = 2, max_capacity = 6 }
  capacity_provider_strategy = [{ capacity_provider = "FARGATE", weight = 1 }]
  enable_execute_command     = false
  log_retention_in_days      = 90

  container_environment = {
    CMS_SERVICE_ENDPOINT = "https://new-cms.avantifellows.org"
  }

  # SSM SecureString parameters, created outside Terraform so that no value passes through it.
  container_secrets = {
    MONGO_AUTH_CREDENTIALS = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/MONGO_AUTH_CREDENTIALS"
    CMS_SERVICE_TOKEN      = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/CMS_SERVICE_TOKEN"
  }
}
