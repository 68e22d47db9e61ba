#!/usr/bin/env bash
# Makes the PyTorch peer usable: Debian's python3-torch, and an optimised BLAS under it.
# Debian's PyTorch calls whatever libblas.so.3 the alternatives system points to; with only the
# reference BLAS (libblas3, pulled in by python3-torch) its matrix products are 15-25x slower than
# libtorch's, and a peer timed on it measures the BLAS. libopenblas0-openmp (OpenMP, the same
# runtime PyTorch's own threads use) takes over the alternative when installed.
# Installs as root, or with sudo; NOISESAM_NO_INSTALL=1 only checks. Exit 1 when the peer is unusable;
# otherwise prints the peer's torch version and BLAS as one JSON line on stdout.
#
#   bench/pytorch/ensure-peer.sh [caller-name]
set -euo pipefail
who="${1:-ensure-peer}"
here="$(cd "$(dirname "$0")" && pwd)"
# One start of the peer script answers both questions: does torch import, and which BLAS it calls.
peer_json() { /usr/bin/python3 "$here/sam_step_bench.py" --blas-only 2>/dev/null; }
blas_in() { sed -n 's/.*"blas": "\([^"]*\)".*/\1/p' <<< "$1"; }
packages=()
if json="$(peer_json)"; then
  case "$(blas_in "$json")" in */blas/libblas.so*) packages=(libopenblas0-openmp) ;; esac
else
  # python3-torch depends on the reference BLAS only; the optimised one has to come with it.
  packages=(python3-torch libopenblas0-openmp)
fi
if [ "${#packages[@]}" -gt 0 ]; then
  if [ -n "${NOISESAM_NO_INSTALL:-}" ]; then
    echo "$who: the PyTorch peer needs ${packages[*]} (NOISESAM_NO_INSTALL is set: not installing)" >&2
    exit 1
  fi
  echo "$who: installing the PyTorch peer's Debian packages: ${packages[*]}..." >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${packages[@]}" >&2 || {
    echo "$who: apt-get install ${packages[*]} failed" >&2; exit 1; }
  json="$(peer_json)" || { echo "$who: /usr/bin/python3 cannot import torch" >&2; exit 1; }
fi
blas="$(blas_in "$json")"
case "$blas" in
  */blas/libblas.so*) echo "$who: PyTorch still calls the reference BLAS ($blas): point the libblas.so.3 alternative to an optimised one (update-alternatives --config libblas.so.3-x86_64-linux-gnu)" >&2; exit 1 ;;
esac
echo "$who: PyTorch peer ready (BLAS: ${blas:-built in})" >&2
echo "$json"
