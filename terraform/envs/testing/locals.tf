# Settings of the testing environment. Everything else is the same in every environment.
locals {
  environment          = "testing"
  region               = "ap-south-1"
  name                 = "quiz-backend-${local.environment}"
  github_repository    = "avantifellows/quiz-backend"
  cloudflare_zone_name = "avantifellows.org"
  domain_name          = "quiz-backend-testing.avantifellows.org"
  account_id           = data.aws_caller_identity.current.account_id

  # The repository predates immutable OIDC subjects; once its admins opt in, set its ids here:
  # { owner_id = "...", repository_id = "..." } (gh api repos/avantifellows/quiz-backend).
  github_repository_ids = null

  # Images: the application repository and the build cache that every environment shares,
  # created by envs/shared. Each deploy tags the digest that passed here with the environment's
  # name in that repository.
  repository_name             = "quiz-backend"
  build_cache_repository_name = "quiz-backend-cache"

  # The build job of the example caller (examples/quiz-backend/.github/workflows/main.yml) runs
  # in the testing environment, so this role uploads layers and uses the build cache.
  builds_images = true

  # The revision that runs now names an image in quiz-backend-testing, the repository of the
  # hand-written root. New tasks pull it again until the first deploy from quiz-backend, so the
  # task execution role keeps pull access there; empty this list after that deploy.
  previous_repository_names = ["quiz-backend-testing"]

  # Load balancer: the target group keeps the name the hand-written root gave it.
  enable_deletion_protection = false
  container_port             = 8000
  deregistration_delay       = 5
  target_group_name          = local.name

  # Service: one task, scaled to zero at night and on weekends (India time).
  desired_count = 1
  autoscaling = {
    min_capacity       = 1
    max_capacity       = 2
    cpu_target_percent = 70
    scale_to_zero = {
      stop_schedule  = "cron(0 21 ? * MON-FRI *)"
      start_schedule = "cron(0 8 ? * MON-FRI *)"
      timezone       = "Asia/Kolkata"
    }
  }
  # The service was created with the FARGATE launch type; an empty strategy keeps it, so the
  # takeover does not replace the service. Fargate Spot ([{ capacity_provider = "FARGATE_SPOT",
  # weight = 1 }]) is a later, separate change: apply it only if the plan updates in place.
  capacity_provider_strategy = []
  enable_execute_command     = true
  log_retention_in_days      = 7

  container_environment = {
    CMS_SERVICE_ENDPOINT = "https://staging-new-cms.avantifellows.org"
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
