variable "name" {
  description = "Name of the ECR repository, for example `quiz-backend-testing`."
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
  description = "ECR tag pattern (`*` is the only wildcard) of release tags. The lifecycle policy keeps images that carry a matching tag, up to 9999 of them."
  type        = string
  default     = "v*"

  validation {
    condition     = length(var.release_tag_pattern) > 0 && length(regexall("\\*", var.release_tag_pattern)) <= 4
    error_message = "release_tag_pattern must be a non-empty tag pattern with at most 4 '*' wildcards."
  }
}

variable "untagged_image_expiry_days" {
  description = "Days after push before an untagged image expires. Keep this generous, because a task definition that names an image by digest still needs the image after its tag moved on."
  type        = number
  default     = 90

  validation {
    condition     = var.untagged_image_expiry_days >= 14 && floor(var.untagged_image_expiry_days) == var.untagged_image_expiry_days
    error_message = "untagged_image_expiry_days must be a whole number of at least 14."
  }
}

variable "max_image_count" {
  description = "Number of newest images, counted by push time over the whole repository, beyond which a tagged image without a release tag expires. Release images and untagged images are never expired by this rule."
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
