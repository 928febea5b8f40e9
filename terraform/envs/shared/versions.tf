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

  # This root manages the bucket that holds its own state. On a new account, comment this block
  # out for the first apply, then run `terraform init -migrate-state` (docs/terraform.md).
  backend "s3" {
    bucket       = "quiz-terraform-state-111766607077"
    key          = "shared/terraform.tfstate"
    region       = "ap-south-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = local.region

  default_tags {
    tags = {
      Project   = "quiz-backend"
      ManagedBy = "terraform"
    }
  }
}

# The API token comes from CLOUDFLARE_API_TOKEN: a token scoped to the zone with "DNS: Edit" and
# "Config Rules: Edit", never the account's Global API key.
provider "cloudflare" {}
