variable "name" {
  description = "Name of the ECR repository, for example `quiz-backend`."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", var.name)) && length(var.name) >= 2 && length(var.name) <= 256
    error_message = "name must be 2 to 256 lowercase letters, digits and the separators '.', '_', '-' or '/', and must start and end with a letter or digit."
  }
}

variable "image_tag_mutability" {
  description = "Whether a pushed tag can later point at another image: `MUTABLE`, `IMMUTABLE`, or `MUTABLE_WITH_EXCLUSION` / `IMMUTABLE_WITH_EXCLUSION`, where the tags matching `image_tag_mutability_exclusion_filters` behave the other way. Use `IMMUTABLE` where a tag must always name the same image, as in prod."
  type        = string
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE", "MUTABLE_WITH_EXCLUSION", "IMMUTABLE_WITH_EXCLUSION"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be MUTABLE, IMMUTABLE, MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION."
  }
}

variable "image_tag_mutability_exclusion_filters" {
  description = "Tag patterns (`*` is the wildcard) that are exempt from `image_tag_mutability`. Only the `*_WITH_EXCLUSION` modes accept them, and those modes need at least one."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.image_tag_mutability_exclusion_filters) <= 5 && alltrue([for filter in var.image_tag_mutability_exclusion_filters : can(regex("^[A-Za-z0-9._*-]{1,128}$", filter))])
    error_message = "image_tag_mutability_exclusion_filters may hold at most 5 patterns of letters, digits, '.', '_', '-' and '*'."
  }

  validation {
    condition     = endswith(var.image_tag_mutability, "_WITH_EXCLUSION") == (length(var.image_tag_mutability_exclusion_filters) > 0)
    error_message = "image_tag_mutability_exclusion_filters must be non-empty exactly when image_tag_mutability is MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION."
  }
}

variable "release_tag_pattern" {
  description = "ECR tag pattern (`*` is the only wildcard) of release tags. The lifecycle policy keeps images that carry a matching tag, up to 9999 of them. Null adds no release rule, for a repository without releases such as a build cache."
  type        = string
  default     = "v*"

  validation {
    condition     = var.release_tag_pattern == null ? true : (length(var.release_tag_pattern) > 0 && length(regexall("\\*", var.release_tag_pattern)) <= 4)
    error_message = "release_tag_pattern must be null or a non-empty tag pattern with at most 4 '*' wildcards."
  }
}

variable "kept_tags" {
  description = "Tags (or tag patterns) whose images the lifecycle policy never expires, such as the environment tags `testing`, `staging` and `prod` that name what each environment runs. Each gets its own rule, because one rule with several patterns selects only images that carry all of them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for tag in var.kept_tags : can(regex("^[A-Za-z0-9._*-]{1,128}$", tag)) && length(regexall("\\*", tag)) <= 4])
    error_message = "kept_tags must contain tags or tag patterns of letters, digits, '.', '_', '-' and at most 4 '*' wildcards."
  }
}

variable "untagged_image_expiry_days" {
  description = "Days after push before an untagged image expires. Null expires no untagged image, which a repository of image indexes needs: the platform images and attestations of an index are untagged, and ECR documents no protection for them while the index is kept. Set it only where no index is stored, such as a BuildKit cache exported as one image manifest."
  type        = number
  default     = null

  validation {
    condition     = var.untagged_image_expiry_days == null ? true : (var.untagged_image_expiry_days >= 1 && floor(var.untagged_image_expiry_days) == var.untagged_image_expiry_days)
    error_message = "untagged_image_expiry_days must be null or a whole number of at least 1."
  }
}

variable "max_image_count" {
  description = "Number of newest tagged images, counted by push time, beyond which a tagged image that no keep rule selects (release tags, `kept_tags`) expires. This rule never selects an untagged image."
  type        = number
  default     = 200

  validation {
    condition     = var.max_image_count >= 10 && floor(var.max_image_count) == var.max_image_count
    error_message = "max_image_count must be a whole number of at least 10."
  }
}

variable "tags" {
  description = "Tags added to the repository, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
