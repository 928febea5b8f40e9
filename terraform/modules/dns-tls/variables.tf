variable "zone_id" {
  description = "ID of the Cloudflare zone that holds the hostname, for example the zone of `avantifellows.org`."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.zone_id))
    error_message = "zone_id must be a Cloudflare zone ID: 32 lowercase hexadecimal digits."
  }
}

variable "hostname" {
  description = "Fully qualified hostname that visitors use, for example `quiz-backend.avantifellows.org`. The certificate is issued for it and the proxied record carries it."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.hostname))
    error_message = "hostname must be a lowercase fully qualified domain name such as quiz-backend.avantifellows.org, without a trailing dot or wildcard."
  }
}

variable "load_balancer_dns_name" {
  description = "DNS name of the load balancer, the target of the proxied CNAME record."
  type        = string

  validation {
    condition     = length(var.load_balancer_dns_name) > 0 && !endswith(var.load_balancer_dns_name, ".")
    error_message = "load_balancer_dns_name must be a DNS name without a trailing dot, such as quiz-backend-prod-123456789.ap-south-1.elb.amazonaws.com."
  }
}

variable "record_comment" {
  description = "Comment shown next to the proxied record in the Cloudflare dashboard."
  type        = string
  default     = "Managed by Terraform: proxied to the load balancer"
}

variable "tags" {
  description = "Tags added to the certificate, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
