#!/usr/bin/env bash
# Install what the benchmarks compare against and is not an npm package: wrk, from Debian's
# packages. A machine without apt-get or root gets a message, and bench/load-test/run.sh then
# leaves wrk's rows out with a note.
set -euo pipefail

if command -v wrk >/dev/null; then exit 0; fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "install-bench-tools: installing wrk from Debian's packages"
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
else
  echo "install-bench-tools: wrk is not installed and apt-get as root is not available; install wrk to compare with it." >&2
fi
