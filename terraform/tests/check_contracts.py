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
OIDC_SUBJECT = '"repo:${var.github_repository}:environment:${var.github_environment}"'


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

    for _, body in blocks(text, r'resource\s+"aws_security_group"\s+"[^"]+"'):
        if blocks(body, r"\bingress"):
            broken.append(f"{where}: aws_security_group has an inline ingress block; admit traffic only through rules fed by var.{CLOUDFLARE_VARIABLE}.")

    rules_on_443 = 0
    for match, body in blocks(text, r'resource\s+"(aws_vpc_security_group_ingress_rule|aws_security_group_rule)"\s+"([^"]+)"'):
        resource = f"{match.group(1)}.{match.group(2)}"
        if match.group(1) == "aws_security_group_rule" and attribute(body, "type") != '"ingress"':
            continue
        from_port = attribute(body, "from_port")
        to_port = attribute(body, "to_port")
        if not (from_port and to_port and from_port.isdigit() and to_port.isdigit()):
            broken.append(f"{where}: {resource} has no literal from_port and to_port, so it cannot be checked against port 443.")
            continue
        if not int(from_port) <= 443 <= int(to_port):
            continue
        rules_on_443 += 1

        for_each = attribute(body, "for_each") or ""
        if not re.fullmatch(r"(toset\()?var\." + CLOUDFLARE_VARIABLE + r"\)?", for_each):
            broken.append(f"{where}: {resource} admits port 443 but does not iterate over var.{CLOUDFLARE_VARIABLE} (for_each = {for_each or 'missing'}).")
        for source in ("cidr_ipv4", "cidr_ipv6", "cidr_blocks", "ipv6_cidr_blocks"):
            value = attribute(body, source)
            if value is not None and not re.fullmatch(r'(strcontains\(each\.value, ":"\) \? (null|each\.value) : (null|each\.value))|each\.value|\[each\.value\]', value):
                broken.append(f"{where}: {resource} takes {source} from {value}, not from var.{CLOUDFLARE_VARIABLE}.")
        for source in ("referenced_security_group_id", "prefix_list_id", "source_security_group_id", "self"):
            if attribute(body, source) is not None:
                broken.append(f"{where}: {resource} admits port 443 from {source}; only var.{CLOUDFLARE_VARIABLE} may be a source.")

    if rules_on_443 == 0:
        broken.append(f"{where}: no ingress rule admits port 443 from var.{CLOUDFLARE_VARIABLE}.")

    variable = blocks(text, r'variable\s+"' + CLOUDFLARE_VARIABLE + '"')
    default = attribute(variable[0][1], "default") if variable else None
    if not default or re.search(r'"(0\.0\.0\.0/0|::/0)"', default):
        broken.append(f"{where}: var.{CLOUDFLARE_VARIABLE} must default to Cloudflare's published ranges, without 0.0.0.0/0 or ::/0.")
    return broken


def check_prod_settings(root: Path) -> list[str]:
    directory = root / "envs" / "prod"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    settings: dict[str, str] = {}
    for _, body in blocks(text, r"\blocals"):
        for name in ("enable_deletion_protection", "desired_count", "image_tag_mutability", "enable_execute_command"):
            value = attribute(body, name)
            if value is not None:
                settings[name] = value

    broken = []
    if settings.get("enable_deletion_protection") != "true":
        broken.append(f"{where}: locals must set enable_deletion_protection = true (found {settings.get('enable_deletion_protection')}).")
    desired = settings.get("desired_count", "")
    if not (desired.isdigit() and int(desired) >= 2):
        broken.append(f"{where}: locals must set desired_count to 2 or more (found {desired or None}).")
    if settings.get("image_tag_mutability") != '"IMMUTABLE"':
        broken.append(f"{where}: locals must set image_tag_mutability = \"IMMUTABLE\" (found {settings.get('image_tag_mutability')}).")
    if settings.get("enable_execute_command") != "false":
        broken.append(f"{where}: locals must set enable_execute_command = false (found {settings.get('enable_execute_command')}).")

    # The settings count only if the module calls pass them on.
    for name in ("enable_deletion_protection", "desired_count", "image_tag_mutability", "enable_execute_command"):
        passed = [attribute(body, name) for _, body in blocks(text, r'module\s+"[^"]+"')]
        if f"local.{name}" not in passed:
            broken.append(f"{where}: no module call passes {name} = local.{name}.")
    return broken


def check_trust_subject(root: Path) -> list[str]:
    directory = root / "modules" / "deploy-role"
    where = directory.relative_to(root.parent)
    text = read_tf(directory)
    broken = []

    subject = None
    for _, body in blocks(text, r"\blocals"):
        subject = attribute(body, "oidc_subject") or subject
    if subject != OIDC_SUBJECT:
        broken.append(f"{where}: local.oidc_subject must be {OIDC_SUBJECT} (found {subject}).")

    trust = blocks(text, r'data\s+"aws_iam_policy_document"\s+"trust"')
    conditions = [body for _, trust_body in trust for _, body in blocks(trust_body, r"\bcondition")]
    subject_conditions = [body for body in conditions if re.search(r':sub"', attribute(body, "variable") or "")]
    if not subject_conditions:
        broken.append(f"{where}: the trust policy has no condition on the token's sub claim.")
    for body in subject_conditions:
        if attribute(body, "test") != '"StringEquals"' or attribute(body, "values") != "[local.oidc_subject]":
            broken.append(f"{where}: the trust policy must require StringEquals on sub with values = [local.oidc_subject] (found {attribute(body, 'test')} {attribute(body, 'values')}).")
    return broken


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    checks = [
        check_service_lifecycle,
        check_environment_names,
        check_load_balancer_ingress,
        check_prod_settings,
        check_trust_subject,
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
