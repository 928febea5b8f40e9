#!/usr/bin/env bash
# Lint this repository's workflows and the example application repository's caller workflows
# with actionlint and zizmor. Both must report nothing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml examples/*/.github/workflows/*.yml examples/*/.github/workflows/*.yaml)

# actionlint 1.7.12 types the job context without job.workflow_repository and job.workflow_sha,
# which GitHub sets to the called workflow's own repository and commit. deploy-service.yml needs
# them to check out its actions, so exactly these two "not defined" messages are ignored.
# It also predates the "queue" key of concurrency, which deploy-service.yml sets so that waiting
# deployments queue instead of replacing each other.
actionlint \
  -ignore 'property "workflow_(repository|sha)" is not defined in object type \{check_run_id' \
  -ignore 'unexpected key "queue" for "concurrency" section' \
  "${workflows[@]}"

zizmor --offline --min-severity low .github/workflows .github/dependabot.yml examples
