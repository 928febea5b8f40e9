locals {
  # ECR has no "keep" action. A rule selects images and would expire them only beyond this
  # count, and an image selected by a higher-priority rule cannot be expired by a lower-priority
  # one, so the images that the keep rules select survive the rules after them.
  keep_count = 9999

  # One rule per tag pattern, because a rule whose tagPatternList holds several patterns selects
  # only images that carry a tag for every one of them (aws-cdk-lib 2, aws_ecr.LifecycleRule,
  # tagPatternList: "Select images that have ALL the given patterns in their tag").
  keep_patterns = concat(
    var.release_tag_pattern == null ? [] : [{ pattern = var.release_tag_pattern, description = "Keep release images (${var.release_tag_pattern})" }],
    [for tag in var.kept_tags : { pattern = tag, description = "Keep the image tagged ${tag}" }],
  )

  keep_rules = [
    for keep in local.keep_patterns : {
      description = keep.description
      selection = {
        tagStatus      = "tagged"
        tagPatternList = [keep.pattern]
        countType      = "imageCountMoreThan"
        countUnit      = null
        countNumber    = local.keep_count
      }
    }
  ]

  # NOTE: ECR documents no rule that spares the untagged child manifests of an image index that
  # a rule keeps, and a rule that selects an index does not select its children (the open
  # aws/containers-roadmap request "Lifecycle policy to mark images in manifest list when
  # marking the manifest list itself"). A repository of indexes (builds with attestations,
  # multi-platform images) should therefore leave untagged_image_expiry_days null, so that no
  # rule selects an untagged image.
  untagged_rules = var.untagged_image_expiry_days == null ? [] : [
    {
      description = "Expire untagged images ${var.untagged_image_expiry_days} days after push"
      selection = {
        tagStatus      = "untagged"
        tagPatternList = null
        countType      = "sinceImagePushed"
        countUnit      = "days"
        countNumber    = var.untagged_image_expiry_days
      }
    },
  ]

  # "*" matches every tag, so this rule selects tagged images only and never an untagged child.
  count_rules = [
    {
      description = "Expire other tagged images beyond the newest ${var.max_image_count}"
      selection = {
        tagStatus      = "tagged"
        tagPatternList = ["*"]
        countType      = "imageCountMoreThan"
        countUnit      = null
        countNumber    = var.max_image_count
      }
    },
  ]
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

  # ECR evaluates the rules by rulePriority, lowest first: keep rules, then the untagged expiry,
  # then the count of other tagged images. Null fields are left out of the JSON.
  policy = jsonencode({
    rules = [
      for index, rule in concat(local.keep_rules, local.untagged_rules, local.count_rules) : {
        rulePriority = index + 1
        description  = rule.description
        selection    = { for key, value in rule.selection : key => value if value != null }
        action       = { type = "expire" }
      }
    ]
  })
}
