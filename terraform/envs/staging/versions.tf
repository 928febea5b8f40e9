terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Credentials come from the environment (OIDC in CI, AWS_PROFILE on a laptop), never from
  # this block. use_lockfile locks the state with an S3 object, so no DynamoDB table is needed.
  backend "s3" {
    bucket       = "quiz-terraform-state-111766607077"
    key          = "ecs-deploy-kit/staging/terraform.tfstate"
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
