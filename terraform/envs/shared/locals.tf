# Settings shared by the account and the Cloudflare zone: applied once, and again only when
# they change.
locals {
  region               = "ap-south-1"
  state_bucket_name    = "quiz-terraform-state-111766607077"
  cloudflare_zone_name = "avantifellows.org"

  # Hostnames for which Cloudflare connects to the load balancer over HTTPS and checks the ACM
  # certificate. Add a hostname only after its environment's HTTPS listener serves the
  # certificate, or Cloudflare answers its visitors with an error.
  ssl_strict_hostnames = [
    "quiz-backend-testing.avantifellows.org",
    "quiz-backend-staging.avantifellows.org",
    "quiz-backend.avantifellows.org",
  ]

  # One image repository for every environment: CI builds into it once and promotes a digest by
  # tagging it. Build tags (git commits) and release tags (v*) are immutable; these tags move
  # with each deployment, so they are excluded from immutability and their images are kept.
  repository_name = "quiz-backend"
  movable_tags    = ["testing", "staging", "prod", "latest"]

  # BuildKit's registry cache, which .github/workflows/build-image.yml writes as one image
  # manifest under a single tag. Each build replaces it, and the replaced entries expire.
  build_cache_repository_name = "quiz-backend-cache"
  build_cache_expiry_days     = 14
}
