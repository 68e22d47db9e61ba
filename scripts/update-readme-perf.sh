#!/usr/bin/env bash
# Regenerates one model's tables in docs/performance.md ("Measured") with one command: runs
# `noisesam bench-step` with the PyTorch peer (--pytorch, when Debian's python3-torch is there),
# every variant's peak RSS in a fresh process (--memory) and a profile of where each step's time
# goes (--profile) into docs/results/bench-step-<model>.csv (+ -profile.csv), records the run
# conditions (date, cores, CPU, load average before and after) beside it, and splices the tables
# between the PERF:<model> markers of docs/performance.md (the README links there).
#
#   scripts/update-readme-perf.sh                                  # small CNN, batch 128, all cores
#   scripts/update-readme-perf.sh --model resnet18 --rounds 3 --warmup 1 --steps 1 --memory-steps 5
#   scripts/update-readme-perf.sh --reuse [--model M]              # re-render from the existing CSV
#
# Other arguments go to bench-step unchanged. Timings are ratios measured interleaved in one
# process, but a busy machine still skews them: run it on a quiet machine (the load average is
# printed under the table).
# NOISESAM_PERF_PAGE and NOISESAM_RESULTS_DIR override docs/performance.md and docs/results (for tests).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
readme="${NOISESAM_PERF_PAGE:-$root/docs/performance.md}"
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
  # The peer is Debian's PyTorch on an optimised BLAS: installed like ./noisesam installs the data set (as root, or with sudo).
  if ! peer_json="$("$root/bench/pytorch/ensure-peer.sh" update-readme-perf)"; then
    echo "update-readme-perf: no usable PyTorch peer (above): no PyTorch columns" >&2
    peer=()
  fi
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  started="$(date -u '+%Y-%m-%d %H:%M UTC')"
  "$root/noisesam" bench-step --model "$model" --memory --profile "${peer[@]}" --out "$csv" "${args[@]}"
  {
    echo "date=$started"
    echo "cores=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "load_before=$load_before"
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command=noisesam bench-step --model $model --memory --profile ${peer[*]} ${args[*]}"
    [ "${#peer[@]}" -eq 0 ] || echo "peer=$peer_json"
  } > "$meta"
fi
[ -f "$csv" ] || { echo "update-readme-perf: $csv not found (run without --reuse first)" >&2; exit 1; }

python3 - "$readme" "$csv" "$meta" "$model" "${csv%.csv}-profile.csv" <<'PY'
import csv, os, re, sys
readme, path, meta_path, model, profile_path = sys.argv[1:6]
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

# The profile's passes per variant ("forward 32", "backward 128", "no-grad forward 128": calls and ms
# per step), for the pass costs below and for the cost model at measured full-batch pass costs.
profile = {}
if os.path.exists(profile_path):
    for p in csv.DictReader(open(profile_path, encoding="utf-8")):
        if p["kind"] == "Pass" and p["implementation"] != "hand-written":
            profile.setdefault((p["variant"], p["implementation"]), []).append(
                (p["phase"].rsplit(" ", 1)[0], int(p["phase"].rsplit(" ", 1)[1]), float(p["calls_per_step"]), float(p["ms_per_step"])))

def full_batch_per_row(base):
    # ms per row of a forward and a backward on the base step's (full) batch; a no-grad forward is priced as a forward
    rates = {kind: ms / (calls * n) for kind, n, calls, ms in base if calls}
    rates["no-grad forward"] = rates.get("forward")
    return rates

def pass_cost_ratio(passes, base):
    rates = full_batch_per_row(base)
    priced = lambda ps: sum(calls * n * rates[kind] for kind, n, calls, _ in ps if rates.get(kind))
    return priced(passes) / priced(base) if base and priced(base) else None

base_key = next(((r["variant"], r["implementation"]) for r in rows if num(r, "ratio") == 1 and r["implementation"] != "hand-written"), None)
base_passes = profile.get(base_key, [])

