#!/usr/bin/env bash
# Install the Terraform linters into .tools/ at pinned versions. tflint is built from the Go
# module proxy, and so is its AWS ruleset plugin, which goes where tflint looks for a pinned
# plugin. checkov comes from PyPI into a project-local virtualenv. Skips what is already
# installed at the pinned version. A download that the proxy or registry refuses is reported.
# tflint and checkov are required (exit status 1 without them); without the AWS ruleset,
# terraform/tests/lint.sh runs tflint's Terraform rules only and prints a line about it, unless
# REQUIRE_TFLINT_AWS=1, which makes the missing ruleset an error here too.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
tflint_version=0.64.0
# Keep in step with the plugin "aws" block of terraform/.tflint.hcl.
tflint_aws_version=0.44.0
checkov_version=3.3.30
plugin_dir="$tools/tflint-plugins"
missing=0
mkdir -p "$tools/bin"

installed_tflint=$("$tools/bin/tflint" --version 2>/dev/null || true)
if ! grep -q "^TFLint version $tflint_version\$" <<<"$installed_tflint"; then
  command -v go >/dev/null || { echo "install-terraform-tools: Go is needed to build tflint; install Go 1.24 or newer." >&2; exit 1; }
  echo "install-terraform-tools: building tflint $tflint_version"
  if ! GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/terraform-linters/tflint@v$tflint_version"; then
    echo "install-terraform-tools: could not build tflint $tflint_version (see the go output above)." >&2
    missing=1
  fi
fi

# tflint looks for a plugin pinned by source and version at
# <plugin dir>/<source>/<version>/tflint-ruleset-<name> (tflint docs, "Plugins").
plugin_path="$plugin_dir/github.com/terraform-linters/tflint-ruleset-aws/$tflint_aws_version/tflint-ruleset-aws"
if [ ! -x "$plugin_path" ]; then
  echo "install-terraform-tools: building tflint-ruleset-aws $tflint_aws_version"
  build_dir=$(mktemp -d)
  if GOBIN="$build_dir" GOFLAGS=-mod=mod go install "github.com/terraform-linters/tflint-ruleset-aws@v$tflint_aws_version"; then
    mkdir -p "$(dirname "$plugin_path")"
    mv "$build_dir/tflint-ruleset-aws" "$plugin_path"
  else
    echo "install-terraform-tools: could not build tflint-ruleset-aws $tflint_aws_version; tflint will run without the AWS rules until it is installed." >&2
    [ "${REQUIRE_TFLINT_AWS:-0}" = 1 ] && missing=1
  fi
  rm -rf "$build_dir"
fi

if ! "$tools/checkov-venv/bin/checkov" --version 2>/dev/null | grep -qx "$checkov_version"; then
  echo "install-terraform-tools: installing checkov $checkov_version"
  python3 -m venv "$tools/checkov-venv" &&
    "$tools/checkov-venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$checkov_version" ||
    { echo "install-terraform-tools: could not install checkov $checkov_version." >&2; missing=1; }
fi
[ -x "$tools/checkov-venv/bin/checkov" ] && ln -sf "$tools/checkov-venv/bin/checkov" "$tools/bin/checkov"

exit "$missing"
