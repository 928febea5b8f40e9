terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    cloudflare = {
      source  = "cloudflare/cloudflare"
      version = "~> 5.0"
    }
  }

  # Credentials come from the environment (OIDC in CI, AWS_PROFILE on a laptop), never from
  # this block. use_lockfile locks the state with an S3 object, so no DynamoDB table is needed.
  # The key is the one the hand-written root used, so this root takes over its state.
  backend "s3" {
    bucket       = "quiz-terraform-state-111766607077"
    key          = "testing/terraform.tfstate"
    region       = "ap-south-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = local.region

  default_tags {
    tags = {
      Project     = "quiz-backend"
      Environment = local.environment
      ManagedBy   = "terraform"
    }
  }
}

# The API token comes from CLOUDFLARE_API_TOKEN: a token scoped to the zone with "DNS: Edit",
# never the account's Global API key.
provider "cloudflare" {}
