#!/usr/bin/env bash
# Benchmarks the load-test engine side by side with autocannon and wrk against servers on
# 127.0.0.1 and prints Markdown tables. Run from the repository root with Node 24 on PATH
# (make bench sets it). Needs taskset (util-linux), wrk (apt-get install -y wrk) and npm
# access for `npx autocannon@8`.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v wrk >/dev/null; then
  echo "wrk is not installed; its rows will say so. Install it with: apt-get install -y wrk" >&2
fi
exec node bench/load-test/bench.ts
