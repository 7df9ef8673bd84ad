#!/usr/bin/env bash
# SIGKILL right after the Nth write of the superblock (byte 0) of FILE.partial, by an LD_PRELOAD
# shim (tests/support/kill_after_superblock.cpp): the moment of a flush at which the superblock
# names an end of file that the rest of the flush has not written yet. The file left behind opens
# and its intact rows are a prefix of a complete run's. Before the file's end was reserved ahead
# of each flush, every kill after the second superblock write left "truncated file: eof = ...,
# stored_eof = ..." (random kills found it about once in 60 aimed tries). Argument 4: the shim.
source "$(dirname "$0")/common.sh"
shim=$4
[[ -f $shim ]] || fail "no shim at $shim"
config="$SOURCE_DIR/tests/data/split_small.toml"
check="$SOURCE_DIR/tests/integration/prefix_check.py"
settings=(--set simulation.t_stop=3000 --set output.flush_interval=10 --quiet)
reference="$WORK/reference.h5"
mpi_run 1 1 run "$config" -o "$reference" "${settings[@]}"
# A finished run gives its reserve back: the file is as long as its superblock says (version 0:
# the end-of-file address at byte 40).
mpi_run 2 1 run "$config" -o "$WORK/finished_2.h5" "${settings[@]}"
for file in "$reference" "$WORK/finished_2.h5"; do
  /usr/bin/python3 - "$file" <<'PY' || fail "$file keeps space past its end of file"
import os, struct, sys
head = open(sys.argv[1], "rb").read(48)
assert head[8] == 0, f"superblock version {head[8]}, expected 0"
end = struct.unpack("<Q", head[40:48])[0]
size = os.path.getsize(sys.argv[1])
print(f"{sys.argv[1]}: {size} bytes, superblock end of file {end}")
sys.exit(0 if size == end else 1)
PY
done

for ranks in 1 2; do
  for n in 2 3 5 9; do
    out="$WORK/killed_${ranks}_$n.h5"
    status=0
    "$MPIEXEC" -n "$ranks" --bind-to none -x OMP_NUM_THREADS=1 -x LD_PRELOAD="$shim" \
      -x MYELIN_TEST_KILL_FILE="killed_${ranks}_$n.h5.partial" -x MYELIN_TEST_KILL_AT="$n" \
      "$MYELIN" run "$config" -o "$out" "${settings[@]}" >/dev/null 2>&1 || status=$?
    ((status != 0)) || fail "$ranks rank(s), superblock write $n: the run was not killed"
    [[ -f $out.partial ]] || fail "$ranks rank(s), superblock write $n: no $out.partial"
    /usr/bin/python3 "$check" "$out.partial" "$reference" ||
      fail "$ranks rank(s), killed after superblock write $n: $out.partial is not readable"
  done
  echo "ok ($ranks rank(s)): killed after superblock writes 2, 3, 5, 9: readable intact prefixes"
done