# One row per variant: the generated step (the engine's only where no generated class exists).
seen, table, excess = set(), [], []
for r in rows:
    if r["implementation"] == "hand-written" or r["variant"] in seen:
        continue
    seen.add(r["variant"])
    state = num(r, "state_bytes_per_param")
    if state is None and num(r, "state_buffers") is not None:
        state = num(r, "state_buffers") * 4
    peak = num(r, "peak_rss_bytes")
    share = num(r, "sam_share")
    ideal, ratio = num(r, "ideal_ratio"), num(r, "ratio")
    syncs = num(r, "host_syncs_per_step")
    table.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
        r["variant"], fmt(None if share is None else 100 * share, ".0f", " %"), fmt(ideal, ".2f"), fmt(ratio, ".2f"),
        fmt(None if ideal is None or ratio is None else ratio / ideal, ".2f"), fmt(num(r, "pytorch_ratio"), ".2f"),
        fmt(num(r, "torchsharp_over_pytorch"), ".2f"), fmt(num(r, "median_ms"), ".1f"),
        fmt(None if peak is None else peak / 1048576, ".0f"), fmt(state, ".0f"), fmt(num(r, "extra_state_bytes_per_param"), ".0f"),
        fmt(num(r, "managed_bytes_per_step"), ".0f"), "–" if syncs is None else f"{syncs:.2f}".rstrip("0").rstrip(".")))
    if num(r, "excess_ms") is not None and num(r, "ratio") != 1:
        step, ideal_ratio = num(r, "profile_step_ms"), num(r, "profile_ideal_ratio")
        other = (num(r, "excess_bookkeeping_ms") or 0) + (num(r, "excess_unattributed_ms") or 0)
        measured_passes = pass_cost_ratio(profile.get((r["variant"], r["implementation"]), []), base_passes)
        excess.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            r["variant"], fmt(ideal_ratio, ".2f"), fmt(measured_passes, ".2f"), fmt(step - num(r, "excess_ms"), ".1f"), fmt(step, ".1f"),
            fmt(num(r, "excess_ms"), "+.1f"), fmt(num(r, "excess_passes_ms"), "+.1f"), fmt(num(r, "excess_parameters_ms"), "+.2f"),
            fmt(num(r, "excess_host_ms"), "+.2f"), fmt(num(r, "excess_selection_ms") + other, "+.2f")))

# Every phase that is not a pass, in µs per profiled step, one column per variant (generated steps,
# or the engine's where no generated class ran): the fixed work a small model's passes do not hide.
fixed_rows, fixed_variants = {}, []
if os.path.exists(profile_path):
    for p in csv.DictReader(open(profile_path, encoding="utf-8")):
        if p["implementation"] == "hand-written" or p["kind"] in ("Pass",):
            continue
        if (p["variant"], p["implementation"]) != next(((r["variant"], r["implementation"]) for r in rows if r["variant"] == p["variant"] and r["implementation"] != "hand-written"), None):
            continue
        if p["variant"] not in fixed_variants:
            fixed_variants.append(p["variant"])
        fixed_rows.setdefault(p["phase"], {})[p["variant"]] = float(p["ms_per_step"]) * 1000
if fixed_rows and "step" in fixed_rows:
    passes_us = {v: fixed_rows["step"][v] - sum(x.get(v, 0) for k, x in fixed_rows.items() if k != "step") for v in fixed_variants}
    order = [k for k in fixed_rows if k not in ("step", "unattributed")] + ["unattributed"]
    fixed = ["| phase | " + " | ".join(fixed_variants) + " |", "|---|" + "---:|" * len(fixed_variants)]
    for k in order:
        fixed.append(f"| {k} | " + " | ".join(fmt(fixed_rows.get(k, {}).get(v), ".0f") for v in fixed_variants) + " |")
    fixed.append("| **all but the passes** | " + " | ".join(f"**{fixed_rows['step'][v] - passes_us[v]:.0f}**" for v in fixed_variants) + " |")
    fixed.append("| *passes* | " + " | ".join(f"*{passes_us[v]:.0f}*" for v in fixed_variants) + " |")
else:
    fixed = []

