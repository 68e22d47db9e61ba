#!/usr/bin/env bash
# Regenerates docs/study.md and docs/study/ from a real run of the default study
# (Fashion-MNIST, small CNN, f × σ × scaling + the paper's baselines, 3 seeds).
# Resumable: results already in runs/study are reused, so after an interruption the same command
# continues. Extra arguments go to `noisesam study` (e.g. --detach to run in the background, then
# `./noisesam study --status --out runs/study`; or --report-only to rebuild the page from disk).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
exec ./noisesam study --out runs/study --report docs/study.md "$@"
