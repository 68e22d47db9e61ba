#!/usr/bin/env bash
# The hyper-parameter search behind the paper variants' declarations (src/NoiseSam.Cli/Variants/PaperVariants.cs),
# on the validation split of the default regime (2,000 + 500 validation samples of Fashion-MNIST,
# 40 % label noise, 30 epochs; docs/data.md), three seeds per candidate:
#   stage 1: the base learning rate, for SGD and for SAM at the paper's ρ = 0.05 → docs/tuning-lr.md
#   stage 2: each variant's own setting at the stage-1 learning rate (K-SAM: ρ, f and its own
#            learning rate) → docs/tuning.md
#   stage 3: SAM's learning rate and ρ together below stage 1's rate (does a joint search find a
#            SAM ahead of the tuned SGD?), and K-SAM at SGD's rate → docs/tuning-joint.md
# Resumable: finished runs in studies/tune-lr and studies/tune are reused, so with the committed
# stores this only rewrites the reports. Extra arguments go to every `noisesam tune` (e.g.
# --seeds 0,0 to run one seed's share in this process, --threads 1).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./noisesam tune --variants SGD,SAM \
  --grid "SGD:lr=0.001,0.002,0.005,0.01,0.02,0.05,0.1,0.2" --grid "SAM:rho=0.05;lr=0.005,0.01,0.02,0.05,0.1" \
  --seeds 3 --out studies/tune-lr --report docs/tuning-lr.md \
  --title "Search, stage 1: the base learning rate (SGD, and SAM at the paper's ρ = 0.05)" "$@"
./noisesam tune --variants SAM,MBS,ESAM,ASAM,LookSAM-5,K-SAM \
  --grid "SAM:lr=0.01;rho=0.02,0.05,0.1,0.2,0.5" --grid "MBS:lr=0.01;rho=0.05,0.1,0.2,0.5" \
  --grid "ESAM:lr=0.01;rho=0.05,0.1,0.2" --grid "ASAM:lr=0.01;rho=0.5,1,2" \
  --grid "LookSAM-5:lr=0.01;alpha=0.1,0.3,0.7" --grid "K-SAM:lr=0.01;rho=0.01,0.05;f=0.25,0.5" \
  --seeds 3 --out studies/tune --report docs/tuning.md \
  --title "Search, stage 2: each variant's own setting at the stage-1 learning rate (see docs/tuning-lr.md)" "$@"
./noisesam tune --variants SAM,K-SAM \
  --grid "SAM:lr=0.002,0.005;rho=0.05,0.1,0.2" --grid "K-SAM:lr=0.002;rho=0.01,0.05;f=0.25,0.5" \
  --seeds 3 --out studies/tune-joint --report docs/tuning-joint.md \
  --title "Search, stage 3: SAM's learning rate and ρ together, K-SAM at SGD's learning rate" "$@"
echo "run-tuning: wrote docs/tuning-lr.md, docs/tuning.md and docs/tuning-joint.md (choices in the .json next to each)"
