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
  expect_io_error "disk fills during the run" "$ranks" --set simulation.t_stop=3000
  # What was flushed before the disk filled is readable.
  h5ls -r "$disk/out.h5.partial" >/dev/null || fail "the partial file is not readable"
  rm -rf "${disk:?}"/*
  head -c 1048576 /dev/zero >"$disk/filler" 2>/dev/null || true
  expect_io_error "disk full before the run" "$ranks" --set simulation.t_stop=100
done
