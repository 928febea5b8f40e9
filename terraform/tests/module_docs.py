#!/usr/bin/env python3
"""Write the Inputs and Outputs tables of each module from its .tf files.

Usage: python3 terraform/tests/module_docs.py [--check]

The tables end each module's README.md, and docs/terraform.md ends with all of them under
"## Module reference". With --check, changes nothing and exits 1 if a table differs from the
.tf files.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_contracts import attribute, blank_comments, blocks  # noqa: E402

MODULES = Path(__file__).resolve().parent.parent / "modules"
GUIDE = MODULES.parent.parent / "docs" / "terraform.md"
REFERENCE = "## Module reference"


def description(body: str) -> str:
    heredoc = re.search(r"description\s*=\s*<<-?(\w+)\n(.*?)\n\s*\1", body, re.S)
    if heredoc:
        return " ".join(line.strip() for line in heredoc.group(2).splitlines())
    value = attribute(body, "description") or '""'
    return value[1:-1].replace('\\"', '"')


def one_line(expression: str) -> str:
    return re.sub(r"\s+", " ", expression).strip()


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def tables(directory: Path) -> str:
    variables = blocks(blank_comments((directory / "variables.tf").read_text()), r'variable\s+"([^"]+)"')
    outputs = blocks(blank_comments((directory / "outputs.tf").read_text()), r'output\s+"([^"]+)"')
    lines = ["## Inputs", "", "| Name | Description | Type | Default |", "|---|---|---|---|"]
    for match, body in variables:
        default = attribute(body, "default")
        if default is None:
            shown = "required"
        elif len(one_line(default)) <= 60:
            shown = f"`{one_line(default)}`"
        else:
            shown = "see `variables.tf`"
        lines.append(f"| `{match.group(1)}` | {cell(description(body))} | `{cell(one_line(attribute(body, 'type') or 'any'))}` | {cell(shown)} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for match, body in outputs:
        lines.append(f"| `{match.group(1)}` | {cell(description(body))} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for directory in sorted(path for path in MODULES.iterdir() if path.is_dir()):
        readme = directory / "README.md"
        text = readme.read_text()
        start = text.find("## Inputs")
        if start == -1:
            stale.append(f"{readme}: no '## Inputs' heading")
            continue
        # The tables run to the end of the file, after the prose and the example.
        updated = text[:start] + tables(directory)
        if updated != text:
            stale.append(str(readme))
            if not check:
                readme.write_text(updated)
    text = GUIDE.read_text()
    start = text.find(REFERENCE)
    if start == -1:
        stale.append(f"{GUIDE}: no '{REFERENCE}' heading")
    else:
        intro = f"{REFERENCE}\n\nThe tables below are generated from the `.tf` files by `python3 terraform/tests/module_docs.py`.\n\n"
        sections = []
        for directory in sorted(path for path in MODULES.iterdir() if path.is_dir()):
            body = tables(directory).replace("## Inputs", "#### Inputs").replace("## Outputs", "#### Outputs")
            sections.append(f"### {directory.name}\n\n{body}")
        updated = text[:start] + intro + "\n".join(sections)
        if updated != text:
            stale.append(str(GUIDE))
            if not check:
                GUIDE.write_text(updated)
    for path in stale:
        print(f"{'stale' if check else 'updated'}: {path}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
