# Runs with `terraform test` after `terraform init`; the mock provider needs the AWS provider's
# schema but no credentials.
mock_provider "aws" {}

variables {
  name                    = "quiz-backend-prod-deploy"
  oidc_provider_arn       = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  github_repository       = "avantifellows/quiz-backend"
  github_environment      = "prod"
  repository_arn          = "arn:aws:ecr:ap-south-1:123456789012:repository/quiz-backend"
  cluster_arn             = "arn:aws:ecs:ap-south-1:123456789012:cluster/quiz-backend-prod"
  service_arn             = "arn:aws:ecs:ap-south-1:123456789012:service/quiz-backend-prod/quiz-backend-prod"
  task_definition_family  = "quiz-backend-prod"
  task_role_arn           = "arn:aws:iam::123456789012:role/quiz-backend-prod-ecs-task"
  task_execution_role_arn = "arn:aws:iam::123456789012:role/quiz-backend-prod-ecs-task-execution"
  log_group_arn           = "arn:aws:logs:ap-south-1:123456789012:log-group:/ecs/quiz-backend-prod"
}

run "classic_subject_only" {
  command = plan

  assert {
    condition     = output.oidc_subjects == ["repo:avantifellows/quiz-backend:environment:prod"]
    error_message = "Without repository ids the role must trust exactly the classic subject of the prod environment."
  }
}

run "immutable_subject_added" {
  command = plan

  variables {
    github_repository_ids = { owner_id = "8106474", repository_id = "517425736" }
  }

  assert {
    condition = output.oidc_subjects == [
      "repo:avantifellows/quiz-backend:environment:prod",
      "repo:avantifellows@8106474/quiz-backend@517425736:environment:prod",
    ]
    error_message = "With repository ids the role must trust the classic and the immutable subject, and nothing else."
  }
}

run "wildcard_environment_rejected" {
  command = plan

  variables {
    github_environment = "*"
  }

  expect_failures = [var.github_environment]
}
