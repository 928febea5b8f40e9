output "certificate_arn" {
  description = "ARN of the issued ACM certificate. It comes from the validation resource, so a listener that uses it waits until the certificate is issued."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "hostname" {
  description = "Hostname of the proxied record."
  value       = cloudflare_dns_record.this.name
}

output "record_id" {
  description = "ID of the proxied DNS record."
  value       = cloudflare_dns_record.this.id
}
