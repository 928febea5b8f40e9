# Settings of the staging environment. Everything else is the same in every environment.
locals {
  environment          = "staging"
  region               = "ap-south-1"
  name                 = "quiz-backend-${local.environment}"
  github_repository    = "avantifellows/quiz-backend"
  cloudflare_zone_name = "avantifellows.org"
  domain_name          = "quiz-backend-staging.avantifellows.org"
  account_id           = data.aws_caller_identity.current.account_id

  # The repository predates immutable OIDC subjects; once its admins opt in, set its ids here:
  # { owner_id = "...", repository_id = "..." } (gh api repos/avantifellows/quiz-backend).
  github_repository_ids = null

  # Images: the application repository and the build cache that every environment shares,
  # created by envs/shared. Each deploy tags the digest that passed here with the environment's
  # name in that repository.
  repository_name             = "quiz-backend"
  build_cache_repository_name = "quiz-backend-cache"

  # Staging deploys the digest that testing built and passed; it never builds.
  builds_images = false

  # Staging is new, so no running revision names another repository.
  previous_repository_names = []

  # Load balancer
  enable_deletion_protection = false
  container_port             = 8000
  deregistration_delay       = 15
  target_group_name          = local.name

  # Service: new, so it starts on capacity providers, with Fargate Spot for the tasks above one.
  desired_count = 1
  autoscaling = {
    min_capacity          = 1
    max_capacity          = 4
    cpu_target_percent    = 60
    memory_target_percent = 75
  }
  capacity_provider_strategy = [
    { capacity_provider = "FARGATE", weight = 1, base = 1 },
    { capacity_provider = "FARGATE_SPOT", weight = 1 },
  ]
  enable_execute_command = true
  log_retention_in_days  = 14

  container_environment = {
    CMS_SERVICE_ENDPOINT = "https://staging-new-cms.avantifellows.org"
  }

  # Staging has no earlier resources to adopt, so the modules' own names apply.
  legacy_names = {
    alb_security_group               = null
    alb_security_group_description   = null
    tasks_security_group             = null
    tasks_security_group_description = null
    task_role                        = null
    task_execution_role              = null
  }

  # SSM SecureString parameters, created outside Terraform so that no value passes through it.
  container_secrets = {
    MONGO_AUTH_CREDENTIALS = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/MONGO_AUTH_CREDENTIALS"
    CMS_SERVICE_TOKEN      = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/CMS_SERVICE_TOKEN"
  }
}
