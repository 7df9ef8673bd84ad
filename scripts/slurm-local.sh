#!/usr/bin/env bash
# slurm-local.sh — bring up a real one-node SLURM cluster on this machine (root, Debian 12).
#
#   scripts/slurm-local.sh            start (or re-check) the cluster, wait until the node is idle
#   scripts/slurm-local.sh --status   say whether it runs; exit 0 if up, 1 if not
#   scripts/slurm-local.sh --env      print `export SLURM_CONF=...` (eval "$(scripts/slurm-local.sh --env)")
#   scripts/slurm-stop.sh [--purge]   stop it (and delete its state with --purge)
#
# Idempotent: re-running it while the cluster is up only re-checks it. Used by
# tests/slurm/run_slurm_test.sh and for trying jobs/*.sh locally.
# Installs munge + slurmctld + slurmd + slurm-client through scripts/install-deps.sh --slurm
# when they are missing. Everything it writes lives in $SLURM_LOCAL_DIR:
#   etc/slurm.conf  munge/{munge.key,munge.socket.2,munged.pid,munged.log}
#   state/ spool/ log/ run/{slurmctld.pid,slurmd.pid}
# It starts its own munged (own key and socket: /etc/munge and /run/munge are not used),
# slurmctld and slurmd, then waits until `sinfo` reports the node idle. Client commands
# find the config through SLURM_CONF; /etc/slurm/slurm.conf is linked to it when that path
# is free, so plain `sbatch`/`sinfo` work too.
#
# Environment:
#   SLURM_LOCAL_DIR          state directory                 [/tmp/myelin-slurm]
#   SLURM_LOCAL_CTLD_PORT    slurmctld port                  [6817]
#   SLURM_LOCAL_SLURMD_PORT  slurmd port                     [6818]
#   SLURM_LOCAL_NO_INSTALL=1 never install packages (fail if missing)
#   SLURM_LOCAL_TIMEOUT      seconds to wait for idle        [60]
#   SLURM_LOCAL_CGROUP=1     proctrack/cgroup + task/cgroup (needs cgroup hierarchies);
#                            default proctrack/linuxproc + task/affinity, no cgroups
# Exit status: 0 up, 1 could not start (missing packages, not root, daemon failure), 2 bad usage.
set -euo pipefail

DIR=${SLURM_LOCAL_DIR:-/tmp/myelin-slurm}
CTLD_PORT=${SLURM_LOCAL_CTLD_PORT:-6817}
SLURMD_PORT=${SLURM_LOCAL_SLURMD_PORT:-6818}
TIMEOUT=${SLURM_LOCAL_TIMEOUT:-60}
CGROUP=${SLURM_LOCAL_CGROUP:-0}
NODE=localhost
CONF=$DIR/etc/slurm.conf
MSOCK=$DIR/munge/munge.socket.2
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T0=$(date +%s%N)

log() { printf '[slurm-local] %s\n' "$*"; }
die() {
  printf '[slurm-local] ERROR: %s\n' "$*" >&2
  exit 1
}
# alive PIDFILE NAME: the pid in PIDFILE runs, is the NAME daemon (not a reused pid) and is not
# a zombie (PID 1 of some containers does not reap orphans, so a dead daemon can linger as a
# zombie that still answers kill -0)
alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(cat "$1")
  [[ -r /proc/$pid/stat && $(cat /proc/"$pid"/comm 2>/dev/null) == "$2" ]] || return 1
  [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]]
}

MODE=start
case ${1:-} in
  "") ;;
  --status) MODE=status ;;
  --env) MODE="env" ;;
  -h | --help)
    sed -n '2,28p' "$0"
    exit 0
    ;;
  *)
    echo "slurm-local.sh: unknown argument '$1' (see --help)" >&2
    exit 2
    ;;
