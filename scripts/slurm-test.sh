#!/usr/bin/env bash
# The scale-out test on a real Slurm cluster (docs/scale-out.md): brings up a single-node Slurm
# cluster on this machine from Debian's packages (munge, slurmctld and slurmd as root, 2 CPUs, a
# private config and ports), submits a tiny study plan as a 2-task `sbatch --array` job with the
# documented scripts (scripts/slurm/*.sbatch) plus a report job that depends on it
# (--dependency=afterok), waits, then runs the same plan in one process and checks that both give
# the same runs: every run record, sharpness and eigenvalue file equal without its timing fields,
# the same model weights byte for byte, the same landscapes, the same report tables. Everything it
# started is stopped at the end; the work folder is removed unless KEEP=1.
#
#   ./scripts/slurm-test.sh          (as root; ~5 min on 2 busy cores, first run + apt-get)
#
# NOISESAM may name the command to test (default: the Release build of src/NoiseSam.Cli, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
started=$(date +%s)
say() { echo "slurm-test: $*"; }
fail() { echo "slurm-test: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (slurmd and munged are started here)"

# --- packages -------------------------------------------------------------------------------
need=()
for tool in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge jq:jq; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # slurm-wlm brings slurmctld, slurmd and the client commands; policy-rc.d-less containers start no service here.
  apt-get install -y -qq slurm-wlm munge jq dataset-fashion-mnist >/dev/null
fi

# --- the command under test --------------------------------------------------------------------
if [ -z "${NOISESAM:-}" ]; then
  say "building the CLI (Release)"
  dotnet build src/NoiseSam.Cli/NoiseSam.Cli.csproj -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null
  NOISESAM="dotnet $root/src/NoiseSam.Cli/bin/Release/net10.0/NoiseSam.Cli.dll"
fi
export NOISESAM

# --- a private single-node cluster -------------------------------------------------------------
work="$(mktemp -d /tmp/noisesam-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  set +e
  [ -n "${SLURM_CONF:-}" ] && scancel --quiet --user root >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for f in "$work"/slurmctld.pid "$work"/slurmd.pid "$work"/munge/munged.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  sleep 1
  if [ "${KEEP:-0}" = 1 ]; then echo "slurm-test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port found"
}

mkdir -p "$work/munge" "$work/state" "$work/spool" "$work/log"
[ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null || create-munge-key -f; }
chown munge:munge "$work/munge"
runuser -u munge -- munged --socket="$work/munge/munge.sock" --pid-file="$work/munge/munged.pid" \
  --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" --key-file=/etc/munge/munge.key
host="$(hostname -s)"
ctld_port=$(free_port); d_port=$(free_port)
cat > "$work/slurm.conf" <<EOF
ClusterName=noisesam-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start (see $work/log/slurmctld.log)"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start (see $work/log/slurmd.log)"
for _ in $(seq 60); do
  state="$(sinfo -h -o %T 2>/dev/null || true)"
  [ "$state" = idle ] && break
  sleep 1
done
[ "$state" = idle ] || fail "the node did not become idle (state '$state'); logs in $work/log"
say "cluster up: $(sinfo -h -o '%P %D node(s) %c CPUs %T')"

# --- the plan: 2 sweep points and the base optimizer alone x 2 seeds, 1 epoch of a few hundred samples --------------------
cat > "$work/plan.json" <<'EOF'
{
  "fractions": [1, 0.5], "sigmas": [0], "baselines": [], "seeds": [0, 1],
  "epochs": 1, "batchSize": 64, "threads": 1,
  "probeSamples": 64, "eigenIterations": 5, "landscapePoints": 3,
  "data": { "trainLimit": 320, "testLimit": 200, "valFraction": 0.2, "labelNoise": 0.4 }
}
EOF

# --- sharded: a 2-task array and the report job after it --------------------------------------
cd "$work"
array=$(PLAN="$work/plan.json" OUT="$work/sharded" sbatch --parsable --array=0-1 --cpus-per-task=1 \
  --output="$work/shard-%a.out" --export=ALL "$root/scripts/slurm/study-array.sbatch")
