# Takes over the state of the hand-written root that used the same backend key. Each moved
# block moves one resource to its address in the modules, so the plan updates it in place
# instead of destroying and creating it, and the removed blocks drop the old image repository
# from the state without deleting it. The steps around the first apply are in docs/terraform.md.
#
# Left to the plan on purpose:
# - aws_iam_role_policy_attachment.ecs_task_execution: destroyed, which detaches the AWS
#   managed policy; the module's inline policy grants the execution role only what it needs.
# - aws_iam_role_policy.ecs_exec: destroyed, because prod runs without ECS Exec.
# - the task definition: Terraform registers a new bootstrap revision (the old one stays
#   registered); the service ignores it and keeps the revision CI deployed.
# - cloudflare_record.quiz_backend and cloudflare_page_rule.ssl_flexible are Cloudflare
#   provider v4 resources, which provider v5 cannot read: remove them from the state first
#   (terraform state rm), and the import block below adopts the DNS record again.

# The hand-written root's repository quiz-backend-prod holds the images that the running
# revisions name, so Terraform must forget it and its lifecycle policy without destroying them.
# The images move to the shared repository quiz-backend (envs/shared) by promotion, and the
# repository is deleted by hand once no revision names it (docs/terraform.md, "Taking over the
# testing and prod state").
removed {
  from = aws_ecr_repository.quiz_backend

  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_ecr_lifecycle_policy.quiz_backend

  lifecycle {
    destroy = false
  }
}

moved {
  from = aws_security_group.alb
  to   = module.load_balancer.aws_security_group.this
}

moved {
  from = aws_lb.quiz_backend
  to   = module.load_balancer.aws_lb.this
}

moved {
  from = aws_lb_target_group.quiz_backend
  to   = module.load_balancer.aws_lb_target_group.this
}

moved {
  from = aws_lb_listener.http
  to   = module.load_balancer.aws_lb_listener.http
}

moved {
  from = aws_ecs_cluster.quiz_backend
  to   = module.service.aws_ecs_cluster.this
}

moved {
  from = aws_cloudwatch_log_group.quiz_backend
  to   = module.service.aws_cloudwatch_log_group.this
}

moved {
  from = aws_iam_role.ecs_task_execution
  to   = module.service.aws_iam_role.task_execution
}

moved {
  from = aws_iam_role.ecs_task
  to   = module.service.aws_iam_role.task
}

moved {
  from = aws_security_group.ecs_tasks
  to   = module.service.aws_security_group.tasks
}

moved {
  from = aws_ecs_task_definition.quiz_backend
  to   = module.service.aws_ecs_task_definition.bootstrap
}

moved {
  from = aws_ecs_service.quiz_backend
  to   = module.service.aws_ecs_service.this
}

moved {
  from = aws_appautoscaling_target.ecs
  to   = module.service.aws_appautoscaling_target.this
}

# The proxied CNAME record that the hand-written root created with provider v4. Its ID is
# looked up by name, so no ID has to be copied into this file.
data "cloudflare_dns_records" "existing" {
  zone_id = data.cloudflare_zone.this.id
  type    = "CNAME"
  name = {
    exact = local.domain_name
  }
}

# one() fails the plan if the name has several CNAME records, which Cloudflare does not allow.
import {
  to = module.dns_tls.cloudflare_dns_record.this
  id = "${data.cloudflare_zone.this.id}/${one(data.cloudflare_dns_records.existing.result).id}"
}
