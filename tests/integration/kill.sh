#!/usr/bin/env bash
# SIGKILL of a random rank at a random time, and (aimed) while the file grows, i.e. during a
# flush: the file left behind (OUTPUT.partial) is readable and its intact rows (each group's
# intact_rows) are exactly what a complete run writes (a prefix of the reference run's spikes and
# traces). Arguments after the common three: kills per rank count (default 5), rank counts
# (default "1 2 4") and aimed kills per rank count (default 3, at 1 and 2 ranks).
source "$(dirname "$0")/common.sh"
kills=${4:-5}
read -ra rank_counts <<<"${5:-1 2 4}"
aimed=${6:-3}
config="$SOURCE_DIR/tests/data/split_small.toml"
check="$SOURCE_DIR/tests/integration/prefix_check.py"
settings=(--set simulation.t_stop=100000 --set output.flush_interval=10 --quiet)  # still running when killed
reference="$WORK/reference.h5"
mpi_run 1 1 run "$config" -o "$reference" "${settings[@]}"

for ranks in "${rank_counts[@]}"; do
  readable=0
  for ((i = 0; i < kills; i++)); do
    out="$WORK/killed_${ranks}_$i.h5"
    mpi_run "$ranks" 1 run "$config" -o "$out" "${settings[@]}" >/dev/null 2>&1 &
    launcher=$!
    # Wait until the ranks have created the file and flushed data into it once (it grows past
    # its first size), then kill one of them at a random moment.
    for ((w = 0; w < 200; w++)); do [[ -s $out.partial || -s $out ]] && break; sleep 0.05; done
    first=$(stat -c %s "$out.partial" 2>/dev/null || echo 0)
    for ((w = 0; w < 200; w++)); do
      (($(stat -c %s "$out.partial" 2>/dev/null || echo 0) > first)) || [[ -e $out ]] && break
      sleep 0.02
    done
    sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
    mapfile -t pids < <(pgrep -f -- "^$MYELIN run $config -o $out " || true)
    victim=""
    if ((${#pids[@]} > 0)); then
      victim=${pids[$((RANDOM % ${#pids[@]}))]}
      kill -KILL "$victim" 2>/dev/null || true
    fi
    wait "$launcher" 2>/dev/null || true
    file="$out.partial"
    [[ -f $file ]] || file="$out" # the run finished before the kill
    /usr/bin/python3 "$check" "$file" "$reference" ||
      fail "$ranks rank(s), kill $i (pid ${victim:-none}): $file is not readable"
    readable=$((readable + 1))
  done
  echo "ok ($ranks rank(s)): $readable/$kills killed runs left a readable prefix"
done

# Aimed: poll the file's size and kill the moment it changes for the second time, within the
# flush that writes it (a kill there once left a group's datasets at different lengths).
for ranks in 1 2; do
  for ((i = 0; i < aimed; i++)); do
    out="$WORK/aimed_${ranks}_$i.h5"
    mpi_run "$ranks" 1 run "$config" -o "$out" "${settings[@]}" >/dev/null 2>&1 &
    launcher=$!
    # The file exists and holds its first flush (mpiexec may take seconds on a loaded machine).
    for ((w = 0; w < 2000; w++)); do [[ -s $out.partial ]] && break; sleep 0.01; done
    [[ -s $out.partial ]] || fail "$ranks rank(s), aimed kill $i: no $out.partial after 20 s"
    size=$(stat -c %s "$out.partial" 2>/dev/null || echo 0)
    changes=0
    for ((w = 0; w < 20000 && changes < 2; w++)); do
      now=$(stat -c %s "$out.partial" 2>/dev/null || echo 0)
      ((now != size)) && changes=$((changes + 1)) && size=$now
    done
    mapfile -t pids < <(pgrep -f -- "^$MYELIN run $config -o $out " || true)
    ((${#pids[@]} > 0)) && kill -KILL "${pids[$((RANDOM % ${#pids[@]}))]}" 2>/dev/null
    wait "$launcher" 2>/dev/null || true
    file="$out.partial"
    [[ -f $file ]] || file="$out"
    /usr/bin/python3 "$check" "$file" "$reference" ||
      fail "$ranks rank(s), aimed kill $i (after $changes size changes): $file is not readable"
  done
  echo "ok ($ranks rank(s)): $aimed kills aimed at a flush left a readable intact prefix"
done
