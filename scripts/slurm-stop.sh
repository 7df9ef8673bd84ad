#!/usr/bin/env bash
# slurm-stop.sh — stop the one-node SLURM cluster that scripts/slurm-local.sh started.
#
#   scripts/slurm-stop.sh           stop slurmd, slurmctld and munged
#   scripts/slurm-stop.sh --purge   ... and delete $SLURM_LOCAL_DIR (config, key, logs, state)
#                                   and the /etc/slurm/slurm.conf link if it points there
#
# Only the pids recorded in $SLURM_LOCAL_DIR's pid files are signalled, after checking that
# each pid really is that daemon; nothing is killed by name. Safe to run when nothing runs.
# Environment: SLURM_LOCAL_DIR [/tmp/myelin-slurm] (the same as for slurm-local.sh).
set -euo pipefail
DIR=${SLURM_LOCAL_DIR:-/tmp/myelin-slurm}
log() { printf '[slurm-stop] %s\n' "$*"; }

PURGE=0
for a in "$@"; do
  case $a in
    --purge) PURGE=1 ;;
    -h | --help)
      sed -n '2,10p' "$0"
      exit 0
      ;;
    *)
      echo "slurm-stop.sh: unknown argument '$a' (see --help)" >&2
      exit 2
      ;;
  esac
done

# running PID: exists and is not a zombie
running() { [[ -r /proc/$1/stat && $(awk '{print $3}' /proc/"$1"/stat 2>/dev/null) != Z ]]; }

rc=0
stop_pid() { # name pidfile
  local name=$1 pf=$2 pid
  if [[ ! -s $pf ]]; then
    log "$name: not running (no pid file)"
    return 0
  fi
  pid=$(cat "$pf")
  if ! running "$pid"; then
    log "$name: pid $pid not running"
    rm -f "$pf"
    return 0
  fi
  # make sure the pid really is that daemon before signalling it
  if [[ $(cat /proc/"$pid"/comm 2>/dev/null) != "$name" ]]; then
    log "$name: pid $pid is '$(cat /proc/"$pid"/comm 2>/dev/null)', not $name; leaving it alone"
    rc=1
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    running "$pid" || break
    sleep 0.1
  done
  if running "$pid"; then
    log "$name: pid $pid ignored TERM for 10 s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pf"
  log "$name: stopped (pid $pid)"
}

# slurmd first (it also ends running job steps), then slurmctld, then munged
stop_pid slurmd "$DIR/run/slurmd.pid"
stop_pid slurmctld "$DIR/run/slurmctld.pid"
stop_pid munged "$DIR/munge/munged.pid"

# with SLURM_LOCAL_CGROUP=1, slurmd leaves empty /sys/fs/cgroup/<ctrl>/slurm_localhost dirs
if [[ -f $DIR/etc/cgroup.conf ]]; then
  for d in /sys/fs/cgroup/*/slurm_localhost /sys/fs/cgroup/slurm_localhost; do
    if [[ -d $d ]]; then
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      log "removed $d"
    fi
  done
fi

if ((PURGE)); then
  if [[ $(readlink /etc/slurm/slurm.conf 2>/dev/null || true) == "$DIR/etc/slurm.conf" ]]; then
    rm -f /etc/slurm/slurm.conf && log "removed /etc/slurm/slurm.conf link"
  fi
  if [[ -d $DIR ]]; then
    # delete only a directory that slurm-local.sh laid out (guards against a wrong SLURM_LOCAL_DIR)
    foreign=$(find "$DIR" -mindepth 1 -maxdepth 1 ! -name etc ! -name state ! -name spool \
      ! -name log ! -name run ! -name munge -printf '%f ' 2>/dev/null || true)
    if [[ $(readlink -f "$DIR") == / || -n $foreign ]]; then
      log "not purging $DIR: it holds files slurm-local.sh did not create (${foreign:-/})"
      rc=1
    else
      rm -rf -- "$DIR" && log "removed $DIR"
    fi
  fi
fi
exit "$rc"