esac
if (($# > 1)); then
  echo "slurm-local.sh: unexpected argument '$2' (see --help)" >&2
  exit 2
fi

if [[ $MODE == env ]]; then
  printf 'export SLURM_CONF=%q\n' "$CONF"
  exit 0
fi
if [[ $MODE == status ]]; then
  up=1
  for d in "munge/munged.pid munged" "run/slurmctld.pid slurmctld" "run/slurmd.pid slurmd"; do
    read -r pf name <<<"$d"
    if alive "$DIR/$pf" "$name"; then log "$name: running (pid $(cat "$DIR/$pf"))"; else
      log "$name: not running"
      up=0
    fi
  done
  if ((up)); then
    SLURM_CONF=$CONF sinfo 2>/dev/null || true
    exit 0
  fi
  exit 1
fi

[[ $(id -u) -eq 0 ]] || die "must run as root (slurmd needs it)"

# ---------------------------------------------------------------- packages
need=()
for b in munged:munge slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client; do
  command -v "${b%%:*}" >/dev/null 2>&1 || need+=("${b##*:}")
done
if ((${#need[@]})); then
  [[ ${SLURM_LOCAL_NO_INSTALL:-0} == 1 ]] && die "missing packages: ${need[*]} (SLURM_LOCAL_NO_INSTALL=1)"
  log "installing ${need[*]} (scripts/install-deps.sh --slurm)"
  # the packages' own service starts are refused without systemd, which is fine
  bash "$REPO/scripts/install-deps.sh" --slurm || die "could not install ${need[*]}"
  for b in munged slurmctld slurmd sbatch; do
    command -v "$b" >/dev/null 2>&1 || die "$b still missing after installing"
  done
fi
getent passwd munge >/dev/null || die "user 'munge' does not exist (is the munge package installed?)"

# ---------------------------------------------------------------- directories
install -d -m 0755 -o root -g root "$DIR" "$DIR/etc" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run"
install -d -m 0755 -o munge -g munge "$DIR/munge" # munged: the socket dir must be o+x

# ---------------------------------------------------------------- munge
if [[ ! -s $DIR/munge/munge.key ]]; then
  mungekey --create --keyfile="$DIR/munge/munge.key" >/dev/null 2>&1 ||
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  chown munge:munge "$DIR/munge/munge.key"
  chmod 0600 "$DIR/munge/munge.key"
fi
if alive "$DIR/munge/munged.pid" munged; then
  log "munged already running (pid $(cat "$DIR/munge/munged.pid"))"
else
  rm -f "$MSOCK" "$MSOCK.lock" "$DIR/munge/munged.pid"
  runuser -u munge -- munged --socket="$MSOCK" --key-file="$DIR/munge/munge.key" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
    --seed-file="$DIR/munge/munged.seed" || die "munged failed; see $DIR/munge/munged.log"
  for _ in $(seq 50); do
    [[ -S $MSOCK ]] && break
    sleep 0.1
  done
  log "munged started (pid $(cat "$DIR/munge/munged.pid"))"
fi
munge -S "$MSOCK" -n | unmunge -S "$MSOCK" >/dev/null || die "munge round trip failed; see $DIR/munge/munged.log"

# ---------------------------------------------------------------- slurm.conf
# node hardware as slurmd itself detects it (CPUs, sockets, cores, threads, RealMemory)
HW=$(slurmd -C 2>/dev/null | sed -n 's/^NodeName=[^ ]* //p' | head -1)
[[ -n $HW ]] || HW="CPUs=$(nproc)"
if [[ $CGROUP == 1 ]]; then
  PROCTRACK=proctrack/cgroup
  TASK=task/cgroup,task/affinity
  printf 'CgroupPlugin=autodetect\nConstrainCores=yes\n' >"$DIR/etc/cgroup.conf"
else
  PROCTRACK=proctrack/linuxproc
  TASK=task/affinity
  rm -f "$DIR/etc/cgroup.conf"
fi
NEW=$(mktemp)
cat >"$NEW" <<EOF
# written by myelin scripts/slurm-local.sh — one-node cluster on loopback
ClusterName=local
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MSOCK
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=$PROCTRACK
TaskPlugin=$TASK
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# Debian's OpenMPI 4.1 can be direct-launched by srun only through PMIx (pmi2/none fail in MPI_Init)
MpiDefault=pmix
MailProg=/bin/true
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 $HW State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
CONF_CHANGED=0
if ! cmp -s "$NEW" "$CONF"; then
  install -m 0644 "$NEW" "$CONF"
  CONF_CHANGED=1
fi
rm -f "$NEW"

# let plain client commands find the config
if [[ ! -e /etc/slurm/slurm.conf && ! -L /etc/slurm/slurm.conf ]]; then
  mkdir -p /etc/slurm && ln -s "$CONF" /etc/slurm/slurm.conf && log "linked /etc/slurm/slurm.conf -> $CONF"
elif [[ $(readlink /etc/slurm/slurm.conf || true) != "$CONF" ]]; then
  log "NOTE: /etc/slurm/slurm.conf is not ours; use: export SLURM_CONF=$CONF"
fi
export SLURM_CONF=$CONF

# ---------------------------------------------------------------- daemons
if [[ $CONF_CHANGED == 1 ]] && { alive "$DIR/run/slurmctld.pid" slurmctld || alive "$DIR/run/slurmd.pid" slurmd; }; then
  log "config changed: reconfiguring"
  scontrol reconfigure || true
fi
if alive "$DIR/run/slurmctld.pid" slurmctld; then
  log "slurmctld already running (pid $(cat "$DIR/run/slurmctld.pid"))"
else
  # -i: ignore (possibly stale) saved state from an earlier run
  slurmctld -f "$CONF" -i || die "slurmctld failed; see $DIR/log/slurmctld.log"
  for _ in $(seq 50); do
    alive "$DIR/run/slurmctld.pid" slurmctld && break
    sleep 0.1
  done
  alive "$DIR/run/slurmctld.pid" slurmctld || die "slurmctld did not stay up; see $DIR/log/slurmctld.log"
  log "slurmctld started (pid $(cat "$DIR/run/slurmctld.pid"))"
fi
if alive "$DIR/run/slurmd.pid" slurmd; then
  log "slurmd already running (pid $(cat "$DIR/run/slurmd.pid"))"
else
  slurmd -f "$CONF" -N "$NODE" || die "slurmd failed; see $DIR/log/slurmd.log"
  for _ in $(seq 50); do
    alive "$DIR/run/slurmd.pid" slurmd && break
    sleep 0.1
  done
  alive "$DIR/run/slurmd.pid" slurmd || die "slurmd did not stay up; see $DIR/log/slurmd.log"
  log "slurmd started (pid $(cat "$DIR/run/slurmd.pid"))"
fi

# ---------------------------------------------------------------- wait for idle
state=""
for _ in $(seq $((TIMEOUT * 2))); do
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -1 || true)
  [[ $state == idle || $state == mixed || $state == allocated ]] && break
  if [[ $state == down* || $state == drain* ]]; then
    scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
  fi
  sleep 0.5
done
[[ $state == idle || $state == mixed || $state == allocated ]] ||
  die "node state is '${state:-unknown}' after ${TIMEOUT}s; see $DIR/log/"

ms=$((($(date +%s%N) - T0) / 1000000))
log "up in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s: node $NODE is $state"
sinfo
cat <<EOF

Use:   export SLURM_CONF=$CONF     # not needed if /etc/slurm/slurm.conf links to it
       sbatch --wait jobs/run.sbatch CONFIG OUT.h5 ; squeue ; sinfo
Stop:  $REPO/scripts/slurm-stop.sh [--purge]   (SLURM_LOCAL_DIR=$DIR)
EOF
