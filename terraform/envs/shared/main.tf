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
