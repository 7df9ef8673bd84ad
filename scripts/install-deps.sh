#!/usr/bin/env bash
# Idempotent install of everything Myelin needs on Debian 12 (bookworm).
#
#   scripts/install-deps.sh           build, test and analysis dependencies (what CI needs)
#   scripts/install-deps.sh --peers   ... plus Brian2 and networkx, for the side-by-side benchmarks
#   scripts/install-deps.sh --slurm   ... plus munge and SLURM, for a local one-node cluster
#   scripts/install-deps.sh --all     everything
#
# Makes no apt call when every package is already installed. Needs root or sudo.
set -euo pipefail

CORE=(build-essential cmake ninja-build pkg-config git clang-format
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev hdf5-tools
  libboost-graph-dev
  googletest libgtest-dev libgmock-dev
  libcli11-dev libtomlplusplus-dev librandom123-dev libfmt-dev
  python3 python3-numpy python3-h5py python3-matplotlib python3-pytest)
PEERS=(python3-brian python3-networkx python3-scipy time)
SLURM=(munge slurmctld slurmd slurm-client)

want=("${CORE[@]}")
for a in "$@"; do
  case $a in
    --peers) want+=("${PEERS[@]}") ;;
    --slurm) want+=("${SLURM[@]}") ;;
    --all) want+=("${PEERS[@]}" "${SLURM[@]}") ;;
    -h | --help)
      sed -n '2,9p' "$0"
      exit 0
      ;;
    *)
      echo "install-deps.sh: unknown option '$a' (see --help)" >&2
      exit 2
      ;;
  esac
done

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
