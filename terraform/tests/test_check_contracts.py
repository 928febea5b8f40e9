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
    assert result.stdout.startswith("All 11 contract checks passed")


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
        "envs/staging/main.tf", 'module "dns_tls" {', 'module "registry" {\n  source = "../../modules/registry"\n\n  name = local.name\n}\n\nmodule "dns_tls" {',
        'envs/staging/main.tf: module "registry" calls the registry module', id="environment-creates-repository",
    ),
    pytest.param(
        "envs/shared/locals.tf", 'build_cache_repository_name = "quiz-backend-cache"', 'build_cache_repository_name = "quiz-backend"',
        'must define exactly one application repository "quiz-backend" with the registry module (found 2)', id="second-application-repository",
    ),
    pytest.param(
        "envs/shared/locals.tf", 'build_cache_repository_name = "quiz-backend-cache"', 'build_cache_repository_name = "quiz-backend-testing"',
        'creates repository "quiz-backend-testing", which is neither', id="extra-repository-in-shared",
    ),
    pytest.param(
        "envs/shared/main.tf", 'image_tag_mutability                   = "IMMUTABLE_WITH_EXCLUSION"', 'image_tag_mutability                   = "MUTABLE_WITH_EXCLUSION"',
        'must set image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"', id="application-tags-mutable",
    ),
    pytest.param(
        "envs/shared/locals.tf", 'movable_tags    = ["testing", "staging", "prod", "latest"]', 'movable_tags    = ["testing", "staging", "prod", "latest", "v*"]',
        "must exclude exactly the environment tags", id="release-tags-movable",
    ),
    pytest.param(
        "envs/shared/main.tf", "kept_tags                              = local.movable_tags", 'kept_tags                              = ["latest"]',
        "must keep the images of the environment tags", id="environment-images-expire",
    ),
    pytest.param(
        "envs/shared/main.tf", "untagged_image_expiry_days = null", "untagged_image_expiry_days = 90",
        "must set untagged_image_expiry_days = null", id="index-children-expire",
    ),
    pytest.param(
        "envs/shared/main.tf", "untagged_image_expiry_days = local.build_cache_expiry_days", "untagged_image_expiry_days = null",
        "must expire replaced cache entries", id="cache-never-expires",
    ),
    pytest.param(
        "envs/staging/locals.tf", "builds_images = false", "builds_images = true",
        "envs/staging: local.builds_images must be false", id="staging-role-builds",
    ),
    pytest.param(
        "envs/testing/locals.tf", "builds_images = true", "builds_images = false",
        "envs/testing: local.builds_images must be true", id="testing-role-cannot-build",
    ),
    pytest.param(
        "envs/prod/main.tf", 'name = local.repository_name', 'name = "quiz-backend-prod"',
        'envs/prod: needs data "aws_ecr_repository" "application" reading "quiz-backend"', id="prod-reads-old-repository",
    ),
    pytest.param(
        "envs/testing/main.tf", "build_cache_repository_arn = one(data.aws_ecr_repository.build_cache[*].arn)", 'build_cache_repository_arn = "arn:aws:ecr:ap-south-1:123456789012:repository/quiz-backend-cache"',
        "the deploy role must get build_cache_repository_arn", id="cache-access-unconditional",
    ),
    pytest.param(
        "envs/testing/migration.tf", "    destroy = false\n  }\n}\n\nremoved {\n  from = aws_ecr_lifecycle_policy", "    destroy = true\n  }\n}\n\nremoved {\n  from = aws_ecr_lifecycle_policy",
        "envs/testing: needs removed { from = aws_ecr_repository.quiz_backend, lifecycle { destroy = false } }", id="old-repository-destroyed",
    ),
    pytest.param(
        "envs/prod/migration.tf", "removed {\n  from = aws_ecr_lifecycle_policy.quiz_backend\n\n  lifecycle {\n    destroy = false\n  }\n}\n", "",
        "envs/prod: needs removed { from = aws_ecr_lifecycle_policy.quiz_backend", id="old-lifecycle-policy-destroyed",
    ),
    pytest.param(
        "envs/prod/migration.tf", "removed {\n  from = aws_ecr_repository.quiz_backend\n\n  lifecycle {\n    destroy = false\n  }\n}\n", "moved {\n  from = aws_ecr_repository.quiz_backend\n  to   = module.registry.aws_ecr_repository.this\n}\n",
        "moved { from = aws_ecr_repository.quiz_backend } must go", id="old-repository-moved",
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


def test_repository_resource_in_environment_is_reported(tree: Path) -> None:
    (tree / "envs" / "testing" / "legacy.tf").write_text('resource "aws_ecr_repository" "quiz_backend" {\n  name = "quiz-backend-testing"\n}\n')
    result = run_checks(tree)
    assert result.returncode == 1
    assert "envs/testing/legacy.tf: aws_ecr_repository.quiz_backend creates a repository outside the registry module" in result.stdout
