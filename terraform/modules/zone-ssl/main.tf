locals {
  hosts_expression = join(" ", [for hostname in var.hostnames : "\"${hostname}\""])
}

# A zone has one entry-point ruleset per phase, so one module call owns the zone's configuration
# rules, and every hostname that needs "Full (strict)" is listed here. A configuration rule takes
# precedence over the zone's SSL setting and, unlike a page rule, matches on the exact host.
resource "cloudflare_ruleset" "config" {
  zone_id     = var.zone_id
  name        = "Configuration rules"
  description = "SSL Full (strict) for the hostnames served by load balancers with ACM certificates"
  kind        = "zone"
  phase       = "http_config_settings"

  rules = [
    {
      ref         = "ssl_full_strict"
      description = "Connect to the origin over HTTPS and check its certificate"
      expression  = "(http.host in {${local.hosts_expression}})"
      action      = "set_config"
      action_parameters = {
        ssl = "strict"
      }
      enabled = true
    },
  ]
}
