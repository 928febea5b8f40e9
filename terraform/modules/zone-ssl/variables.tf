variable "zone_id" {
  description = "ID of the Cloudflare zone whose configuration rules this module owns."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{32}$", var.zone_id))
    error_message = "zone_id must be a Cloudflare zone ID: 32 lowercase hexadecimal digits."
  }
}

variable "hostnames" {
  description = "Hostnames for which Cloudflare connects to the origin over HTTPS and checks its certificate (SSL \"Full (strict)\"). Each origin must already serve a valid certificate for its hostname on port 443."
  type        = list(string)

  validation {
    condition     = length(var.hostnames) > 0 && alltrue([for hostname in var.hostnames : can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", hostname))])
    error_message = "hostnames must list at least one lowercase fully qualified domain name, without wildcards."
  }
}
