# Settings of the prod environment. Everything else is the same in every environment.
locals {
  environment          = "prod"
  region               = "ap-south-1"
  name                 = "quiz-backend-${local.environment}"
  github_repository    = "avantifellows/quiz-backend"
  cloudflare_zone_name = "avantifellows.org"
  domain_name          = "quiz-backend.avantifellows.org"
  account_id           = data.aws_caller_identity.current.account_id

  # The repository predates immutable OIDC subjects; once its admins opt in, set its ids here:
  # { owner_id = "...", repository_id = "..." } (gh api repos/avantifellows/quiz-backend).
  github_repository_ids = null

  # Images: the application repository and the build cache that every environment shares,
  # created by envs/shared. Each deploy tags the digest that passed here with the environment's
  # name in that repository.
  repository_name             = "quiz-backend"
  build_cache_repository_name = "quiz-backend-cache"

  # Prod deploys the digest that staging ran; it never builds.
  builds_images = false

  # The revision that runs now names an image in quiz-backend-prod, the repository of the
  # hand-written root. New tasks pull it again until the first deploy from quiz-backend, so the
  # task execution role keeps pull access there; empty this list after that deploy.
  previous_repository_names = ["quiz-backend-prod"]

  # Load balancer
  enable_deletion_protection = true
  container_port             = 8000
  deregistration_delay       = 30
  target_group_name          = local.name

  # Service: two tasks at least, spread over the default subnets' zones, so one can fail or be
  # replaced while the other serves; on-demand Fargate only, and without shell access.
  desired_count = 2
  autoscaling = {
    min_capacity        = 2
    max_capacity        = 6
    cpu_target_percent  = 60
    requests_per_target = 1000
  }
  # Empty: keeps the FARGATE launch type the service was created with (see testing/locals.tf).
  capacity_provider_strategy = []
  enable_execute_command     = false
  log_retention_in_days      = 90

  container_environment = {
    CMS_SERVICE_ENDPOINT = "https://new-cms.avantifellows.org"
  }

  # Names and descriptions of the resources the hand-written root created. A security group's
  # name and description, and a role that running revisions name, cannot change without
  # replacing them, so this root adopts them as they are.
  legacy_names = {
    alb_security_group               = "${local.name}-alb"
    alb_security_group_description   = "Security group for Quiz Backend ALB"
    tasks_security_group             = "${local.name}-ecs-tasks"
    tasks_security_group_description = "Security group for Quiz Backend ECS tasks"
    task_role                        = "${local.name}-ecs-task"
    task_execution_role              = "${local.name}-ecs-task-execution"
  }

  # SSM SecureString parameters, created outside Terraform so that no value passes through it.
  container_secrets = {
    MONGO_AUTH_CREDENTIALS = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/MONGO_AUTH_CREDENTIALS"
    CMS_SERVICE_TOKEN      = "arn:aws:ssm:${local.region}:${local.account_id}:parameter/${local.name}/CMS_SERVICE_TOKEN"
  }
}
