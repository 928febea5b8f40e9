# tflint configuration for every root and module under terraform/ (tflint --recursive).
config {
  # Modules are linted where they are defined, not again through each root's calls.
  call_module_type = "none"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}

# Pinned per tflint's plugin docs: with source and version set, tflint loads
# <plugin dir>/github.com/terraform-linters/tflint-ruleset-aws/0.44.0/tflint-ruleset-aws.
# scripts/install-terraform-tools.sh builds it there (keep the two versions in step).
plugin "aws" {
  enabled = true
  version = "0.44.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}
