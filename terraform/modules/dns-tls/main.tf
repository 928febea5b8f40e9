# The certificate is served by the load balancer, and Cloudflare checks it when it connects to
# the origin with SSL "Full (strict)". ACM validates it through DNS records in the same zone.
resource "aws_acm_certificate" "this" {
  domain_name       = var.hostname
  validation_method = "DNS"

  tags = merge(var.tags, { Name = var.hostname })

  # The listener keeps serving the old certificate until the new one is issued.
  lifecycle {
    create_before_destroy = true
  }
}

# Validation records must not be proxied: ACM resolves them and expects its own CNAME target,
# not a Cloudflare edge address.
resource "cloudflare_dns_record" "validation" {
  for_each = {
    for option in aws_acm_certificate.this.domain_validation_options : option.domain_name => option
  }

  zone_id = var.zone_id
  name    = trimsuffix(each.value.resource_record_name, ".")
  type    = each.value.resource_record_type
  content = trimsuffix(each.value.resource_record_value, ".")
  proxied = false
  ttl     = 60
  comment = "ACM validation of ${each.key}"
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for record in cloudflare_dns_record.validation : record.name]
}

# Proxied: visitors reach Cloudflare's edge, which connects to the load balancer. The load
# balancer admits Cloudflare's ranges only, so the record must stay proxied.
resource "cloudflare_dns_record" "this" {
  zone_id = var.zone_id
  name    = var.hostname
  type    = "CNAME"
  content = var.load_balancer_dns_name
  proxied = true
  ttl     = 1 # 1 means automatic, the only value Cloudflare accepts for a proxied record
  comment = var.record_comment
}
