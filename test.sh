#!/usr/bin/env bash
# Builds the solution once (Release: warnings are errors) and runs every test project.
# Slow experiments are not part of this run: they carry [Trait("Category", "Slow")] and run with
#   ./test.sh --filter Category=Slow
set -euo pipefail
cd "$(dirname "$0")"
filter="Category!=Slow"
if [ "${1:-}" = "--filter" ]; then filter="$2"; shift 2; fi
dotnet build NoiseSam.Dsl.sln -c Release -nologo -clp:ErrorsOnly
dotnet test NoiseSam.Dsl.sln -c Release --no-build -nologo --filter "$filter" "$@"
