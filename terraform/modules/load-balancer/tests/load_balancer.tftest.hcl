# Runs with `terraform test` after `terraform init`; the mock provider needs the AWS provider's
# schema but no credentials.
mock_provider "aws" {
  override_data {
    target = data.aws_vpc.this
    values = {
      cidr_block = "172.31.0.0/16"
    }
  }
}

variables {
  name                       = "quiz-backend-prod"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
  certificate_arn            = "arn:aws:acm:ap-south-1:123456789012:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
  enable_deletion_protection = true
}

run "existing_target_group_name" {
  command = plan

  assert {
    condition     = aws_lb_target_group.this.name == "quiz-backend-prod"
    error_message = "The target group must keep the load balancer's name, without a suffix."
  }
}

run "ingress_from_cloudflare_only" {
  command = plan

  assert {
    condition     = sort([for rule in aws_security_group.this.ingress : rule.from_port]) == [80, 443]
    error_message = "The load balancer must admit ports 80 and 443 only."
  }

  assert {
    condition = alltrue([
      for rule in aws_security_group.this.ingress :
      !contains(rule.cidr_blocks, "0.0.0.0/0") && !contains(rule.ipv6_cidr_blocks, "::/0") && length(rule.cidr_blocks) > 0
    ])
    error_message = "Every ingress rule must take its sources from Cloudflare's ranges."
  }
}

run "https_and_redirect" {
  command = plan

  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && startswith(aws_lb_listener.https.ssl_policy, "ELBSecurityPolicy-TLS13-")
    error_message = "Port 443 must serve HTTPS with a TLS 1.3 policy."
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "Port 80 must only redirect to HTTPS."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields
    error_message = "The load balancer must drop invalid header fields."
  }
}

run "open_range_rejected" {
  command = plan

  variables {
    cloudflare_ip_ranges = ["0.0.0.0/0"]
  }

  expect_failures = [var.cloudflare_ip_ranges]
}
