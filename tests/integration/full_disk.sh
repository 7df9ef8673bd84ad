#!/usr/bin/env bash
# A full disk (a tiny tmpfs) gives exit code 5 and one line naming the file and the OS reason,
# at 1 and 2 ranks, with no abort: when the disk fills during the run and when it is full
# before the run starts. Needs root (mount); skipped otherwise (ctest SKIP_RETURN_CODE 77).
source "$(dirname "$0")/common.sh"
if (($(id -u) != 0)); then
  echo "SKIP: mounting a tmpfs needs root"
  exit 77
fi
config="$SOURCE_DIR/tests/data/split_small.toml"
disk="$WORK/disk"
mkdir -p "$disk"
mount -t tmpfs -o size=1m tmpfs "$disk" || { echo "SKIP: cannot mount a tmpfs here"; exit 77; }
trap 'umount "$disk" 2>/dev/null; rm -rf "$WORK"' EXIT

expect_io_error() {
  local what=$1 ranks=$2
  shift 2
  local code=0
  timeout 60 "$MPIEXEC" -n "$ranks" --bind-to none "$MYELIN" run "$config" -o "$disk/out.h5" --quiet "$@" \
    >"$WORK/stdout" 2>"$WORK/stderr" || code=$?
  ((code == 5)) || { cat "$WORK/stderr" >&2; fail "$what at $ranks rank(s): exit $code, expected 5"; }
  local lines
  lines=$(grep -c 'myelin: error' "$WORK/stderr" || true)
  ((lines == 1)) || { cat "$WORK/stderr" >&2; fail "$what: $lines error lines, expected 1"; }
  grep -q "myelin: error: cannot write $disk/out.h5[.a-z]*: No space left on device" "$WORK/stderr" ||
    { cat "$WORK/stderr" >&2; fail "$what: the message does not name the file and the reason"; }
  ! grep -qi "MPI_ABORT\|internal error\|Signal:" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$what: abort noise"; }
  [[ $(complete_flag "$disk/out.h5") != 1 ]] || fail "$what: a complete file on a full disk"
  echo "ok ($ranks rank(s), $what): $(grep 'myelin: error' "$WORK/stderr")"
}

for ranks in 1 2; do
  rm -rf "${disk:?}"/*
  # Traces small enough to pass the size estimate; the spikes (not estimated) fill the disk.
  expect_io_error "disk fills during the run" "$ranks" --set simulation.t_stop=10000 \
    --set output.traces.inh.interval=50 --set output.traces.exc.interval=50
  # What was flushed before the disk filled is readable.
  h5ls -r "$disk/out.h5.partial" >/dev/null || fail "the partial file is not readable"
  rm -rf "${disk:?}"/*
  head -c 1048576 /dev/zero >"$disk/filler" 2>/dev/null || true
  expect_io_error "disk full before the run" "$ranks" --set simulation.t_stop=100
  rm -rf "${disk:?}"/*
  # Traces that cannot fit are refused before the run, from the size estimate (exit 2).
  code=0
  "$MPIEXEC" -n "$ranks" --bind-to none "$MYELIN" run "$config" -o "$disk/out.h5" --quiet \
    --set simulation.t_stop=3000 2>"$WORK/stderr" || code=$?
  ((code == 2)) && grep -qF "the traces and weight snapshots alone need" "$WORK/stderr" ||
    { cat "$WORK/stderr" >&2; fail "oversized traces: exit $code, expected 2 with the estimate"; }
  [[ ! -e $disk/out.h5.partial ]] || fail "oversized traces: a file was created"
  echo "ok ($ranks rank(s), predicted): $(grep 'myelin: error' "$WORK/stderr")"
done
