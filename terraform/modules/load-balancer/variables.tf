variable "name" {
  description = "Name of the load balancer, also the stem of its security group and target group names, for example `quiz-backend-testing`."
  type        = string

  # AWS limits load balancer and target group names to 32 characters.
  validation {
    condition     = length(var.name) <= 32
    error_message = "name must be at most 32 characters, the AWS limit for load balancer and target group names."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$", var.name)) && !startswith(var.name, "internal-")
    error_message = "name must contain only letters, digits and hyphens, must not start or end with a hyphen, and must not start with \"internal-\"."
  }
}

variable "vpc_id" {
  description = "ID of the VPC in which the load balancer, its security group and the target group live."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Public subnet IDs for the load balancer, in at least two Availability Zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-...), because an Application Load Balancer needs two Availability Zones."
  }
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate served by the HTTPS listener."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "ssl_policy" {
  description = "Security policy of the HTTPS listener. Only the TLS 1.3 policy family (`ELBSecurityPolicy-TLS13-*`) is accepted."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = startswith(var.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "ssl_policy must be one of the ELBSecurityPolicy-TLS13-* policies, for example ELBSecurityPolicy-TLS13-1-2-2021-06."
  }
}

# Source: https://www.cloudflare.com/ips/ (plain-text lists at https://www.cloudflare.com/ips-v4
# and https://www.cloudflare.com/ips-v6). Cloudflare changes them rarely, with notice.
# NOTE: this default was copied from those lists and not fetched from them when written; compare
# it with the lists before an apply that widens or narrows who can reach the load balancer.
variable "cloudflare_ip_ranges" {
  description = "IPv4 and IPv6 CIDR blocks from which the load balancer accepts connections on ports 443 and 80: Cloudflare's published edge ranges."
  type        = list(string)
  default = [
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
    "2400:cb00::/32",
    "2606:4700::/32",
    "2803:f800::/32",
    "2405:b500::/32",
    "2405:8100::/32",
    "2a06:98c0::/29",
    "2c0f:f248::/32",
  ]

  validation {
    condition     = length(var.cloudflare_ip_ranges) > 0 && alltrue([for cidr in var.cloudflare_ip_ranges : can(cidrhost(cidr, 0))])
    error_message = "cloudflare_ip_ranges must be a non-empty list of CIDR blocks such as 173.245.48.0/20 or 2400:cb00::/32."
  }

  validation {
    condition     = !anytrue([for cidr in var.cloudflare_ip_ranges : contains(["0.0.0.0/0", "::/0"], cidr)])
    error_message = "cloudflare_ip_ranges must not contain 0.0.0.0/0 or ::/0, because the load balancer must admit Cloudflare's edge only."
  }

  # Each range becomes one ingress rule per port (443 and 80), and a security group holds 60
  # inbound rules unless the quota was raised.
  validation {
    condition     = length(var.cloudflare_ip_ranges) <= 30
    error_message = "cloudflare_ip_ranges must have at most 30 entries, because each becomes two security group rules and the default quota is 60 inbound rules."
  }
}

variable "target_group_name" {
  description = "Name of the target group. Null uses `name`. A change of VPC, port, protocol or target type replaces the target group before destroying the old one (create_before_destroy), and two target groups cannot share a name, so such a change must also set a new name here, for example `quiz-backend-prod-2`."
  type        = string
  default     = null

  validation {
    condition     = var.target_group_name == null || (can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$", coalesce(var.target_group_name, "x"))) && length(coalesce(var.target_group_name, "x")) <= 32)
    error_message = "target_group_name must be 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "security_group_name" {
  description = "Name of the load balancer's security group. Null uses `<name>-alb`. A security group's name and description cannot change in place, so set both to the current values when adopting an existing group."
  type        = string
  default     = null
}

variable "security_group_description" {
  description = "Description of the load balancer's security group. Null uses a description naming the load balancer."
  type        = string
  default     = null
}

variable "target_port" {
  description = "Port on which the tasks listen; the target group sends traffic and health checks there."
  type        = number
  default     = 8000

  validation {
    condition     = var.target_port >= 1 && var.target_port <= 65535 && floor(var.target_port) == var.target_port
    error_message = "target_port must be a whole number from 1 to 65535."
  }
}

variable "health_check_path" {
  description = "HTTP path that the target group requests to decide whether a task is healthy."
  type        = string
  default     = "/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with \"/\"."
  }
}

variable "health_check" {
  description = "Target group health check timing: seconds between checks, seconds before a check times out, and consecutive results that mark a target healthy or unhealthy. `matcher` lists the HTTP codes that count as healthy."
  type = object({
    interval            = optional(number, 5)
    timeout             = optional(number, 2)
    healthy_threshold   = optional(number, 2)
    unhealthy_threshold = optional(number, 3)
    matcher             = optional(string, "200")
  })
  default = {}

  validation {
    condition     = var.health_check.interval >= 5 && var.health_check.interval <= 300 && var.health_check.timeout >= 2 && var.health_check.timeout < var.health_check.interval
    error_message = "health_check.interval must be 5 to 300 seconds, and health_check.timeout must be at least 2 seconds and less than the interval."
  }

  validation {
    condition     = var.health_check.healthy_threshold >= 2 && var.health_check.healthy_threshold <= 10 && var.health_check.unhealthy_threshold >= 2 && var.health_check.unhealthy_threshold <= 10
    error_message = "health_check.healthy_threshold and health_check.unhealthy_threshold must each be 2 to 10."
  }
}

variable "deregistration_delay" {
  description = "Seconds the target group lets in-flight requests finish on a task that is being stopped."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be 0 to 3600 seconds."
  }
}

variable "idle_timeout" {
  description = "Seconds a client connection may stay idle before the load balancer closes it."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000
    error_message = "idle_timeout must be 1 to 4000 seconds."
  }
}

variable "enable_deletion_protection" {
  description = "Whether AWS rejects deletion of the load balancer until this is turned off. Set it in prod."
  type        = bool
}

variable "tags" {
  description = "Tags added to every resource of the module, on top of the provider's default tags."
  type        = map(string)
  default     = {}
}
