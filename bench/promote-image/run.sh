#!/usr/bin/env bash
# Promote-image benchmark: same-repository call counts, and a 1 GiB cross-repository copy at
# concurrency 1, 4 and 8 against the local emulator on 127.0.0.1. Prints a Markdown table.
# Run from the repository root with Node 24 on PATH (make bench sets it). Rebuilds the bundle
# first so the numbers belong to the current source.
set -euo pipefail
cd "$(dirname "$0")/../.."
(cd actions/promote-image && pnpm run build >/dev/null)
node bench/promote-image/bench.ts "$@" 2> >(grep -v '^::debug::' >&2) | grep '^|'
