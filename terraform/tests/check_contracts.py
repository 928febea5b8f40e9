#!/usr/bin/env python3
"""Check the Terraform contracts that CI and the deploy actions rely on.

Usage: python3 terraform/tests/check_contracts.py [TERRAFORM_DIR]

TERRAFORM_DIR defaults to the folder above this script. The check reads the .tf text with
regular expressions and a brace matcher, because neither an HCL parser nor the AWS provider is
available where it runs. It therefore understands the shapes this repository writes (literal
blocks, `local.*` and `var.*` references) and reports anything else it cannot follow as broken.
Prints one line per broken contract and exits 1, or prints a summary and exits 0.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Environment variable names that look like credentials. The service module's validation of
# environment_variables uses the same rule.
CREDENTIAL_NAME = re.compile(r"URI|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|(^|_)KEY(_|$)")

CLOUDFLARE_VARIABLE = "cloudflare_ip_ranges"

# Token subjects of a job in a GitHub Environment: the classic form, and the immutable form with
# the owner's and the repository's numeric ids (GitHub changelog, 2026-04-23).
OIDC_LOCALS = {
    "oidc_subject": '"repo:${var.github_repository}:environment:${var.github_environment}"',
    "oidc_subject_immutable": 'var.github_repository_ids == null ? null : "repo:${local.github_owner}@${var.github_repository_ids.owner_id}/${local.github_repository_name}@${var.github_repository_ids.repository_id}:environment:${var.github_environment}"',
    "oidc_subjects": "compact([local.oidc_subject, local.oidc_subject_immutable])",
}

# State keys of the hand-written roots, which the new roots take over.
STATE_KEYS = {"testing": "testing/terraform.tfstate", "staging": "staging/terraform.tfstate", "prod": "prod/terraform.tfstate"}

# Addresses in the hand-written roots' state and where they live now. A missing move would make
# Terraform destroy the resource and create a new one.
REQUIRED_MOVES = {
    "aws_ecs_service.quiz_backend": "module.service.aws_ecs_service.this",
    "aws_lb.quiz_backend": "module.load_balancer.aws_lb.this",
    "aws_lb_target_group.quiz_backend": "module.load_balancer.aws_lb_target_group.this",
    "aws_lb_listener.http": "module.load_balancer.aws_lb_listener.http",
    "aws_ecs_cluster.quiz_backend": "module.service.aws_ecs_cluster.this",
    "aws_security_group.alb": "module.load_balancer.aws_security_group.this",
    "aws_security_group.ecs_tasks": "module.service.aws_security_group.tasks",
    "aws_iam_role.ecs_task": "module.service.aws_iam_role.task",
    "aws_iam_role.ecs_task_execution": "module.service.aws_iam_role.task_execution",
    "aws_cloudwatch_log_group.quiz_backend": "module.service.aws_cloudwatch_log_group.this",
    "aws_appautoscaling_target.ecs": "module.service.aws_appautoscaling_target.this",
}

# The image layout: one application repository for every environment, created by envs/shared,
# with movable environment tags, and a build cache repository for the environment that builds.
APPLICATION_REPOSITORY = "quiz-backend"
BUILD_CACHE_REPOSITORY = "quiz-backend-cache"
MOVABLE_TAGS = {"testing", "staging", "prod", "latest"}

# The build job of examples/quiz-backend/.github/workflows/main.yml runs in this environment.
BUILD_ENVIRONMENTS = {"testing"}

# Resources of the hand-written roots that hold the running images: Terraform must forget them
# without destroying them.
KEPT_ON_REMOVAL = ("aws_ecr_repository.quiz_backend", "aws_ecr_lifecycle_policy.quiz_backend")

# Names that force a replacement when they change, as the hand-written roots set them.
LEGACY_NAMES = {
    "alb_security_group": "${local.name}-alb",
    "alb_security_group_description": "Security group for Quiz Backend ALB",
    "tasks_security_group": "${local.name}-ecs-tasks",
    "tasks_security_group_description": "Security group for Quiz Backend ECS tasks",
    "task_role": "${local.name}-ecs-task",
    "task_execution_role": "${local.name}-ecs-task-execution",
}


def blank_comments(text: str) -> str:
    """Replace comments with spaces, keeping offsets, and leave string literals untouched."""
    out = list(text)
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i = skip_string(text, i)
            continue
        if ch == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            for j in range(i, end):
                out[j] = " "
            i = end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end == -1 else end + 2
            for j in range(i, end):
                if out[j] != "\n":
                    out[j] = " "
            i = end
            continue
        i += 1
    return "".join(out)


def skip_string(text: str, start: int) -> int:
    """Return the index just past the string literal that opens at `start`, including `${...}`."""
    i = start + 1
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if depth == 0 and ch == '"':
            return i + 1
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if depth > 0 and ch == "}":
            depth -= 1
        elif depth > 0 and ch == '"':
            i = skip_string(text, i)
            continue
        i += 1
    return len(text)


def matching_close(text: str, open_index: int) -> int:
    """Return the index of the bracket that closes the one at `open_index`."""
    pairs = {"{": "}", "[": "]", "(": ")"}
    stack = [pairs[text[open_index]]]
    i = open_index + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = skip_string(text, i)
            continue
        if ch in pairs:
            stack.append(pairs[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    raise ValueError(f"unbalanced bracket at offset {open_index}; run terraform fmt on the file to locate it")


def blocks(text: str, header: str) -> list[tuple[re.Match[str], str]]:
    """Return (header match, body) for each block whose header matches the regex `header`."""
    found = []
    for match in re.finditer(header + r"\s*\{", text):
        open_index = match.end() - 1
        found.append((match, text[open_index + 1 : matching_close(text, open_index)]))
    return found


def attribute(body: str, name: str) -> str | None:
    """Return the expression text of the top-level attribute `name` in a block body."""
    depth = 0
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            i = skip_string(body, i)
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        elif depth == 0 and body.startswith(name, i) and (i == 0 or not (body[i - 1].isalnum() or body[i - 1] == "_")):
            match = re.compile(re.escape(name) + r"\s*=(?!=)\s*").match(body, i)
            if match:
                return expression_at(body, match.end())
        i += 1
    return None


def expression_at(body: str, start: int) -> str:
    """Return the expression that starts at `start` and ends at the end of its line."""
    i = start
    while i < len(body) and body[i] != "\n":
        if body[i] == '"':
            i = skip_string(body, i)
            continue
        if body[i] in "{[(":
            i = matching_close(body, i) + 1
            continue
        i += 1
    return body[start:i].strip()


def read_tf(directory: Path) -> str:
    return "\n".join(blank_comments(path.read_text()) for path in sorted(directory.glob("*.tf")))


def check_service_lifecycle(root: Path) -> list[str]:
    broken = []
    services = []
    for path in sorted(root.rglob("*.tf")):
        text = blank_comments(path.read_text())
        services += [(path, body) for _, body in blocks(text, r'resource\s+"aws_ecs_service"\s+"[^"]+"')]
    if not services:
        return ["No aws_ecs_service resource found under terraform/modules."]

    for path, body in services:
        where = path.relative_to(root.parent)
        lifecycle = blocks(body, r"\blifecycle")
        ignored = attribute(lifecycle[0][1], "ignore_changes") if lifecycle else None
        ignored_names = set(re.findall(r"[A-Za-z_]+", ignored or ""))
        for name in ("task_definition", "desired_count"):
            if name not in ignored_names:
                broken.append(f"{where}: aws_ecs_service must list {name} in lifecycle.ignore_changes, because CI owns revisions and task count.")

        breaker = blocks(body, r"\bdeployment_circuit_breaker")
        breaker_body = breaker[0][1] if breaker else ""
        if attribute(breaker_body, "enable") != "true" or attribute(breaker_body, "rollback") != "true":
            broken.append(f"{where}: aws_ecs_service must set deployment_circuit_breaker with enable = true and rollback = true.")

    for path in sorted(root.rglob("*.tf")):
        text = blank_comments(path.read_text())
        for _, body in blocks(text, r'resource\s+"aws_appautoscaling_target"\s+"[^"]+"'):
            lifecycle = blocks(body, r"\blifecycle")
            ignored = set(re.findall(r"[A-Za-z_]+", (attribute(lifecycle[0][1], "ignore_changes") if lifecycle else "") or ""))
            if not {"min_capacity", "max_capacity"} <= ignored:
                broken.append(f"{path.relative_to(root.parent)}: aws_appautoscaling_target must ignore min_capacity and max_capacity, because an external scheduler may set them.")
    return broken


def map_keys(expression: str) -> list[str]:
    """Return the keys of a literal map expression `{ KEY = value ... }`."""
    inner = expression.strip()[1:-1]
    return re.findall(r'(?m)^\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=', inner)


def find_local(directory: Path, name: str) -> tuple[str | None, Path]:
    """Return the expression of local `name` in the module at `directory`, and its file."""
    for path in sorted(directory.glob("*.tf")):
        for _, body in blocks(blank_comments(path.read_text()), r"\blocals"):
            value = attribute(body, name)
            if value is not None:
                return value, path
    return None, directory


def check_environment_names(root: Path) -> list[str]:
    broken = []
    for path in sorted(root.rglob("*.tf")):
        text = blank_comments(path.read_text())
        where = path.relative_to(root.parent)

        # Literal container definitions: environment = [{ name = "X", value = ... }, ...]
        for match in re.finditer(r"\benvironment\s*=\s*\[", text):
            listing = text[match.end() - 1 : matching_close(text, match.end() - 1) + 1]
            for name in re.findall(r'\bname\s*=\s*"([^"]+)"', listing):
                if CREDENTIAL_NAME.search(name.upper()):
                    broken.append(f"{where}: container environment entry {name} looks like a credential; move it to secrets as an SSM or Secrets Manager ARN.")

        # Maps handed to the service module's environment_variables, directly or through a local.
        for _, body in blocks(text, r'module\s+"[^"]+"'):
            value = attribute(body, "environment_variables")
            if value is None:
                continue
            if value.startswith("{"):
                candidates = [(name, where) for name in map_keys(value)]
            elif re.fullmatch(r"local\.[A-Za-z0-9_]+", value):
                local_value, local_where = find_local(path.parent, value.split(".", 1)[1])
                if local_value is None or not local_value.startswith("{"):
                    broken.append(f"{where}: environment_variables = {value} is not a literal map in a locals block, so its names cannot be checked.")
                    continue
                candidates = [(name, local_where.relative_to(root.parent)) for name in map_keys(local_value)]
            else:
                broken.append(f"{where}: environment_variables = {value} is neither a literal map nor a local, so its names cannot be checked.")
                continue
            for name, location in candidates:
                if CREDENTIAL_NAME.search(name.upper()):
                    broken.append(f"{location}: environment variable {name} looks like a credential; move it to secrets as an SSM or Secrets Manager ARN.")
    return broken


def check_load_balancer_ingress(root: Path) -> list[str]:
    directory = root / "modules" / "load-balancer"
    text = read_tf(directory)
    where = directory.relative_to(root.parent)
    broken = []

    # The security group's inline ingress blocks must take their sources from the two locals
    # that split var.cloudflare_ip_ranges into IPv4 and IPv6 ranges, and from nothing else.
    sources = {"cidr_blocks": "local.cloudflare_ipv4_ranges", "ipv6_cidr_blocks": "local.cloudflare_ipv6_ranges"}
    locals_text = "\n".join(body for _, body in blocks(text, r"\blocals"))
    for name, family in (("cloudflare_ipv4_ranges", "!strcontains"), ("cloudflare_ipv6_ranges", "strcontains")):
        value = attribute(locals_text, name) or ""
        expected = f'[for cidr in var.{CLOUDFLARE_VARIABLE} : cidr if {family}(cidr, ":")]'
        if value != expected:
            broken.append(f"{where}: local.{name} must be {expected} (found {value or None}).")

    groups = blocks(text, r'resource\s+"aws_security_group"\s+"[^"]+"')
    if not groups:
        broken.append(f"{where}: no aws_security_group resource found.")
    covers_443 = False
    for match, body in groups:
        for _, rule in blocks(body, r"\bingress"):
            from_port, to_port = attribute(rule, "from_port"), attribute(rule, "to_port")
            if not (from_port and to_port and from_port.isdigit() and to_port.isdigit()):
                broken.append(f"{where}: an ingress block has no literal from_port and to_port, so it cannot be checked.")
                continue
            covers_443 = covers_443 or int(from_port) <= 443 <= int(to_port)
            for source, expected in sources.items():
                if attribute(rule, source) != expected:
                    broken.append(f"{where}: ingress {from_port}-{to_port} must set {source} = {expected} (found {attribute(rule, source)}).")
            for source in ("security_groups", "prefix_list_ids", "self"):
                if attribute(rule, source) is not None:
                    broken.append(f"{where}: ingress {from_port}-{to_port} admits {source}; only var.{CLOUDFLARE_VARIABLE} may be a source.")
    if not covers_443:
        broken.append(f"{where}: no ingress block admits port 443 from var.{CLOUDFLARE_VARIABLE}.")

    for match, _ in blocks(text, r'resource\s+"(aws_vpc_security_group_ingress_rule|aws_security_group_rule)"\s+"([^"]+)"'):
        broken.append(f"{where}: {match.group(1)}.{match.group(2)} adds a rule outside the security group's inline blocks; the inline rules are authoritative and would fight it.")

    variable = blocks(text, r'variable\s+"' + CLOUDFLARE_VARIABLE + '"')
    default = attribute(variable[0][1], "default") if variable else None
    if not default or re.search(r'"(0\.0\.0\.0/0|::/0)"', default):
        broken.append(f"{where}: var.{CLOUDFLARE_VARIABLE} must default to Cloudflare's published ranges, without 0.0.0.0/0 or ::/0.")

    # HTTPS with a TLS 1.3 policy, HTTP only redirecting, invalid headers dropped.
    https = [body for _, body in blocks(text, r'resource\s+"aws_lb_listener"\s+"[^"]+"') if attribute(body, "port") == "443"]
    if not https or attribute(https[0], "protocol") != '"HTTPS"' or attribute(https[0], "ssl_policy") != "var.ssl_policy":
        broken.append(f"{where}: the listener on 443 must use protocol HTTPS with ssl_policy = var.ssl_policy.")
    policy = blocks(text, r'variable\s+"ssl_policy"')
    if not policy or not (attribute(policy[0][1], "default") or "").startswith('"ELBSecurityPolicy-TLS13-'):
        broken.append(f"{where}: var.ssl_policy must default to an ELBSecurityPolicy-TLS13-* policy.")
    http = [body for _, body in blocks(text, r'resource\s+"aws_lb_listener"\s+"[^"]+"') if attribute(body, "port") == "80"]
    for body in http:
        actions = blocks(body, r"\bdefault_action")
        if not actions or attribute(actions[0][1], "type") != '"redirect"' or attribute(blocks(actions[0][1], r"\bredirect")[0][1], "protocol") != '"HTTPS"':
            broken.append(f"{where}: the listener on 80 must only redirect to HTTPS.")
    for _, body in blocks(text, r'resource\s+"aws_lb"\s+"[^"]+"'):
        if attribute(body, "drop_invalid_header_fields") != "true":
            broken.append(f"{where}: aws_lb must set drop_invalid_header_fields = true.")

    # The target group keeps a caller-given name (the existing quiz-backend-<env>) and is
    # replaced create-before-destroy.
    for _, body in blocks(text, r'resource\s+"aws_lb_target_group"\s+"[^"]+"'):
        lifecycle = blocks(body, r"\blifecycle")
        if not lifecycle or attribute(lifecycle[0][1], "create_before_destroy") != "true":
            broken.append(f"{where}: aws_lb_target_group must set lifecycle.create_before_destroy = true.")
        if attribute(body, "name") != "local.target_group_name" or attribute(locals_text, "target_group_name") != "coalesce(var.target_group_name, var.name)":
            broken.append(f"{where}: the target group must be named coalesce(var.target_group_name, var.name), without a generated suffix.")
    return broken


def check_prod_settings(root: Path) -> list[str]:
    directory = root / "envs" / "prod"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    settings: dict[str, str] = {}
    for _, body in blocks(text, r"\blocals"):
        for name in ("enable_deletion_protection", "desired_count", "enable_execute_command"):
            value = attribute(body, name)
            if value is not None:
                settings[name] = value

    broken = []
    if settings.get("enable_deletion_protection") != "true":
        broken.append(f"{where}: locals must set enable_deletion_protection = true (found {settings.get('enable_deletion_protection')}).")
    desired = settings.get("desired_count", "")
    if not (desired.isdigit() and int(desired) >= 2):
        broken.append(f"{where}: locals must set desired_count to 2 or more (found {desired or None}).")
    if settings.get("enable_execute_command") != "false":
        broken.append(f"{where}: locals must set enable_execute_command = false (found {settings.get('enable_execute_command')}).")

    locals_text = "\n".join(body for _, body in blocks(text, r"\blocals"))
    autoscaling = re.sub(r"\s+", " ", attribute(locals_text, "autoscaling") or "")
    minimum = re.search(r"\bmin_capacity = (\d+)", autoscaling)
    if not (minimum and int(minimum.group(1)) >= 2):
        broken.append(f"{where}: locals.autoscaling.min_capacity must be 2 or more, so that tasks run in two zones (found {minimum.group(1) if minimum else None}).")
    if "scale_to_zero" in autoscaling:
        broken.append(f"{where}: prod must not scale to zero.")
    if "FARGATE_SPOT" in (attribute(locals_text, "capacity_provider_strategy") or ""):
        broken.append(f"{where}: prod must run on on-demand Fargate only, not FARGATE_SPOT.")
    retention = {}
    for env in ("testing", "staging", "prod"):
        value = find_local(root / "envs" / env, "log_retention_in_days")[0] or ""
        retention[env] = int(value) if value.isdigit() else None
    if retention["prod"] is None or any(days is None or days >= retention["prod"] for env, days in retention.items() if env != "prod"):
        broken.append(f"{where}: prod must keep logs longer than testing and staging (found {retention}).")

    # The settings count only if the module calls pass them on.
    for name in ("enable_deletion_protection", "desired_count", "enable_execute_command", "autoscaling", "capacity_provider_strategy", "log_retention_in_days"):
        passed = [attribute(body, name) for _, body in blocks(text, r'module\s+"[^"]+"')]
        if f"local.{name}" not in passed:
            broken.append(f"{where}: no module call passes {name} = local.{name}.")
    return broken


def check_trust_subject(root: Path) -> list[str]:
    directory = root / "modules" / "deploy-role"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    broken = []

    values: dict[str, str | None] = {}
    for _, body in blocks(text, r"\blocals"):
        for name in OIDC_LOCALS:
            values[name] = attribute(body, name) or values.get(name)
    for name, expected in OIDC_LOCALS.items():
        if values.get(name) != expected:
            broken.append(f"{where}: local.{name} must be {expected} (found {values.get(name)}).")

    trust = blocks(text, r'data\s+"aws_iam_policy_document"\s+"trust"')
    conditions = [body for _, trust_body in trust for _, body in blocks(trust_body, r"\bcondition")]
    subject_conditions = [body for body in conditions if re.search(r':sub"', attribute(body, "variable") or "")]
    if not subject_conditions:
        broken.append(f"{where}: the trust policy has no condition on the token's sub claim.")
    for body in subject_conditions:
        if attribute(body, "test") != '"StringEquals"' or attribute(body, "values") != "local.oidc_subjects":
            broken.append(f"{where}: the trust policy must require StringEquals on sub with values = local.oidc_subjects (found {attribute(body, 'test')} {attribute(body, 'values')}).")
    audience = [body for body in conditions if re.search(r':aud"', attribute(body, "variable") or "")]
    if not audience or attribute(audience[0], "values") != '["sts.amazonaws.com"]':
        broken.append(f"{where}: the trust policy must require the audience sts.amazonaws.com.")
    return broken


def check_execution_role_secrets(root: Path) -> list[str]:
    """The task execution role may read the ARNs in var.secrets and nothing more."""
    directory = root / "modules" / "service"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    broken = []

    documents = blocks(text, r'data\s+"aws_iam_policy_document"\s+"task_execution"')
    if not documents:
        return [f"{where}: data.aws_iam_policy_document.task_execution not found."]
    expected = {
        "ssm:GetParameters": "local.ssm_parameter_arns",
        "secretsmanager:GetSecretValue": "local.secretsmanager_secret_arns",
    }
    found = set()
    for match, body in blocks(documents[0][1], r'(dynamic\s+"statement"|\bstatement)'):
        content = blocks(body, r"\bcontent")
        statement = content[0][1] if content else body
        actions = attribute(statement, "actions") or ""
        for action, local_name in expected.items():
            reads = re.search(re.escape(action.split(":")[0]) + r":", actions)
            if not reads:
                continue
            if re.search(r"\*", actions) or actions != f'["{action}"]':
                broken.append(f"{where}: the execution role's secret statement must grant exactly {action} (found {actions}).")
            for_each = attribute(body, "for_each") or ""
            if local_name not in for_each or attribute(statement, "resources") != "statement.value":
                broken.append(f"{where}: {action} must apply only to {local_name} (for_each = {for_each or None}, resources = {attribute(statement, 'resources')}).")
            found.add(action)
    for action in expected:
        if action not in found:
            broken.append(f"{where}: the execution role has no {action} statement for the secrets.")

    locals_text = "\n".join(body for _, body in blocks(text, r"\blocals"))
    for name, service in (("ssm_parameter_arns", ":ssm:"), ("secretsmanager_secret_arns", ":secretsmanager:")):
        value = attribute(locals_text, name) or ""
        if "values(var.secrets)" not in value or service not in value or "*" in value:
            broken.append(f"{where}: local.{name} must list only the {service.strip(':')} ARNs of var.secrets (found {value or None}).")

    # The container gets the secrets as valueFrom references, never as environment values.
    if "secrets     = [for name, arn in var.secrets : { name = name, valueFrom = arn }]" not in text:
        broken.append(f"{where}: the container definition must render var.secrets as secrets with valueFrom.")
    return broken


def check_backends(root: Path) -> list[str]:
    """Every root: S3 backend with S3 locking, no profile, no DynamoDB table, no Global API key."""
    broken = []
    for directory in sorted((root / "envs").iterdir()):
        if not directory.is_dir():
            continue
        where = directory.relative_to(root.parent)
        text = read_tf(directory)
        backend = blocks(text, r'backend\s+"s3"')
        if not backend:
            broken.append(f"{where}: no S3 backend.")
            continue
        body = backend[0][1]
        if attribute(body, "use_lockfile") != "true":
            broken.append(f"{where}: the S3 backend must set use_lockfile = true.")
        for name in ("profile", "dynamodb_table", "access_key", "secret_key", "shared_credentials_files"):
            if attribute(body, name) is not None:
                broken.append(f"{where}: the S3 backend must not set {name}; credentials come from the environment.")
        key = attribute(body, "key") or ""
        if directory.name in STATE_KEYS and key != f'"{STATE_KEYS[directory.name]}"':
            broken.append(f"{where}: the backend key must stay \"{STATE_KEYS[directory.name]}\", the key that holds the current state (found {key or None}).")
        for _, provider in blocks(text, r'provider\s+"(aws|cloudflare)"'):
            for name in ("profile", "api_key", "email", "access_key", "secret_key"):
                if attribute(provider, name) is not None:
                    broken.append(f"{where}: a provider block sets {name}; credentials come from the environment (a scoped CLOUDFLARE_API_TOKEN for Cloudflare).")
        if re.search(r'variable\s+"environment"', text):
            broken.append(f"{where}: the root declares variable \"environment\"; the environment name is a local, never a defaulted input.")
        versions = blocks(text, r"\brequired_providers")
        for provider, constraint in (("aws", '"~> 6.0"'), ("cloudflare", '"~> 5.0"')):
            entry = attribute(versions[0][1], provider) if versions else None
            if entry is None or f"version = {constraint}" not in re.sub(r"\s+", " ", entry):
                broken.append(f"{where}: required_providers must pin {provider} to {constraint}.")
    return broken


def check_dns(root: Path) -> list[str]:
    """Proxied record, unproxied validation records, Full (strict) by rule, no page rule."""
    broken = []
    directory = root / "modules" / "dns-tls"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    records = {match.group(1): body for match, body in blocks(text, r'resource\s+"cloudflare_dns_record"\s+"([^"]+)"')}
    if attribute(records.get("this", ""), "proxied") != "true":
        broken.append(f"{where}: cloudflare_dns_record.this must be proxied = true.")
    if attribute(records.get("validation", ""), "proxied") != "false":
        broken.append(f"{where}: cloudflare_dns_record.validation must be proxied = false, or ACM cannot resolve it.")

    directory = root / "modules" / "zone-ssl"
    where = directory.relative_to(root.parent)
    rulesets = blocks(read_tf(directory), r'resource\s+"cloudflare_ruleset"\s+"[^"]+"')
    body = rulesets[0][1] if rulesets else ""
    if attribute(body, "phase") != '"http_config_settings"' or not re.search(r'ssl\s*=\s*"strict"', body):
        broken.append(f"{where}: a cloudflare_ruleset in phase http_config_settings must set ssl = \"strict\".")

    for path in sorted(root.rglob("*.tf")):
        text = blank_comments(path.read_text())
        if re.search(r'resource\s+"cloudflare_(page_rule|record)"', text):
            broken.append(f"{path.relative_to(root.parent)}: uses cloudflare_page_rule or cloudflare_record; use a configuration rule and cloudflare_dns_record (provider v5).")
    return broken


def check_migration(root: Path) -> list[str]:
    """testing and prod move the hand-written roots' resources instead of replacing them."""
    broken = []
    for env in STATE_KEYS:
        if env not in ("testing", "prod"):
            continue
        directory = root / "envs" / env
        where = directory.relative_to(root.parent)
        text = read_tf(directory)
        moves = {attribute(body, "from"): attribute(body, "to") for _, body in blocks(text, r"\bmoved")}
        for source, target in REQUIRED_MOVES.items():
            if moves.get(source) != target:
                broken.append(f"{where}: needs moved {{ from = {source}, to = {target} }} (found to = {moves.get(source)}).")
        removed = {attribute(body, "from"): body for _, body in blocks(text, r"\bremoved")}
        for source in KEPT_ON_REMOVAL:
            if source in moves:
                broken.append(f"{where}: moved {{ from = {source} }} must go: no environment root declares a repository any more, so a move would leave it at an address without configuration and Terraform would destroy it.")
            lifecycle = blocks(removed.get(source, ""), r"\blifecycle")
            if not lifecycle or attribute(lifecycle[0][1], "destroy") != "false":
                broken.append(f"{where}: needs removed {{ from = {source}, lifecycle {{ destroy = false }} }}, because the running revisions still pull images from that repository.")
        locals_text = "\n".join(body for _, body in blocks(text, r"\blocals"))
        if attribute(locals_text, "target_group_name") != "local.name":
            broken.append(f"{where}: local.target_group_name must be local.name, the existing target group's name.")
        if attribute(locals_text, "capacity_provider_strategy") != "[]":
            broken.append(f"{where}: local.capacity_provider_strategy must stay [] (the FARGATE launch type of the existing service) while the state is taken over.")
        legacy = attribute(locals_text, "legacy_names") or ""
        for name, value in LEGACY_NAMES.items():
            if f'{name} = "{value}"' not in re.sub(r"\s+", " ", legacy):
                broken.append(f"{where}: local.legacy_names.{name} must be \"{value}\", the existing resource's name.")
        imports = [body for _, body in blocks(text, r"\bimport")]
        if not any(attribute(body, "to") == "module.dns_tls.cloudflare_dns_record.this" for body in imports):
            broken.append(f"{where}: needs an import block that adopts the existing DNS record into module.dns_tls.cloudflare_dns_record.this.")
    return broken


