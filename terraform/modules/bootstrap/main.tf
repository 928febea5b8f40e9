# Once per AWS account: the bucket that holds every root's state, and the identity provider
# through which GitHub Actions jobs assume the deploy roles.

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of the state bucket; Terraform reads and writes it directly.
  #checkov:skip=CKV_AWS_18:Server access logs need a second bucket; only the Terraform roles may write here, and object versions keep every earlier state.
  #checkov:skip=CKV_AWS_144:Versioning restores an earlier state; a replica in a second region would double the cost of a bucket this account can rebuild from the versions.

  bucket = var.state_bucket_name

  tags = merge(var.tags, { Name = var.state_bucket_name })

  # Losing the bucket loses every environment's state.
  lifecycle {
    prevent_destroy = true
  }
}

# Every state write is a new object version, so an older state can be restored.
resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# Old state versions and the lock files that `use_lockfile` leaves as noncurrent versions.
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

data "aws_iam_policy_document" "state" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.state.arn,
      "${aws_s3_bucket.state.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state.json

  depends_on = [aws_s3_bucket_public_access_block.state]
}

# AWS trusts GitHub's issuer through its root certificate authorities, so no thumbprint is
# pinned here (AWS IAM User Guide, "Create an OpenID Connect (OIDC) identity provider").
resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]

  tags = var.tags
}
