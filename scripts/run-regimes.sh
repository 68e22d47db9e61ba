#!/usr/bin/env bash
# Measures what label noise and augmentation do to SGD and SAM (docs/data.md): four comparisons of
# SGD and SAM, three seeds each, 2,000 training samples (+ 500 validation), 30 epochs, and splices
# a table of their test accuracies into docs/data.md between the REGIMES markers.
# Each comparison is kept in docs/results/regimes/<name>/ (summary.md, summary.csv, runs.json, plots).
# About 25 minutes on a quiet 2-core machine. Extra arguments go to every `noisesam compare`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
common=(--variants SGD,SAM --seeds 3 --train-limit 2500 --val-fraction 0.2 --epochs 30)
declare -A regimes=(
  [noise40]="--label-noise 0.4 --augment false"
  [noise40-augment]="--label-noise 0.4 --augment true"
  [clean]="--label-noise 0 --augment false"
  [clean-augment]="--label-noise 0 --augment true"
)
for name in clean clean-augment noise40 noise40-augment; do
  out="docs/results/regimes/$name"
  if [ -f "$out/summary.csv" ] && [ -z "${REGIMES_FORCE:-}" ]; then echo "run-regimes: $name already measured ($out); REGIMES_FORCE=1 redoes it"; continue; fi
  # shellcheck disable=SC2086
  ./noisesam compare "${common[@]}" ${regimes[$name]} --out "$out" "$@"
done
python3 - docs/data.md <<'PY'
import csv, math, re, sys
sys.path.insert(0, "scripts")
from student_t import t975
page = sys.argv[1]
rows = []
labels = {"clean": "clean labels", "clean-augment": "clean labels + augmentation",
          "noise40": "40 % label noise (the default regime)", "noise40-augment": "40 % label noise + augmentation"}
for name in ["clean", "clean-augment", "noise40", "noise40-augment"]:
    data = {r["variant"]: r for r in csv.DictReader(open(f"docs/results/regimes/{name}/summary.csv", encoding="utf-8"))}
    sgd, sam = data["SGD"], data["SAM"]
    m1, s1, m2, s2 = (float(sgd["accuracy_mean"]), float(sgd["accuracy_se"]), float(sam["accuracy_mean"]), float(sam["accuracy_se"]))
    d = m2 - m1
    # Student's t-test, equal seed counts (pooled SE = the combined SE) at t(0.975, 2n - 2): the same
    # table as Stat.StudentT975 in C#, so the seed count can change with the extra arguments.
    n = int(sgd["accuracy_n"])
    real = abs(d) > t975(2 * n - 2) * math.sqrt(s1 * s1 + s2 * s2)
    diff = f"{d * 100:+.2f}"
    rows.append(f"| {labels[name]} | {m1 * 100:.2f} ± {s1 * 100:.2f} | {m2 * 100:.2f} ± {s2 * 100:.2f} | {('**' + diff + '**') if real else diff} | [summary](results/regimes/{name}/summary.md) |")
table = "\n".join(["| regime | SGD % | SAM % | SAM − SGD (bold: Student's t-test at 5 %) | runs |", "|---|---:|---:|---:|---|", *rows])
block = "<!-- REGIMES:BEGIN (scripts/run-regimes.sh) -->\n" + table + "\n<!-- REGIMES:END -->"
text = open(page, encoding="utf-8").read()
new, n = re.subn(r"<!-- REGIMES:BEGIN.*?<!-- REGIMES:END -->", lambda _: block, text, flags=re.S)
if n != 1: sys.exit("run-regimes: docs/data.md has no REGIMES markers")
open(page, "w", encoding="utf-8").write(new)
PY
echo "run-regimes: wrote docs/data.md"
