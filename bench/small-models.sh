#!/usr/bin/env bash
# Issue 18's check on small models: runs `noisesam bench-step --pytorch` in N fresh processes per
# model (tiny-cnn and mlp by default, alternating so drift hits both alike), keeps every process's
# CSV under docs/results/small-models/, and writes docs/results/small-models.md with the median over
# processes of each variant's ratio to SGD and absolute ms next to the PyTorch textbook peer's, and
# whether the targets hold (SAM <= 2.10x, MBS <= 1.31x SGD; each variant faster than the peer's step).
#
#   bench/small-models.sh                 # 4 processes per model, threads = cores
#   bench/small-models.sh -n 6 -- --rounds 20
# Run it on a quiet machine: the ratios are interleaved within a process, the absolute times are not.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
n=4
models=(tiny-cnn mlp)
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    -m) IFS=, read -r -a models <<< "$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "small-models: unknown argument '$1' (expected -n N, -m models, -- bench-step args)" >&2; exit 2 ;;
  esac
done
# The peer is Debian's PyTorch on an optimised BLAS: installed like ./noisesam installs the data set (as root, or with sudo).
bench/pytorch/ensure-peer.sh small-models > /dev/null
out="$root/docs/results/small-models"
mkdir -p "$out"
rm -f "$out"/*.csv "$out"/*.png
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= n; i++)); do
  for model in "${models[@]}"; do
    echo "small-models: $model, process $i of $n" >&2
    ./noisesam bench-step -m "$model" --pytorch --floor -o "$out/$model-$i.csv" "$@" > /dev/null
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$root/docs/results/small-models.md" "$load_before" "$load_after" "${models[@]}" <<'PY'
import csv, glob, os, statistics, sys, datetime
out, page, before, after, *models = sys.argv[1:]
targets = {"SAM": 2.10, "MBS": 1.31}
lines = [f"# Small models: step time against SGD and against PyTorch (issue 18)", "",
         f"`bench/small-models.sh`, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
         f"load average {before} before and {after} after. Each process times every variant interleaved "
         "(bench-step's method) and the PyTorch 1.13 textbook peer (SGD, SAM, MBS f = 0.25, on OpenBLAS) after it; "
         "the table gives the median over processes and, in brackets, the smallest and largest process. "
         "\"MBS floor\" (`bench-step --floor`) is the SGD step plus one bare 32-row forward + backward, timed in the same rounds: "
         "the least any MBS step can cost on this framework.", ""]
verdicts = []
for model in models:
    files = sorted(f for f in glob.glob(os.path.join(out, f"{model}-*.csv")) if f[len(os.path.join(out, model)) + 1:-4].isdigit())
    runs = [list(csv.DictReader(open(f))) for f in files]
    if not runs: continue
    names = [r["variant"] for r in runs[0]]
    peer = {"SGD": "SGD", "SAM": "SAM", "MBS": "MBS"}
    def col(name, key):
        vals = []
        for rows in runs:
            for r in rows:
                if r["variant"] == name and r.get(key) not in (None, "", "nan", "NaN"):
                    vals.append(float(r[key]))
        return vals
    def fmt(v, d=2):
        return "–" if not v else f"{statistics.median(v):.{d}f} ({min(v):.{d}f}–{max(v):.{d}f})"
    lines += [f"## {model} ({len(runs)} processes)", "",
              "| Variant | ms/step | × SGD | ideal × | PyTorch ms/step | PyTorch × SGD | ours / PyTorch |",
              "|---|---|---|---|---|---|---|"]
    for name in names:
        ours, ratio, ideal = col(name, "median_ms"), col(name, "ratio"), col(name, "ideal_ratio")
        pt, ptr = col(name, "pytorch_median_ms"), col(name, "pytorch_ratio")
        rel = [a / b for a, b in zip(ours, pt)] if pt and len(pt) == len(ours) else []
        lines.append(f"| {name} | {fmt(ours)} | {fmt(ratio)} | {fmt(ideal)} | {fmt(pt)} | {fmt(ptr)} | {fmt(rel)} |")
        if name in targets and ratio:
            ok = statistics.median(ratio) <= targets[name]
            verdicts.append(f"- {model}: {name} × SGD {statistics.median(ratio):.2f} (target ≤ {targets[name]:.2f}): {'met' if ok else 'NOT met'}")
            floor = col(name + " floor", "ratio")
            if floor:
                reach = "the target is below the floor: out of reach of any step here" if statistics.median(floor) > targets[name] \
                    else f"room for the step's own work: {targets[name] - statistics.median(floor):.2f}"
                verdicts.append(f"- {model}: {name} floor (SGD + one bare micro-batch pass) × SGD {statistics.median(floor):.2f}: {reach}")
        if rel:
            ok = statistics.median(rel) < 1
            verdicts.append(f"- {model}: {name} {statistics.median(ours):.2f} ms vs PyTorch {statistics.median(pt):.2f} ms, "
                            f"ours / PyTorch {statistics.median(rel):.2f} (median over processes of each process's quotient): {'faster' if ok else 'NOT faster'}")
    lines.append("")
lines += ["## Targets", ""] + verdicts + [""]
open(page, "w", encoding="utf-8").write("\n".join(lines))
print("\n".join(verdicts))
PY
echo "small-models: wrote docs/results/small-models.md" >&2
