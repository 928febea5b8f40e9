variable "name" {
  description = "Name of the IAM role, for example `quiz-backend-testing-deploy`."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 characters from letters, digits and +=,.@_-."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the account's IAM OIDC provider for GitHub Actions (`arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com`). The account has one, shared by all environments."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<host>)."
  }
}

variable "github_repository" {
  description = "GitHub repository, as `OWNER/REPO`, whose workflows may assume the role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be OWNER/REPO, for example avantifellows/quiz-backend, without wildcards."
  }
}

variable "github_repository_ids" {
  description = "Numeric ids of the repository's owner and of the repository (`gh api repos/OWNER/REPO --jq '.owner.id, .id'`). When set, the trust policy also admits the immutable token subject `repo:OWNER@OWNER_ID/REPO@REPO_ID:environment:NAME`, which GitHub issues for repositories created or renamed from 15 July 2026 on."
  type = object({
    owner_id      = string
    repository_id = string
  })
  default = null

  validation {
    condition     = var.github_repository_ids == null ? true : (can(regex("^[0-9]+$", var.github_repository_ids.owner_id)) && can(regex("^[0-9]+$", var.github_repository_ids.repository_id)))
    error_message = "github_repository_ids.owner_id and github_repository_ids.repository_id must be decimal numbers, such as 8106474 and 517425736."
  }
}

variable "github_environment" {
  description = "GitHub Environment whose jobs may assume the role. The trust policy admits only this environment's token subjects: `repo:OWNER/REPO:environment:NAME`, and the immutable form when `github_repository_ids` is set."
  type        = string

  validation {
    condition     = length(var.github_environment) > 0 && length(var.github_environment) <= 255 && !can(regex("[*?:]", var.github_environment))
    error_message = "github_environment must be a GitHub Environment name of 1 to 255 characters without '*', '?' or ':'."
  }
}

variable "repository_arn" {
  description = "ARN of the application's ECR repository, which every environment shares. The role may pull every image there and write any tag (`ecr:PutImage`), because ECR IAM cannot limit the tag a call writes. It may upload layers there only when `build_cache_repository_arn` is set."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.repository_arn))
    error_message = "repository_arn must be an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)."
  }
}

variable "build_cache_repository_arn" {
  description = "ARN of the ECR repository of the BuildKit registry cache. Set it for the environment whose job builds the image: the role may then upload layers to `repository_arn` and push to and pull from this repository. Null for roles that only deploy and promote."
  type        = string
  default     = null

  validation {
    condition     = var.build_cache_repository_arn == null ? true : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/.+$", var.build_cache_repository_arn))
    error_message = "build_cache_repository_arn must be null or an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>)."
  }
}

variable "cluster_arn" {
  description = "ARN of the ECS cluster of the service."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/.+$", var.cluster_arn))
    error_message = "cluster_arn must be an ECS cluster ARN (arn:aws:ecs:<region>:<account>:cluster/<name>)."
  }
}

variable "service_arn" {
  description = "ARN of the ECS service that the role may describe and update."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:service/[^/]+/.+$", var.service_arn))
    error_message = "service_arn must be an ECS service ARN in the long format (arn:aws:ecs:<region>:<account>:service/<cluster>/<service>)."
  }
}

variable "task_definition_family" {
  description = "Task definition family in which the role registers revisions; it may tag revisions of this family only while registering them."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.task_definition_family))
    error_message = "task_definition_family must be 1 to 255 letters, digits, hyphens or underscores."
  }
}

variable "task_role_arn" {
  description = "ARN of the service's task role, which the role may pass to ECS."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.task_role_arn))
    error_message = "task_role_arn must be an IAM role ARN."
  }
}

variable "task_execution_role_arn" {
  description = "ARN of the service's task execution role, which the role may pass to ECS."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.task_execution_role_arn))
    error_message = "task_execution_role_arn must be an IAM role ARN."
  }
}

variable "log_group_arn" {
  description = "ARN of the service's CloudWatch Logs group (without `:*`), which the role may read for failure reports."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[^*]+$", var.log_group_arn))
    error_message = "log_group_arn must be a CloudWatch Logs group ARN without the trailing \":*\"."
  }
}

variable "max_session_duration" {
  description = "Maximum seconds a session of the role lasts."
  type        = number
  default     = 3600

  validation {
    condition     = var.max_session_duration >= 3600 && var.max_session_duration <= 43200
    error_message = "max_session_duration must be 3600 to 43200 seconds."
  }
}

variable "tags" {
  description = "Tags added to the role, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
