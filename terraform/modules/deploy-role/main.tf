locals {
  # The OIDC provider ARN ends in the issuer host, which prefixes the token's claim keys.
  oidc_issuer = element(split("oidc-provider/", var.oidc_provider_arn), 1)

  # Jobs that name a GitHub Environment get this subject in their token.
  oidc_subject = "repo:${var.github_repository}:environment:${var.github_environment}"

  # Repositories created or renamed from 15 July 2026 on (and older ones whose admins opt in)
  # get the immutable form, which appends the owner's and the repository's numeric ids:
  # repo:OWNER@OWNER_ID/REPO@REPO_ID:environment:NAME (GitHub changelog, 2026-04-23, "Immutable
  # subject claims for GitHub Actions OIDC tokens"). The ids never move to another repository.
  github_owner           = split("/", var.github_repository)[0]
  github_repository_name = split("/", var.github_repository)[1]
  oidc_subject_immutable = var.github_repository_ids == null ? null : "repo:${local.github_owner}@${var.github_repository_ids.owner_id}/${local.github_repository_name}@${var.github_repository_ids.repository_id}:environment:${var.github_environment}"

  oidc_subjects = compact([local.oidc_subject, local.oidc_subject_immutable])

  # Task ARNs share the cluster ARN's prefix: arn:aws:ecs:<region>:<account>:task/<cluster>/<id>.
  cluster_task_arns = "${replace(var.cluster_arn, ":cluster/", ":task/")}/*"

  # arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>
  task_definition_arns = "${replace(var.cluster_arn, "/:cluster/.*$/", ":task-definition/")}${var.task_definition_family}:*"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActionsEnvironment"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = local.oidc_subjects
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "GitHub Actions deploys from ${local.oidc_subject}"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration

  tags = var.tags
}

data "aws_iam_policy_document" "deploy" {
  # GetAuthorizationToken has no resource-level permissions.
  statement {
    sid       = "EcrAuthorization"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  # Every role pulls from the application's repository and writes tags there: the deploy
  # workflow tags the digest that passed with the environment's name (and prod with the release
  # tag). ECR has no IAM condition key for the image tag that PutImage writes (Service
  # Authorization Reference, "Actions, resources, and condition keys for Amazon Elastic Container
  # Registry": the repository's keys are its resource tags only), so a role that may move its
  # own environment's tag may write any tag. The repository's IMMUTABLE_WITH_EXCLUSION setting
  # stops it from moving release and build tags, not the other environments' tags.
  statement {
    sid = "EcrPullAndTag"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer",
      "ecr:PutImage",
    ]
    resources = [var.repository_arn]
  }

  # Only the environment whose job builds the image uploads layers, and it reads and writes
  # the BuildKit registry cache.
  dynamic "statement" {
    for_each = var.build_cache_repository_arn == null ? [] : [var.repository_arn]

    content {
      sid = "EcrUploadLayers"
      actions = [
        "ecr:CompleteLayerUpload",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
      ]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.build_cache_repository_arn == null ? [] : [var.build_cache_repository_arn]

    content {
      sid = "EcrBuildCache"
      actions = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ]
      resources = [statement.value]
    }
  }

  statement {
    sid       = "EcsService"
    actions   = ["ecs:DescribeServices", "ecs:UpdateService"]
    resources = [var.service_arn]
  }

  # These task definition calls have no resource-level permissions in ECS.
  statement {
    sid = "EcsTaskDefinitions"
    actions = [
      "ecs:DescribeTaskDefinition",
      "ecs:ListTaskDefinitionFamilies",
      "ecs:RegisterTaskDefinition",
    ]
    resources = ["*"]
  }

  # RegisterTaskDefinition with tags also needs TagResource; this allows tagging only as part
  # of registering a revision of the service's family.
  statement {
    sid       = "EcsTagOnRegister"
    actions   = ["ecs:TagResource"]
    resources = [local.task_definition_arns]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RegisterTaskDefinition"]
    }
  }

  statement {
    sid       = "EcsDescribeCluster"
    actions   = ["ecs:DescribeClusters"]
    resources = [var.cluster_arn]
  }

  statement {
    sid       = "EcsDescribeTasks"
    actions   = ["ecs:DescribeTasks"]
    resources = [local.cluster_task_arns]
  }

  # Listing is scoped by the ecs:cluster condition key. The deploy actions list services and
  # clusters only to name the alternatives in a "not found" message.
  statement {
    sid       = "EcsListInCluster"
    actions   = ["ecs:ListServices", "ecs:ListTasks"]
    resources = ["*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }

  statement {
    sid       = "EcsListClusters"
    actions   = ["ecs:ListClusters"]
    resources = ["*"]
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [var.task_role_arn, var.task_execution_role_arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid = "LogsRead"
    actions = [
      "logs:DescribeLogStreams",
      "logs:FilterLogEvents",
      "logs:GetLogEvents",
    ]
    resources = [var.log_group_arn, "${var.log_group_arn}:log-stream:*"]
  }

  # The load test's report reads the service's metrics and scaling activities. Neither
  # GetMetricData nor Application Auto Scaling's Describe calls have resource-level permissions.
  statement {
    sid       = "ReportMetricsRead"
    actions   = ["cloudwatch:GetMetricData", "application-autoscaling:DescribeScalingActivities"]
    resources = ["*"]
  }

  # The smoke test reads target health; Describe calls of Elastic Load Balancing have no
  # resource-level permissions.
  statement {
    sid       = "TargetHealthRead"
    actions   = ["elasticloadbalancing:DescribeTargetHealth"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.deploy.json
}
