#!/usr/bin/env bash
# Install the linters into .tools/ at pinned versions: actionlint from the Go module proxy
# (built with the machine's Go toolchain), zizmor from PyPI into a project-local virtualenv,
# and Terraform from the Go module proxy when the machine has none. Skips what is already
# installed at the pinned version.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
actionlint_version=1.7.12
zizmor_version=1.33.1
terraform_version=1.11.4
mkdir -p "$tools/bin"

if ! "$tools/bin/actionlint" -version 2>/dev/null | head -n 1 | grep -qx "v\?$actionlint_version"; then
  command -v go >/dev/null || { echo "install-linters: Go is needed to build actionlint; install Go 1.24 or newer." >&2; exit 1; }
  echo "install-linters: building actionlint $actionlint_version"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@v$actionlint_version"
fi

if ! "$tools/linters-venv/bin/zizmor" --version 2>/dev/null | grep -q "$zizmor_version"; then
  echo "install-linters: installing zizmor $zizmor_version"
  python3 -m venv "$tools/linters-venv"
  "$tools/linters-venv/bin/pip" install --quiet --disable-pip-version-check "zizmor==$zizmor_version"
fi
ln -sf "$tools/linters-venv/bin/zizmor" "$tools/bin/zizmor"

# actionlint checks run: scripts with shellcheck when it is on PATH, as it is on GitHub's runners.
if ! command -v shellcheck >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "install-linters: installing shellcheck from Debian's packages"
  apt-get update -qq >/dev/null && apt-get install -y -qq shellcheck >/dev/null
fi

if ! command -v terraform >/dev/null; then
  echo "install-linters: building terraform $terraform_version (no terraform on PATH)"
  GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/hashicorp/terraform@v$terraform_version"
fi
