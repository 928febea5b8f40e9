#!/usr/bin/env bash
# Runs the deployment-wait benchmark: ecs-deploy-wait beside the released
# aws-actions/amazon-ecs-deploy-task-definition v2 bundle, on the local emulator.
set -euo pipefail

VENDOR="${DEPLOY_WAIT_BENCH_VENDOR:-/tmp/bench-vendor/amazon-ecs-deploy-task-definition-v2}"
if [[ ! -f "$VENDOR/dist/index.js" || ! -f "$VENDOR/action.yml" ]]; then
  cat >&2 <<MSG
bench/deploy-wait: the comparison bundle is missing from $VENDOR.
It is not part of this repository. Get it from the v2 tag of the released action:
  git clone --bare https://github.com/aws-actions/amazon-ecs-deploy-task-definition /tmp/bench-vendor/repo.git
  mkdir -p "$VENDOR/dist"
  git --git-dir=/tmp/bench-vendor/repo.git show v2:dist/index.js > "$VENDOR/dist/index.js"
  git --git-dir=/tmp/bench-vendor/repo.git show v2:action.yml > "$VENDOR/action.yml"
or set DEPLOY_WAIT_BENCH_VENDOR to a folder holding action.yml and dist/index.js.
MSG
  exit 1
fi

cd "$(dirname "$0")/../.."
if [[ ! -f actions/ecs-deploy-wait/dist/index.js ]]; then
  (cd actions/ecs-deploy-wait && pnpm run build)
fi
node bench/deploy-wait/bench.ts --vendor "$VENDOR" "$@"
