locals {
  # ECR has no "keep" action. A rule selects release images and would expire them only beyond
  # this count, and an image selected by a higher-priority rule cannot be expired by a
  # lower-priority one, so release images survive the rules below.
  release_image_keep_count = 9999
}

resource "aws_ecr_repository" "this" {
  #checkov:skip=CKV_AWS_136:Images are encrypted at rest with AES256; they hold no credentials (those come from SSM at task start), so a customer managed key would add cost and a key policy without protecting more.

  name                 = var.name
  image_tag_mutability = var.image_tag_mutability

  # In the *_WITH_EXCLUSION modes these tag patterns behave the other way round, for example
  # IMMUTABLE release tags with a movable `latest`.
  dynamic "image_tag_mutability_exclusion_filter" {
    for_each = var.image_tag_mutability_exclusion_filters
    content {
      filter      = image_tag_mutability_exclusion_filter.value
      filter_type = "WILDCARD"
    }
  }

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Keep release images (${var.release_tag_pattern})"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = [var.release_tag_pattern]
          countType      = "imageCountMoreThan"
          countNumber    = local.release_image_keep_count
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Expire untagged images ${var.untagged_image_expiry_days} days after push"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = var.untagged_image_expiry_days
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 3
        description  = "Expire other tagged images beyond the newest ${var.max_image_count}"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.max_image_count
        }
        action = { type = "expire" }
      },
    ]
  })
}