def resolve(directory: Path, expression: str | None) -> str | None:
    """Return the literal behind `local.NAME` in the module at `directory`, or the expression itself."""
    if expression and re.fullmatch(r"local\.[A-Za-z0-9_]+", expression):
        return find_local(directory, expression.split(".", 1)[1])[0]
    return expression


def string_set(expression: str | None) -> set[str] | None:
    """Return the strings of a literal list `["a", "b"]`, or None for anything else."""
    if not expression or not expression.startswith("["):
        return None
    return set(re.findall(r'"([^"]*)"', expression))


def check_image_layout(root: Path) -> list[str]:
    """One application repository in envs/shared, read by every environment root."""
    broken = []

    # Repositories are created only by the registry module, and it only by envs/shared.
    registry_calls = []
    for path in sorted(root.rglob("*.tf")):
        text = blank_comments(path.read_text())
        where = path.relative_to(root.parent)
        in_registry_module = path.parent == root / "modules" / "registry"
        for match, _ in blocks(text, r'resource\s+"aws_ecr_repository"\s+"([^"]+)"'):
            if not in_registry_module:
                broken.append(f"{where}: aws_ecr_repository.{match.group(1)} creates a repository outside the registry module; the application's images live in the one repository that envs/shared creates.")
        for match, body in blocks(text, r'module\s+"([^"]+)"'):
            if (attribute(body, "source") or "").rstrip('/"').endswith("modules/registry"):
                registry_calls.append((path, match.group(1), body))

    shared = root / "envs" / "shared"
    repositories: dict[str, list[str]] = {}
    for path, module, body in registry_calls:
        where = path.relative_to(root.parent)
        if path.parent != shared:
            broken.append(f"{where}: module \"{module}\" calls the registry module; only envs/shared creates repositories, and environment roots read them with data \"aws_ecr_repository\".")
            continue
        name = resolve(shared, attribute(body, "name")) or ""
        repositories.setdefault(name.strip('"'), []).append(body)

    where = shared.relative_to(root.parent)
    for name in sorted(set(repositories) - {APPLICATION_REPOSITORY, BUILD_CACHE_REPOSITORY}):
        broken.append(f"{where}: the registry module creates repository \"{name}\", which is neither the application repository \"{APPLICATION_REPOSITORY}\" nor the build cache \"{BUILD_CACHE_REPOSITORY}\".")
    application = repositories.get(APPLICATION_REPOSITORY, [])
    if len(application) != 1:
        broken.append(f"{where}: must define exactly one application repository \"{APPLICATION_REPOSITORY}\" with the registry module (found {len(application)}).")
    for body in application[:1]:
        if attribute(body, "image_tag_mutability") != '"IMMUTABLE_WITH_EXCLUSION"':
            broken.append(f"{where}: \"{APPLICATION_REPOSITORY}\" must set image_tag_mutability = \"IMMUTABLE_WITH_EXCLUSION\", so that build and release tags never move (found {attribute(body, 'image_tag_mutability')}).")
        filters = string_set(resolve(shared, attribute(body, "image_tag_mutability_exclusion_filters")))
        if filters != MOVABLE_TAGS:
            broken.append(f"{where}: \"{APPLICATION_REPOSITORY}\" must exclude exactly the environment tags {sorted(MOVABLE_TAGS)} from immutability (found {sorted(filters) if filters is not None else None}).")
        kept = string_set(resolve(shared, attribute(body, "kept_tags")))
        if kept is None or not MOVABLE_TAGS <= kept:
            broken.append(f"{where}: \"{APPLICATION_REPOSITORY}\" must keep the images of the environment tags {sorted(MOVABLE_TAGS)} with kept_tags (found {sorted(kept) if kept is not None else None}).")
        if attribute(body, "release_tag_pattern") != '"v*"':
            broken.append(f"{where}: \"{APPLICATION_REPOSITORY}\" must keep release images with release_tag_pattern = \"v*\" (found {attribute(body, 'release_tag_pattern')}).")
        if attribute(body, "untagged_image_expiry_days") != "null":
            broken.append(f"{where}: \"{APPLICATION_REPOSITORY}\" must set untagged_image_expiry_days = null, because the untagged children of a kept image index must not expire.")
    cache = repositories.get(BUILD_CACHE_REPOSITORY, [])
    if len(cache) != 1:
        broken.append(f"{where}: must define exactly one build cache repository \"{BUILD_CACHE_REPOSITORY}\" with the registry module (found {len(cache)}).")
    for body in cache[:1]:
        if attribute(body, "image_tag_mutability") != '"MUTABLE"':
            broken.append(f"{where}: \"{BUILD_CACHE_REPOSITORY}\" must be MUTABLE, because every build moves its cache tag.")
        expiry = resolve(shared, attribute(body, "untagged_image_expiry_days")) or ""
        if not expiry.isdigit():
            broken.append(f"{where}: \"{BUILD_CACHE_REPOSITORY}\" must expire replaced cache entries with a literal untagged_image_expiry_days (found {expiry or None}).")

    # Each environment root reads the shared repositories, and only a building one the cache.
    for env in STATE_KEYS:
        directory = root / "envs" / env
        where = directory.relative_to(root.parent)
        text = read_tf(directory)
        sources = {match.group(1): resolve(directory, attribute(body, "name")) for match, body in blocks(text, r'data\s+"aws_ecr_repository"\s+"([^"]+)"')}
        if sources.get("application") != f'"{APPLICATION_REPOSITORY}"':
            broken.append(f"{where}: needs data \"aws_ecr_repository\" \"application\" reading \"{APPLICATION_REPOSITORY}\" (found {sources.get('application')}).")
        builds = find_local(directory, "builds_images")[0]
        expected = "true" if env in BUILD_ENVIRONMENTS else "false"
        if builds != expected:
            broken.append(f"{where}: local.builds_images must be {expected}, because the image is built in {sorted(BUILD_ENVIRONMENTS)} only; the build cache and layer uploads are for that role (found {builds}).")
        if sources.get("build_cache") != f'"{BUILD_CACHE_REPOSITORY}"':
            broken.append(f"{where}: needs data \"aws_ecr_repository\" \"build_cache\" reading \"{BUILD_CACHE_REPOSITORY}\" (found {sources.get('build_cache')}).")
        roles = [body for match, body in blocks(text, r'module\s+"([^"]+)"') if (attribute(body, "source") or "").rstrip('/"').endswith("modules/deploy-role")]
        role = roles[0] if roles else ""
        if attribute(role, "repository_arn") != "data.aws_ecr_repository.application.arn":
            broken.append(f"{where}: the deploy role must get repository_arn = data.aws_ecr_repository.application.arn (found {attribute(role, 'repository_arn')}).")
        if attribute(role, "build_cache_repository_arn") != "one(data.aws_ecr_repository.build_cache[*].arn)":
            broken.append(f"{where}: the deploy role must get build_cache_repository_arn = one(data.aws_ecr_repository.build_cache[*].arn), which is null unless the environment builds (found {attribute(role, 'build_cache_repository_arn')}).")
        cache_data = [body for match, body in blocks(text, r'data\s+"aws_ecr_repository"\s+"build_cache"')]
        if cache_data and attribute(cache_data[0], "count") != "local.builds_images ? 1 : 0":
            broken.append(f"{where}: data \"aws_ecr_repository\" \"build_cache\" must set count = local.builds_images ? 1 : 0.")
    return broken


