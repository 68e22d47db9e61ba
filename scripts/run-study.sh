#!/usr/bin/env bash
# Regenerates docs/study.md and docs/study/ from a real run of the default study (the default
# regime of docs/data.md: Fashion-MNIST with 40 % label noise, small CNN, 30 epochs; f × σ × scaling
# at SAM's ρ and learning rate, the base optimizer alone, the paper's baselines with their searched
# settings, 3 seeds), and copies the report's verdict into README.md between the STUDY markers.
# Resumable: finished runs in studies/study (committed run by run) are reused, so after an
# interruption the same command continues. Extra arguments go to `noisesam study`: --detach runs it
# in the background (follow with `./noisesam study --status --out studies/study`, then run this
# script again with --report-only to refresh the page and the README); --report-only rebuilds both
# from disk; --shard i/n or one process per seed (--seeds 1,1) shares the work.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./noisesam study --out studies/study --report docs/study.md "$@"
case " $* " in *" --detach "*) exit 0 ;; esac
python3 - README.md docs/study.md <<'PY'
import re, sys
readme, study = sys.argv[1], sys.argv[2]
text = open(study, encoding="utf-8").read()
m = re.search(r"^## Verdict\n(.*?)(?=^## )", text, flags=re.S | re.M)
# The verdict's bullets only: the page itself explains the test and what the proxy can say.
verdict = "\n".join(l for l in m.group(1).splitlines() if l.startswith("- ")) if m else "(no verdict yet)"
# Links in the report are relative to docs/; the README sits one folder up.
verdict = re.sub(r"\]\((?!https?:)", "](docs/", verdict)
block = "<!-- STUDY:BEGIN (scripts/run-study.sh) -->\n" + verdict + "\n<!-- STUDY:END -->"
body = open(readme, encoding="utf-8").read()
new, n = re.subn(r"<!-- STUDY:BEGIN.*?<!-- STUDY:END -->", lambda _: block, body, flags=re.S)
if n != 1:
    sys.exit("run-study: README.md has no STUDY markers")
open(readme, "w", encoding="utf-8").write(new)
PY
echo "run-study: wrote docs/study.md, docs/study/ and the README's study verdict"