report=$(PLAN="$work/plan.json" OUT="$work/sharded" PHASES=train,sharpness,landscapes sbatch --parsable --cpus-per-task=1 \
  --dependency=afterok:"$array" --output="$work/report.out" --export=ALL "$root/scripts/slurm/study-report.sbatch")
say "submitted array job $array (2 tasks) and report job $report (afterok:$array)"
deadline=$(( $(date +%s) + ${TIMEOUT_S:-1800} ))
while squeue -h -j "$array,$report" 2>/dev/null | grep -q .; do
  reason="$(squeue -h -j "$report" -o %r 2>/dev/null || true)"
  [ "$reason" = DependencyNeverSatisfied ] && { cat "$work"/shard-*.out >&2; fail "a shard failed: the report job can never run"; }
  [ "$(date +%s)" -lt "$deadline" ] || fail "timed out waiting for the jobs"
  sleep 3
done
for job in "${array}_0" "${array}_1" "$report"; do
  state="$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -1)"
  exit_code="$(scontrol show job "$job" 2>/dev/null | grep -o ' ExitCode=[0-9:]*' | head -1)"
  say "job $job: $state$exit_code"
  [ "$state" = JobState=COMPLETED ] || { cat "$work"/*.out >&2; fail "job $job did not complete"; }
done
trained_0=$(grep -c ': validation ' "$work/shard-0.out" || true)
trained_1=$(grep -c ': validation ' "$work/shard-1.out" || true)
trained_report=$(grep -c ': validation ' "$work/report.out" || true)
say "runs trained: shard 0: $trained_0, shard 1: $trained_1, report job: $trained_report (of 6)"
[ $((trained_0 + trained_1)) -eq 6 ] && [ "$trained_report" -eq 0 ] || fail "each run must be trained exactly once, by the shards"
[ -f "$work/sharded/study.md" ] || fail "the report job wrote no study.md"
[ -z "$(find "$work/sharded" -name 'claim-*.json')" ] || fail "claim files were left behind"

# --- the same plan in one process ---------------------------------------------------------------
say "running the same plan in one process"
$NOISESAM study --plan "$work/plan.json" --out "$work/single" --shard off --phases train,sharpness,landscapes > "$work/single.out" 2>&1 \
  || { cat "$work/single.out" >&2; fail "the one-process study failed"; }

# --- compare --------------------------------------------------------------------------------------
# Timing fields (wall times, load average, CPU share and what follows from them) differ between any two runs.
untimed='walk(if type == "object" then del(.TrainSeconds, .EvalSeconds, .ElapsedSeconds, .SecondsPerEpoch, .MaxLoadAverage, .CpuUtilization, .Contended, .Seconds) else . end)'
compared=0
(cd single && find runs landscapes -type f | sort) > "$work/single.files"
(cd sharded && find runs landscapes -type f | sort) > "$work/sharded.files"
diff "$work/single.files" "$work/sharded.files" || fail "the two studies left different files"
while read -r f; do
  case "$f" in
    *.json) diff <(jq -S "$untimed" "single/$f") <(jq -S "$untimed" "sharded/$f") >/dev/null || { diff <(jq -S "$untimed" "single/$f") <(jq -S "$untimed" "sharded/$f") >&2; fail "$f differs"; } ;;
    *.png) continue ;;  # drawn from the CSVs compared here
    *) cmp -s "single/$f" "sharded/$f" || fail "$f differs" ;;
  esac
  compared=$((compared + 1))
done < "$work/single.files"
# The report: its tables, and results.csv without the wall-time columns.
diff <(grep '^|' single/study.md) <(grep '^|' sharded/study.md) || fail "the report tables differ"
cut_timing() { awk -F, 'NR==1{for(i=1;i<=NF;i++) if($i!="train_seconds_mean" && $i!="time_ratio") keep[i]=1} {s=""; for(i=1;i<=NF;i++) if(keep[i]) s=s (s==""?"":",") $i; print s}' "$1"; }
diff <(cut_timing single/study/results.csv) <(cut_timing sharded/study/results.csv) || fail "results.csv differs"
tables=$(grep -c '^|' single/study.md)
say "PASSED in $(( $(date +%s) - started )) s: $compared run and landscape files equal (JSON without timing fields, models and CSVs byte for byte), $tables report table lines and results.csv equal"