def check_bootstrap(root: Path) -> list[str]:
    directory = root / "modules" / "bootstrap"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    broken = []
    resources = {match.group(1): body for match, body in blocks(text, r'resource\s+"(aws_s3_bucket_[a-z_]+|aws_iam_openid_connect_provider)"\s+"[^"]+"')}
    versioning = blocks(resources.get("aws_s3_bucket_versioning", ""), r"\bversioning_configuration")
    if not versioning or attribute(versioning[0][1], "status") != '"Enabled"':
        broken.append(f"{where}: the state bucket must have versioning Enabled.")
    if "aws_s3_bucket_server_side_encryption_configuration" not in resources:
        broken.append(f"{where}: the state bucket must have default encryption.")
    block = resources.get("aws_s3_bucket_public_access_block", "")
    for name in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"):
        if attribute(block, name) != "true":
            broken.append(f"{where}: the public access block must set {name} = true.")
    provider = resources.get("aws_iam_openid_connect_provider", "")
    if attribute(provider, "url") != '"https://token.actions.githubusercontent.com"' or attribute(provider, "client_id_list") != '["sts.amazonaws.com"]':
        broken.append(f"{where}: the GitHub OIDC provider must have url https://token.actions.githubusercontent.com and audience sts.amazonaws.com.")
    return broken


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    checks = [
        check_service_lifecycle,
        check_environment_names,
        check_load_balancer_ingress,
        check_prod_settings,
        check_trust_subject,
        check_execution_role_secrets,
        check_backends,
        check_dns,
        check_migration,
        check_image_layout,
        check_bootstrap,
    ]

    broken = []
    for check in checks:
        try:
            broken += check(root)
        except (OSError, ValueError, IndexError) as error:
            broken.append(f"{check.__name__}: could not read the Terraform under {root}: {error}")

    for line in broken:
        print(line)
    if broken:
        return 1
    print(f"All {len(checks)} contract checks passed under {root}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
