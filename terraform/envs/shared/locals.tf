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
}
