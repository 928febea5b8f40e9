"""Each contract check passes on the committed Terraform and fails on a copy broken on purpose.

Run with: python3 -m pytest -q terraform/tests
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TERRAFORM = Path(__file__).resolve().parent.parent
SCRIPT = TERRAFORM / "tests" / "check_contracts.py"


def run_checks(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], capture_output=True, text=True, check=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM, copy, ignore=shutil.ignore_patterns(".terraform", "__pycache__", ".pytest_cache"))
    return copy


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, f"{old!r} not found in {relative}; update the test to the current Terraform"
    path.write_text(text.replace(old, new, 1))


def test_committed_terraform_passes() -> None:
    result = run_checks(TERRAFORM)
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("All 10 contract checks passed")


# (file, text to replace, replacement, words the report must contain)
BREAKAGES = [
    pytest.param(
        "modules/service/main.tf", "ignore_changes = [task_definition, desired_count]", "ignore_changes = [desired_count]",
        "must list task_definition in lifecycle.ignore_changes", id="service-follows-task-definition",
    ),
    pytest.param(
        "modules/service/main.tf", "ignore_changes = [min_capacity, max_capacity]", "ignore_changes = []",
        "must ignore min_capacity and max_capacity", id="autoscaling-owns-range",
    ),
    pytest.param(
        "modules/service/main.tf", "    rollback = true", "    rollback = false",
        "rollback = true", id="no-rollback",
    ),
    pytest.param(
        "envs/testing/locals.tf", "CMS_SERVICE_ENDPOINT = ", "MONGO_URI = \"x\"\n    CMS_SERVICE_ENDPOINT = ",
        "environment variable MONGO_URI looks like a credential", id="credential-in-environment",
    ),
    pytest.param(
        "modules/load-balancer/main.tf", "cidr_blocks      = local.cloudflare_ipv4_ranges", 'cidr_blocks      = ["0.0.0.0/0"]',
        "must set cidr_blocks = local.cloudflare_ipv4_ranges", id="alb-open-to-anyone",
    ),
    pytest.param(
        "modules/load-balancer/main.tf", "drop_invalid_header_fields = true", "drop_invalid_header_fields = false",
        "drop_invalid_header_fields = true", id="invalid-headers-kept",
    ),
    pytest.param(
        "modules/load-balancer/main.tf", 'type = "redirect"', 'type = "forward"',
        "must only redirect to HTTPS", id="http-served",
    ),
    pytest.param(
        "modules/load-balancer/main.tf", "name        = local.target_group_name", 'name        = "${var.name}-${random_id.suffix.hex}"',
        "without a generated suffix", id="target-group-suffix",
    ),
    pytest.param(
        "envs/prod/locals.tf", "enable_deletion_protection = true", "enable_deletion_protection = false",
        "enable_deletion_protection = true", id="prod-deletable",
    ),
    pytest.param(
        "envs/prod/locals.tf", "min_capacity        = 2", "min_capacity        = 1",
        "min_capacity must be 2 or more", id="prod-one-task",
    ),
    pytest.param(
        "envs/prod/locals.tf", "log_retention_in_days      = 90", "log_retention_in_days      = 7",
        "keep logs longer", id="prod-short-logs",
    ),
    pytest.param(
        "envs/prod/locals.tf", 'image_tag_mutability = "IMMUTABLE"', 'image_tag_mutability = "MUTABLE"',
        'image_tag_mutability = "IMMUTABLE"', id="prod-mutable-tags",
    ),
    pytest.param(
        "envs/prod/locals.tf", "enable_execute_command     = false", "enable_execute_command     = true",
        "enable_execute_command = false", id="prod-exec",
    ),
    pytest.param(
        "modules/deploy-role/main.tf", 'test     = "StringEquals"\n      variable = "${local.oidc_issuer}:sub"', 'test     = "StringLike"\n      variable = "${local.oidc_issuer}:sub"',
        "must require StringEquals on sub", id="trust-wildcard",
    ),
    pytest.param(
        "modules/deploy-role/main.tf", ':environment:${var.github_environment}"\n', ':*"\n',
        "local.oidc_subject must be", id="trust-any-job",
    ),
    pytest.param(
        "modules/deploy-role/main.tf", "/${local.github_repository_name}@${var.github_repository_ids.repository_id}", "/${local.github_repository_name}",
        "local.oidc_subject_immutable must be", id="trust-immutable-without-repository-id",
    ),
    pytest.param(
        "modules/service/main.tf", 'actions   = ["ssm:GetParameters"]\n      resources = statement.value', 'actions   = ["ssm:GetParameters"]\n      resources = ["*"]',
        "ssm:GetParameters must apply only to local.ssm_parameter_arns", id="exec-role-reads-all-parameters",
    ),
    pytest.param(
        "modules/service/main.tf", 'actions   = ["secretsmanager:GetSecretValue"]', 'actions   = ["secretsmanager:*"]',
        "must grant exactly secretsmanager:GetSecretValue", id="exec-role-wide-actions",
    ),
    pytest.param(
        "envs/testing/versions.tf", "use_lockfile = true", 'dynamodb_table = "terraform-locks"\n    profile = "deepansh-af"',
        "must not set profile", id="backend-profile",
    ),
    pytest.param(
        "envs/prod/versions.tf", 'key          = "prod/terraform.tfstate"', 'key          = "ecs-deploy-kit/prod/terraform.tfstate"',
        "the backend key must stay", id="state-key-moved",
    ),
    pytest.param(
        "envs/prod/versions.tf", 'provider "cloudflare" {}', 'provider "cloudflare" {\n  api_key = "x"\n}',
        "a provider block sets api_key", id="global-api-key",
    ),
    pytest.param(
        "modules/dns-tls/main.tf", "  proxied = true\n", "  proxied = false\n",
        "cloudflare_dns_record.this must be proxied = true", id="record-not-proxied",
    ),
    pytest.param(
        "modules/dns-tls/main.tf", "  proxied = false\n", "  proxied = true\n",
        "cloudflare_dns_record.validation must be proxied = false", id="validation-proxied",
    ),
    pytest.param(
        "modules/zone-ssl/main.tf", 'ssl = "strict"', 'ssl = "flexible"',
        'must set ssl = "strict"', id="ssl-flexible",
    ),
    pytest.param(
        "envs/prod/migration.tf", "moved {\n  from = aws_ecs_service.quiz_backend\n  to   = module.service.aws_ecs_service.this\n}\n", "",
        "needs moved { from = aws_ecs_service.quiz_backend", id="service-would-be-replaced",
    ),
    pytest.param(
        "envs/testing/locals.tf", 'tasks_security_group             = "${local.name}-ecs-tasks"', 'tasks_security_group             = "${local.name}-tasks"',
        "local.legacy_names.tasks_security_group must be", id="security-group-renamed",
    ),
    pytest.param(
        "envs/testing/locals.tf", "capacity_provider_strategy = []", 'capacity_provider_strategy = [{ capacity_provider = "FARGATE_SPOT", weight = 1 }]',
        "capacity_provider_strategy must stay []", id="launch-type-switched-during-takeover",
    ),
    pytest.param(
        "modules/bootstrap/main.tf", 'status = "Enabled"\n  }\n}', 'status = "Suspended"\n  }\n}',
        "versioning Enabled", id="state-unversioned",
    ),
    pytest.param(
        "modules/bootstrap/main.tf", "restrict_public_buckets = true", "restrict_public_buckets = false",
        "restrict_public_buckets = true", id="state-public",
    ),
]


@pytest.mark.parametrize(("relative", "old", "new", "expected"), BREAKAGES)
def test_broken_contract_is_reported(tree: Path, relative: str, old: str, new: str, expected: str) -> None:
    edit(tree, relative, old, new)
    result = run_checks(tree)
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout, result.stdout


def test_page_rule_is_reported(tree: Path) -> None:
    (tree / "envs" / "prod" / "legacy.tf").write_text('resource "cloudflare_page_rule" "ssl_flexible" {\n  priority = 1\n}\n')
    result = run_checks(tree)
    assert result.returncode == 1
    assert "envs/prod/legacy.tf: uses cloudflare_page_rule" in result.stdout


def test_defaulted_environment_variable_is_reported(tree: Path) -> None:
    (tree / "envs" / "prod" / "variables.tf").write_text('variable "environment" {\n  default = "testing"\n}\n')
    result = run_checks(tree)
    assert result.returncode == 1
    assert 'declares variable "environment"' in result.stdout
