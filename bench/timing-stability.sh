#!/usr/bin/env bash
# Issue 18: why does the tiny CNN's SGD step take 4.4 ms in one process and 7.5 ms in the next?
# Times SGD's step (bench-step, tiny-cnn) in N fresh processes under each setting below and prints
# the per-process medians, their spread (max/min) and the median of medians, so the settings that
# make the step time depend on the process show. Writes docs/results/timing-stability.csv.
#   bench/timing-stability.sh [-n 5]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
n=5
[ "${1:-}" = "-n" ] && n="$2"
csv="$root/docs/results/timing-stability.csv"
echo "setting,process,median_ms,p25_ms,p75_ms" > "$csv"
declare -A settings=(
  [default]=""
  [omp-passive]="OMP_WAIT_POLICY=PASSIVE"
  [omp-active]="OMP_WAIT_POLICY=ACTIVE"
  [one-thread]="NOISESAM_BENCH_THREADS=1"
  [gc-server]="DOTNET_gcServer=1"
  [no-tiered-pgo]="DOTNET_TieredPGO=0"
)
order=(default omp-passive omp-active one-thread gc-server no-tiered-pgo)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for ((i = 1; i <= n; i++)); do
  for name in "${order[@]}"; do
    threads=()
    env_args=()
    for kv in ${settings[$name]}; do
      if [ "$kv" = "NOISESAM_BENCH_THREADS=1" ]; then threads=(-t 1); else env_args+=("$kv"); fi
    done
    env "${env_args[@]}" ./noisesam bench-step -m tiny-cnn -v SGD "${threads[@]}" --rounds 10 --steps 20 -o "$tmp/t.csv" > /dev/null
    python3 - "$tmp/t.csv" "$name" "$i" >> "$csv" <<'PY'
import csv, sys
r = next(r for r in csv.DictReader(open(sys.argv[1])) if r["variant"] == "SGD")
print(f"{sys.argv[2]},{sys.argv[3]},{r['median_ms']},{r['p25_ms']},{r['p75_ms']}")
PY
  done
done
python3 - "$csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'setting':<15} {'median of process medians':>26} {'min':>7} {'max':>7} {'max/min':>8}")
for name in dict.fromkeys(r["setting"] for r in rows):
    v = [float(r["median_ms"]) for r in rows if r["setting"] == name]
    print(f"{name:<15} {statistics.median(v):>26.2f} {min(v):>7.2f} {max(v):>7.2f} {max(v) / min(v):>8.2f}")
PY
