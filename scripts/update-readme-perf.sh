#!/usr/bin/env bash
# Regenerates one model's table in the README's "Performance" section with one command: runs
# `noisesam bench-step` with the PyTorch peer (--pytorch, when Debian's python3-torch is there) and
# every variant's peak RSS in a fresh process (--memory) into docs/results/bench-step-<model>.csv,
# records the run conditions (date, cores, CPU, load average before and after) beside it, and
# splices the table between the PERF:<model> markers of README.md.
#
#   scripts/update-readme-perf.sh                                  # small CNN, batch 128, all cores
#   scripts/update-readme-perf.sh --model resnet18 --rounds 3 --warmup 1 --steps 1 --memory-steps 5
#   scripts/update-readme-perf.sh --reuse [--model M]              # re-render from the existing CSV
#
# Other arguments go to bench-step unchanged. Timings are ratios measured interleaved in one
# process, but a busy machine still skews them: run it on a quiet machine (the load average is
# printed under the table).
# NOISESAM_README and NOISESAM_RESULTS_DIR override README.md and docs/results (for tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
readme="${NOISESAM_README:-$root/README.md}"
results="${NOISESAM_RESULTS_DIR:-$root/docs/results}"
model=small-cnn
reuse=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reuse) reuse=1 ;;
    --model|-m) model="$2"; shift ;;
    --model=*) model="${1#--model=}" ;;
    *) args+=("$1") ;;
  esac
  shift
done
csv="$results/bench-step-$model.csv"
meta="$results/bench-step-$model.meta"

if [ "$reuse" = 0 ]; then
  mkdir -p "$results"
  peer=(--pytorch)
  if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "update-readme-perf: /usr/bin/python3 has no torch (sudo apt-get install python3-torch): no PyTorch columns" >&2
    peer=()
  fi
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  started="$(date -u '+%Y-%m-%d %H:%M UTC')"
  "$root/noisesam" bench-step --model "$model" --memory "${peer[@]}" --out "$csv" "${args[@]}"
  {
    echo "date=$started"
    echo "cores=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "load_before=$load_before"
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command=noisesam bench-step --model $model --memory ${peer[*]} ${args[*]}"
  } > "$meta"
fi
[ -f "$csv" ] || { echo "update-readme-perf: $csv not found (run without --reuse first)" >&2; exit 1; }

python3 - "$readme" "$csv" "$meta" "$model" <<'PY'
import csv, os, re, sys
readme, path, meta_path, model = sys.argv[1:5]
rows = list(csv.DictReader(open(path, encoding="utf-8")))
meta = {}
if os.path.exists(meta_path):
    for line in open(meta_path, encoding="utf-8"):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            meta[k] = v

def num(row, key):
    v = (row.get(key) or "").strip()
    return float(v) if v else None

def fmt(v, spec, suffix=""):
    return "–" if v is None else format(v, spec) + suffix

# One row per variant: the generated step (the engine's only where no generated class exists).
seen, table = set(), []
for r in rows:
    if r["implementation"] == "hand-written" or r["variant"] in seen:
        continue
    seen.add(r["variant"])
    state = num(r, "state_bytes_per_param")
    if state is None and num(r, "state_buffers") is not None:
        state = num(r, "state_buffers") * 4
    peak = num(r, "peak_rss_bytes")
    table.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
        r["variant"], fmt(num(r, "ideal_ratio"), ".2f"), fmt(num(r, "ratio"), ".2f"), fmt(num(r, "pytorch_ratio"), ".2f"),
        fmt(num(r, "torchsharp_over_pytorch"), ".2f"), fmt(num(r, "median_ms"), ".1f"),
        fmt(None if peak is None else peak / 1048576, ".0f"), fmt(state, ".0f"), fmt(num(r, "extra_state_bytes_per_param"), ".0f")))

rel = os.path.relpath(path, os.path.dirname(os.path.abspath(readme)))
if meta:
    conditions = (f"Measured {meta.get('date', '?')} on {meta.get('cores', '?')} cores ({meta.get('cpu', '?')}); "
                  f"load average {meta.get('load_before', '?')} before, {meta.get('load_after', '?')} after "
                  f"(a load above the core count means other work shared the machine). Command: `{meta.get('command', '?').strip()}`.")
else:
    conditions = "Run conditions were not recorded for this CSV (it predates scripts/update-readme-perf.sh); re-run the script to refresh."
parameters = rows[0].get("parameters", "?") if rows else "?"
body = [
    f"Model `{model}` ({parameters} parameters), data in [{rel}]({rel}). {conditions}",
    "",
    "| variant | ideal × | measured × | PyTorch × | TorchSharp / PyTorch time | ms / step | peak RSS MiB | state B/param | extra B/param |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    *table,
]
text = open(readme, encoding="utf-8").read()
begin, end = f"<!-- PERF:{model}:BEGIN", f"<!-- PERF:{model}:END -->"
block = f"{begin} (scripts/update-readme-perf.sh) -->\n" + "\n".join(body) + "\n" + end
new, n = re.subn(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
if n != 1:
    sys.exit(f"update-readme-perf: {readme} has no PERF:{model} markers (add '<!-- PERF:{model}:BEGIN -->' and '<!-- PERF:{model}:END -->')")
open(readme, "w", encoding="utf-8").write(new)
print(f"{readme}: {model} performance table updated from {path}")
PY
