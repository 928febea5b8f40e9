data "aws_caller_identity" "current" {}

data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }

  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

# The account has one GitHub OIDC provider, created by terraform/envs/shared.
data "aws_iam_openid_connect_provider" "github" {
  url = "https://token.actions.githubusercontent.com"
}

data "cloudflare_zone" "this" {
  filter = {
    name = local.cloudflare_zone_name
  }
}

# The application's images live in one repository for every environment, which envs/shared
# creates; this root only reads it. Environments promote an image by tagging its digest there.
data "aws_ecr_repository" "application" {
  name = local.repository_name
}

data "aws_ecr_repository" "build_cache" {
  count = local.builds_images ? 1 : 0

  name = local.build_cache_repository_name
}

module "dns_tls" {
  source = "../../modules/dns-tls"

  zone_id                = data.cloudflare_zone.this.id
  hostname               = local.domain_name
  load_balancer_dns_name = module.load_balancer.dns_name
  record_comment         = "quiz-backend ${local.environment}: proxied to the load balancer"
}

module "load_balancer" {
  source = "../../modules/load-balancer"

  name                       = local.name
  vpc_id                     = data.aws_vpc.default.id
  subnet_ids                 = data.aws_subnets.default.ids
  certificate_arn            = module.dns_tls.certificate_arn
  target_port                = local.container_port
  health_check_path          = "/health"
  deregistration_delay       = local.deregistration_delay
  enable_deletion_protection = local.enable_deletion_protection
  target_group_name          = local.target_group_name
  security_group_name        = local.legacy_names.alb_security_group
  security_group_description = local.legacy_names.alb_security_group_description
}

module "service" {
  source = "../../modules/service"

  name                           = local.name
  container_name                 = "quiz-backend"
  container_image                = "${data.aws_ecr_repository.application.repository_url}:bootstrap"
  container_port                 = local.container_port
  container_health_check_command = ["CMD-SHELL", "curl -f http://localhost:${local.container_port}/health || exit 1"]
  cpu                            = 1024
  memory                         = 2048
  cpu_architecture               = "ARM64"

  environment_variables = local.container_environment
  secrets               = local.container_secrets
  repository_arn        = data.aws_ecr_repository.application.arn
  previous_repository_arns = [
    for name in local.previous_repository_names : "arn:aws:ecr:${local.region}:${local.account_id}:repository/${name}"
  ]

  desired_count                = local.desired_count
  autoscaling                  = local.autoscaling
  load_balancer_resource_label = "${module.load_balancer.load_balancer_arn_suffix}/${module.load_balancer.target_group_arn_suffix}"
  capacity_provider_strategy   = local.capacity_provider_strategy
  enable_execute_command       = local.enable_execute_command
  log_retention_in_days        = local.log_retention_in_days

  vpc_id                          = data.aws_vpc.default.id
  subnet_ids                      = data.aws_subnets.default.ids
  assign_public_ip                = true # the default VPC has no NAT gateway
  target_group_arn                = module.load_balancer.target_group_arn
  load_balancer_security_group_id = module.load_balancer.security_group_id

  task_role_name             = local.legacy_names.task_role
  task_execution_role_name   = local.legacy_names.task_execution_role
  security_group_name        = local.legacy_names.tasks_security_group
  security_group_description = local.legacy_names.tasks_security_group_description
}

module "deploy_role" {
  source = "../../modules/deploy-role"

  name                       = "${local.name}-deploy"
  oidc_provider_arn          = data.aws_iam_openid_connect_provider.github.arn
  github_repository          = local.github_repository
  github_repository_ids      = local.github_repository_ids
  github_environment         = local.environment
  repository_arn             = data.aws_ecr_repository.application.arn
  build_cache_repository_arn = one(data.aws_ecr_repository.build_cache[*].arn)
  cluster_arn                = module.service.cluster_arn
  service_arn                = module.service.service_arn
  task_definition_family     = module.service.task_definition_family
  task_role_arn              = module.service.task_role_arn
  task_execution_role_arn    = module.service.task_execution_role_arn
  log_group_arn              = module.service.log_group_arn
}
