output "ruleset_id" {
  description = "ID of the zone's configuration-rules entry point."
  value       = cloudflare_ruleset.config.id
}