# Pass costs from the profile: a full-batch forward's share of a pass pair (the cost model assumes
# 1/3) and what a pass on fewer rows costs per row against the full batch.
facts = []
if profile:
    passes = {}
    for kind, n, calls, ms in (x for ps in profile.values() for x in ps):
        name = f"{kind} {n}"
        c, t = passes.get(name, (0.0, 0.0))
        passes[name] = (c + calls, t + ms)
    def per_call(name):
        c, t = passes.get(name, (0.0, 0.0))
        return t / c if c else None
    def rows_of(name):
        return int(name.rsplit(" ", 1)[1])
    full = max((rows_of(n) for n in passes if n.startswith("forward ")), default=None)
    f, b = per_call(f"forward {full}"), per_call(f"backward {full}")
    if f and b:
        facts.append(f"Profiled passes: a {full}-row forward took {f:.1f} ms and its backward {b:.1f} ms, so a forward is "
                     f"{f / (f + b):.2f} of a pass pair (the cost model assumes 0.33); a no-grad forward costs what a forward does.")
        for n in sorted({rows_of(n) for n in passes if n.startswith("forward ")} - {full}, reverse=True):
            sf, sb = per_call(f"forward {n}"), per_call(f"backward {n}")
            if sf and sb:
                facts.append(f"A {n}-row forward + backward took {sf + sb:.1f} ms: {((sf + sb) / n) / ((f + b) / full):.2f}× the full batch's time per row.")

rel = os.path.relpath(path, os.path.dirname(os.path.abspath(readme)))
if meta:
    conditions = (f"Measured {meta.get('date', '?')} on {meta.get('cores', '?')} cores ({meta.get('cpu', '?')}); "
                  f"load average {meta.get('load_before', '?')} before, {meta.get('load_after', '?')} after "
                  f"(a load above the core count means other work shared the machine). Command: `{meta.get('command', '?').strip()}`.")
    if meta.get("peer"):
        import json
        peer = json.loads(meta["peer"])
        blas = peer.get("blas") or "its built-in BLAS"
        conditions += f" PyTorch peer: torch {peer.get('torch', '?')} on `{blas}`."
else:
    conditions = "Run conditions were not recorded for this CSV (it predates scripts/update-readme-perf.sh); re-run the script to refresh."
parameters = rows[0].get("parameters", "?") if rows else "?"
body = [
    f"Model `{model}` ({parameters} parameters), data in [{rel}]({rel}). {conditions}",
    "",
    "| variant | SAM steps | ideal × | measured × | overhead | PyTorch × | TorchSharp / PyTorch time | ms / step | peak RSS MiB | state B/param | extra B/param | managed B / step | host syncs / step |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    *table,
]
if excess:
    body += [
        "",
        "Where each step's time beyond the cost model goes (`--profile`: ms per profiled step; each part is the variant's time on that "
        "kind of work minus the ideal ratio times the base step's, so the parts add up to the excess). \"At measured pass costs\" "
        "prices the rows each profiled pass saw at the base step's full-batch cost per row of that pass (forward, backward) instead of "
        "the cost model's 1/3 : 2/3 split:",
        "",
        "| variant | ideal × | at measured pass costs × | ideal ms | step ms | excess | passes | O(d) kernels | host reads | selection + other |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *excess,
    ]
if facts:
    body += ["", " ".join(facts)]
if fixed:
    body += ["", "Fixed work per profiled step in µs (`--profile`: every kernel that is not a forward or backward pass; "
             "\"unattributed\" is the step's time outside every timed kernel: generated code, dispose scope, runtime). "
             "\"Host syncs / step\" above counts the host-kind phases (`host read`, `index upload`): the points where a GPU step waits for the device.",
             "", *fixed]
plot = os.path.splitext(path)[0] + ".png"
if os.path.exists(plot):
    prel = os.path.relpath(plot, os.path.dirname(os.path.abspath(readme)))
    steps = os.path.splitext(path)[0] + "-steps.png"
    srel = os.path.relpath(steps, os.path.dirname(os.path.abspath(readme)))
    body += ["", f"![{model} step-time ratios]({prel})", "",
             f"Every timed step in run order: [{os.path.basename(steps)}]({srel}) (noise bursts and drift show there)." if os.path.exists(steps) else ""]
    if not body[-1]:
        body.pop()
text = open(readme, encoding="utf-8").read()
begin, end = f"<!-- PERF:{model}:BEGIN", f"<!-- PERF:{model}:END -->"
block = f"{begin} (scripts/update-readme-perf.sh) -->\n" + "\n".join(body) + "\n" + end
new, n = re.subn(re.escape(begin) + r".*?" + re.escape(end), lambda _: block, text, flags=re.S)
if n != 1:
    sys.exit(f"update-readme-perf: {readme} has no PERF:{model} markers (add '<!-- PERF:{model}:BEGIN -->' and '<!-- PERF:{model}:END -->')")
open(readme, "w", encoding="utf-8").write(new)
print(f"{readme}: {model} performance table updated from {path}")
PY
