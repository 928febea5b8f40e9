#!/usr/bin/env bash
# Lint every Terraform root and module: tflint (Terraform rules, plus the AWS ruleset when
# scripts/install-terraform-tools.sh could install it) and checkov, one directory at a time.
# Needs no provider binaries and no cloud credentials. Exits 1 if any directory fails.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tools="$root/.tools"
config="$root/terraform/.tflint.hcl"
plugin_dir="$tools/tflint-plugins"
aws_version=$(sed -n 's/^ *version *= *"\(.*\)"/\1/p' "$config" | tail -n 1)
failed=0

for tool in "$tools/bin/tflint" "$tools/checkov-venv/bin/checkov"; do
  [ -x "$tool" ] || { echo "lint: $tool is missing; run bash scripts/install-terraform-tools.sh" >&2; exit 1; }
done

if [ -x "$plugin_dir/github.com/terraform-linters/tflint-ruleset-aws/$aws_version/tflint-ruleset-aws" ]; then
  tflint_config=$config
else
  # Without the plugin tflint rejects the whole configuration, so lint with a copy that has no
  # plugin "aws" block, and print that the AWS rules did not run.
  echo "lint: tflint-ruleset-aws $aws_version is not installed; tflint runs the Terraform rules only."
  tflint_config=$(mktemp --suffix=.hcl)
  trap 'rm -f "$tflint_config"' EXIT
  sed '/^plugin "aws" {/,/^}/d' "$config" >"$tflint_config"
fi

directories=$(find "$root/terraform/modules" "$root/terraform/envs" -mindepth 1 -maxdepth 1 -type d | sort)

for directory in $directories; do
  name=${directory#"$root"/}
  if ! TFLINT_PLUGIN_DIR="$plugin_dir" "$tools/bin/tflint" --chdir="$directory" --config="$tflint_config" --format=compact; then
    echo "lint: tflint found problems in $name"
    failed=1
  fi
done

for directory in $directories; do
  name=${directory#"$root"/}
  # --download-external-modules false: the modules are local paths, and checkov must not fetch.
  if ! "$tools/checkov-venv/bin/checkov" --directory "$directory" --framework terraform --compact --quiet \
    --download-external-modules false --skip-download >"${TMPDIR:-/tmp}/checkov-$$.txt" 2>&1; then
    cat "${TMPDIR:-/tmp}/checkov-$$.txt"
    echo "lint: checkov found failed checks in $name"
    failed=1
  fi
  rm -f "${TMPDIR:-/tmp}/checkov-$$.txt"
done

[ "$failed" = 0 ] && echo "lint: tflint and checkov passed on $(wc -w <<<"$directories") directories."
exit "$failed"
