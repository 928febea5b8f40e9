data "aws_vpc" "this" {
  id = var.vpc_id
}

locals {
  target_group_name = coalesce(var.target_group_name, var.name)

  cloudflare_ipv4_ranges = [for cidr in var.cloudflare_ip_ranges : cidr if !strcontains(cidr, ":")]
  cloudflare_ipv6_ranges = [for cidr in var.cloudflare_ip_ranges : cidr if strcontains(cidr, ":")]
}

# The rules are inline on purpose: inline rules are authoritative, so an apply also revokes any
# rule added outside this module, such as the "HTTP from anywhere" rule of the hand-written roots
# this module replaces.
resource "aws_security_group" "this" {
  name        = coalesce(var.security_group_name, "${var.name}-alb")
  description = coalesce(var.security_group_description, "Load balancer ${var.name}: HTTPS and HTTP from Cloudflare only")
  vpc_id      = var.vpc_id

  ingress {
    description      = "HTTPS from Cloudflare"
    protocol         = "tcp"
    from_port        = 443
    to_port          = 443
    cidr_blocks      = local.cloudflare_ipv4_ranges
    ipv6_cidr_blocks = local.cloudflare_ipv6_ranges
  }

  # Port 80 only answers with a redirect to HTTPS, and it admits the same ranges as 443.
  ingress {
    description      = "HTTP from Cloudflare, redirected to HTTPS"
    protocol         = "tcp"
    from_port        = 80
    to_port          = 80
    cidr_blocks      = local.cloudflare_ipv4_ranges
    ipv6_cidr_blocks = local.cloudflare_ipv6_ranges
  }

  egress {
    description = "Traffic and health checks to the tasks"
    protocol    = "tcp"
    from_port   = var.target_port
    to_port     = var.target_port
    cidr_blocks = [data.aws_vpc.this.cidr_block]
  }

  tags = merge(var.tags, { Name = coalesce(var.security_group_name, "${var.name}-alb") })
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:Cloudflare's proxy, the only client the security group admits, is the web application firewall in front of this load balancer.
  #checkov:skip=CKV_AWS_91:Access logs need a log bucket with an ELB delivery policy; Cloudflare's request logs and the target group metrics cover requests here.

  name               = var.name
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.this.id]
  subnets            = var.subnet_ids

  drop_invalid_header_fields = true
  enable_deletion_protection = var.enable_deletion_protection
  idle_timeout               = var.idle_timeout

  tags = var.tags
}

resource "aws_lb_target_group" "this" {
  name        = local.target_group_name
  vpc_id      = var.vpc_id
  target_type = "ip"
  protocol    = "HTTP"
  port        = var.target_port

  deregistration_delay = var.deregistration_delay

  health_check {
    enabled             = true
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = var.health_check_path
    matcher             = var.health_check.matcher
    interval            = var.health_check.interval
    timeout             = var.health_check.timeout
    healthy_threshold   = var.health_check.healthy_threshold
    unhealthy_threshold = var.health_check.unhealthy_threshold
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }

  tags = var.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }

  tags = var.tags

  # Port 80 starts redirecting only once port 443 answers.
  depends_on = [aws_lb_listener.https]
}
