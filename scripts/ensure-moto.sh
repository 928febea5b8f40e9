#!/usr/bin/env bash
# Print the path of a Python interpreter that can import moto 5.2.x with its server
# extras. Uses python3 from PATH when it qualifies; otherwise creates .tools/venv at the
# repository root and installs moto[server]==5.2.1 and pytest into it.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.tools/venv"

has_moto() {
  "$1" - <<'PY' >/dev/null 2>&1
import moto, moto.server
assert moto.__version__.startswith("5.2."), moto.__version__
PY
}

if [ -x "$venv/bin/python" ] && has_moto "$venv/bin/python"; then
  echo "$venv/bin/python"
  exit 0
fi

if command -v python3 >/dev/null 2>&1; then
  system_python="$(command -v python3)"
  if has_moto "$system_python"; then
    "$system_python" -c 'import sys; print(sys.executable)'
    exit 0
  fi
else
  echo "ensure-moto: python3 not found on PATH; install Python 3.10 or newer" >&2
  exit 1
fi

echo "ensure-moto: python3 has no moto 5.2.x; creating $venv" >&2
"$system_python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet 'moto[server]==5.2.1' pytest >&2
if ! has_moto "$venv/bin/python"; then
  echo "ensure-moto: moto 5.2.1 still cannot be imported from $venv/bin/python" >&2
  exit 1
fi
echo "$venv/bin/python"
