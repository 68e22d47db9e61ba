#!/usr/bin/env bash
# Checks the MBS + SameAsAscent declaration (bench/check/mbs-same-rows.json: ρ 0.05, a random
# quarter of each batch for both passes, SGD lr 0.05) against the independent textbook PyTorch loop
# (bench/pytorch/train_textbook.py --variant mbs-same) on the same data: 4 epochs, clean labels, no
# validation split, the first N training samples, seeds 0..K-1 in each implementation.
#
#   bench/check/mbs-same-rows.sh [--train-limit N (20000; 0 = all 60,000)] [--seeds K (10)] [--report-only]
#
# Writes docs/results/mbs-same-rows/train-<N>/: ours/ (the compare report), pytorch.jsonl (one line
# per seed) and summary.md (per-seed accuracies, mean ± SE, Welch's t). Finished seeds are kept:
# a second call only runs what is missing; the summary covers every finished seed of either side
# (--report-only rewrites it without running). Needs Debian's python3-torch (installed if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
limit=20000 seeds=10 report_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --train-limit) limit="$2"; shift 2 ;;
    --seeds) seeds="$2"; shift 2 ;;
    --report-only) report_only=1; shift ;;
    *) echo "mbs-same-rows: unknown argument '$1' (known: --train-limit N, --seeds K, --report-only)" >&2; exit 2 ;;
  esac
done
[[ "$limit" =~ ^[0-9]+$ ]] || { echo "mbs-same-rows: --train-limit must be a whole number (got '$limit')" >&2; exit 2; }
[[ "$seeds" =~ ^[1-9][0-9]*$ ]] || { echo "mbs-same-rows: --seeds must be a count of at least 1 (got '$seeds')" >&2; exit 2; }
[ -n "$report_only" ] || bench/pytorch/ensure-peer.sh mbs-same-rows > /dev/null
out="docs/results/mbs-same-rows/train-$limit"
mkdir -p "$out"

if [ -z "$report_only" ]; then
if [ ! -f "$out/ours/runs.json" ] || [ "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$out/ours/runs.json")" -lt "$seeds" ]; then
  ./noisesam compare --variants-file bench/check/mbs-same-rows.json --variants MBS-SameRows --epochs 4 --seeds "$seeds" \
    --train-limit "$limit" --val-fraction 0 --label-noise 0 --augment false --out "$out/ours"
fi
touch "$out/pytorch.jsonl"
for ((s = 0; s < seeds; s++)); do
  if grep -q "\"seed\": $s," "$out/pytorch.jsonl"; then continue; fi
  echo "mbs-same-rows: PyTorch seed $s" >&2
  line="$(/usr/bin/python3 bench/pytorch/train_textbook.py --variant mbs-same --train-limit "$limit" --epochs 4 --seed "$s")"
  echo "$line" >> "$out/pytorch.jsonl"
done
fi

python3 - "$out" <<'PY'
import json, math, sys
sys.path.insert(0, "scripts")
from student_t import t975
out = sys.argv[1]
ours = {r["seed"]: r["finalAccuracy"] for r in json.load(open(f"{out}/ours/runs.json"))["runs"]}
theirs = {}
for line in open(f"{out}/pytorch.jsonl"):
    if line.strip():
        r = json.loads(line)
        theirs[r["seed"]] = r["test_accuracy"]
def stats(v):
    v = [x * 100 for x in v]
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else float("nan")
    return m, sd, sd / math.sqrt(len(v))
a, b = [ours[s] for s in sorted(ours)], [theirs[s] for s in sorted(theirs)]
(ma, sa, ea), (mb, sb, eb) = stats(a), stats(b)
t = (ma - mb) / math.sqrt(ea ** 2 + eb ** 2)
df = (ea ** 2 + eb ** 2) ** 2 / (ea ** 4 / (len(a) - 1) + eb ** 4 / (len(b) - 1))
samples = json.load(open(f"{out}/ours/runs.json"))["runs"][0]["trainSamples"]
lines = [f"# MBS + SameAsAscent: NoiseSam vs the textbook PyTorch loop ({samples:,} training samples, 4 epochs)", "",
         "Written by `bench/check/mbs-same-rows.sh`. Test accuracy after the last epoch, %.", "",
         "| seed | NoiseSam | PyTorch |", "|---:|---:|---:|"]
for s in sorted(set(ours) | set(theirs)):
    f = lambda d: f"{d[s] * 100:.2f}" if s in d else "–"
    lines.append(f"| {s} | {f(ours)} | {f(theirs)} |")
critical = t975(df)
lines += [f"| mean ± SE | {ma:.2f} ± {ea:.2f} | {mb:.2f} ± {eb:.2f} |",
          f"| below 85 % | {sum(x < 0.85 for x in a)} of {len(a)} | {sum(x < 0.85 for x in b)} of {len(b)} |", "",
          f"Difference {ma - mb:+.2f} points, Welch's t = {t:.2f} on {df:.1f} degrees of freedom: "
          + ("a real difference" if abs(t) > critical else "within noise") + f" at 5 % (|t| > {critical:.2f} would be real).", ""]
open(f"{out}/summary.md", "w", encoding="utf-8").write("\n".join(lines))
print("\n".join(lines))
PY
