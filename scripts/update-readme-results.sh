#!/usr/bin/env bash
# Regenerates the README's "Results" section: runs the default `noisesam compare` into
# docs/results/compare-default (or reuses it with --reuse) and splices its accuracy/cost table,
# first plot and a link to the full summary (declarations, other plots) between the RESULTS
# markers of README.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/results/compare-default"
if [ "${1:-}" != "--reuse" ]; then
  rm -rf "$out"
  "$root/noisesam" compare --out "$out"
fi
[ -f "$out/summary.md" ] || { echo "update-readme-results: $out/summary.md not found" >&2; exit 1; }
python3 - "$root/README.md" "$out" <<'PY'
import os, re, sys
readme, out = sys.argv[1], sys.argv[2]
rel = os.path.relpath(out, os.path.dirname(readme))
summary = open(os.path.join(out, "summary.md"), encoding="utf-8").read().strip()
# The summary links its plots relative to its own folder; the README sits elsewhere. Keep the
# first plot inline (the summary itself links the others), and drop the summary's own title.
images = re.findall(r"!\[([^\]]*)\]\(([^)/]+\.png)\)", summary)
summary = re.sub(r"\n*!\[[^\]]*\]\([^)/]+\.png\)", "", summary)
summary = re.sub(r"^# .*\n+", "", summary)
# One table in the README: everything up to the end of the summary's first table.
lines, kept, in_table, i = summary.split("\n"), [], False, 0
while i < len(lines):
    line = lines[i]
    if in_table and not line.startswith("|"):
        break
    in_table = in_table or line.startswith("|")
    kept.append(line)
    i += 1
# The notes under the table (collapsed or diverged seeds, a shared machine) belong with it.
while i < len(lines) and lines[i].strip() == "":
    i += 1
notes = []
while i < len(lines) and lines[i].startswith("- "):
    notes.append(lines[i])
    i += 1
body = ["\n".join(kept), ""] + (["\n".join(notes), ""] if notes else [])
if images:
    body.append(f"![{images[0][0]}]({rel}/{images[0][1]})")
body += ["", f"Declarations of the variants and every plot: [summary.md]({rel}/summary.md)."]
text = open(readme, encoding="utf-8").read()
block = "<!-- RESULTS:BEGIN (scripts/update-readme-results.sh) -->\n" + "\n".join(body) + "\n<!-- RESULTS:END -->"
new, n = re.subn(r"<!-- RESULTS:BEGIN.*?<!-- RESULTS:END -->", lambda _: block, text, flags=re.S)
if n != 1:
    sys.exit("update-readme-results: README.md has no RESULTS markers")
open(readme, "w", encoding="utf-8").write(new)
PY
echo "README.md results updated from $out"
