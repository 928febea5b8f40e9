data "cloudflare_zone" "this" {
  filter = {
    name = local.cloudflare_zone_name
  }
}

module "bootstrap" {
  source = "../../modules/bootstrap"

  state_bucket_name = local.state_bucket_name
}

module "zone_ssl" {
  source = "../../modules/zone-ssl"

  zone_id   = data.cloudflare_zone.this.id
  hostnames = local.ssl_strict_hostnames
}

module "registry" {
  source = "../../modules/registry"

  name                                   = local.repository_name
  image_tag_mutability                   = "IMMUTABLE_WITH_EXCLUSION"
  image_tag_mutability_exclusion_filters = local.movable_tags
  release_tag_pattern                    = "v*"
  kept_tags                              = local.movable_tags

  # A build that adds attestations pushes an image index, whose arm64 image and attestation
  # manifests are untagged. ECR documents no protection for them while the index is kept, so
  # no rule here selects untagged images; the module's README describes the cost.
  untagged_image_expiry_days = null
}

module "build_cache" {
  source = "../../modules/registry"

  name                       = local.build_cache_repository_name
  image_tag_mutability       = "MUTABLE"
  release_tag_pattern        = null
  untagged_image_expiry_days = local.build_cache_expiry_days
}

# The bucket and its settings exist already: terraform/shared/state-backend in the
# quiz-backend repository created them with a local state. Each of these resources is imported
# by the bucket name.
import {
  to = module.bootstrap.aws_s3_bucket.state
  id = local.state_bucket_name
}

import {
  to = module.bootstrap.aws_s3_bucket_versioning.state
  id = local.state_bucket_name
}

import {
  to = module.bootstrap.aws_s3_bucket_server_side_encryption_configuration.state
  id = local.state_bucket_name
}

import {
  to = module.bootstrap.aws_s3_bucket_public_access_block.state
  id = local.state_bucket_name
}

import {
  to = module.bootstrap.aws_s3_bucket_lifecycle_configuration.state
  id = local.state_bucket_name
}
