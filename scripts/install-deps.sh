#!/usr/bin/env bash
# Idempotent install of everything Myelin needs on Debian 12 (bookworm).
#
#   scripts/install-deps.sh            build, test and analysis dependencies, including munge
#                                      and SLURM (what CI and `bash scripts/test.sh` need)
#   scripts/install-deps.sh --peers    ... plus Brian2 and networkx, for the side-by-side benchmarks
#   scripts/install-deps.sh --no-slurm ... without munge and SLURM (the ctest slurm.one_node then
#                                      installs them itself, or fails/skips; see tests/slurm/)
#   scripts/install-deps.sh --slurm    accepted for compatibility: SLURM is in the default set now
#   scripts/install-deps.sh --all      everything
#
# SLURM is a default dependency because the test suite includes an end-to-end test on a real
# one-node cluster (tests/slurm/run_slurm_test.sh, ctest slurm.one_node); without the packages
# that test could not run on a fresh machine. The test does not use the packages' system
# services (refused anyway without systemd): scripts/slurm-local.sh runs private daemons.
# Makes no apt call when every package is already installed. Needs root or sudo.
set -euo pipefail

CORE=(build-essential cmake ninja-build pkg-config git clang-format
  clang libomp-dev  # the ThreadSanitizer run of scripts/sanitize.sh (LLVM OpenMP + Archer)
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev hdf5-tools
  libboost-graph-dev
  googletest libgtest-dev libgmock-dev
  libcli11-dev libtomlplusplus-dev librandom123-dev libfmt-dev
  libhwy-dev libbenchmark-dev  # portable SIMD kernels; kernel micro-benchmarks
  python3 python3-numpy python3-h5py python3-matplotlib python3-pytest)
PEERS=(python3-brian python3-networkx python3-scipy time)
SLURM=(munge slurmctld slurmd slurm-client)

want=("${CORE[@]}")
with_slurm=1
for a in "$@"; do
  case $a in
    --peers) want+=("${PEERS[@]}") ;;
    --slurm) with_slurm=1 ;;
    --no-slurm) with_slurm=0 ;;
    --all)
      want+=("${PEERS[@]}")
      with_slurm=1
      ;;
    -h | --help)
      sed -n '2,16p' "$0"
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown option '$a' (see --help)" >&2
      exit 2
      ;;
  esac
done
((with_slurm)) && want+=("${SLURM[@]}")

missing=()
for p in "${want[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $st == installed ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "[install-deps] all ${#want[@]} packages already installed"
  exit 0
fi

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
echo "[install-deps] installing ${#missing[@]} missing: ${missing[*]}"
t0=$(date +%s)
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
echo "[install-deps] done in $(($(date +%s) - t0)) s"

# A serial HDF5 beside the parallel one changes what CMake finds; the build insists on parallel.
if dpkg-query -W -f='${db:Status-Status}' libhdf5-dev 2>/dev/null | grep -q '^installed$'; then
  echo "[install-deps] note: serial libhdf5-dev is installed too; CMake is told to prefer the parallel HDF5" >&2
fi
