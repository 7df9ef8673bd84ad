#!/usr/bin/env bash
# Sanitizer runs (part of scripts/test.sh):
#   1. AddressSanitizer + UndefinedBehaviorSanitizer (GCC) in build-asan: the unit tests, the MPI
#      tests at 1 and 2 ranks and the integration tests that exercise the executable's error and
#      fault paths, with OpenMPI's own leaks suppressed (tests/sanitizers/lsan.supp, one comment
#      per entry).
#   2. ThreadSanitizer (clang, LLVM libomp with the Archer OMPT tool, which tells TSan about
#      OpenMP's barriers) in build-tsan: the epoch loop on a small network with 2 threads, once
#      with static synapses and once with STDP.
# Only the targets these need are built. Any sanitizer report fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

echo "== ASan + UBSan build (build-asan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMYELIN_WERROR=ON \
  -DMYELIN_SANITIZE=address,undefined -DCMAKE_CXX_FLAGS="-O1" >/dev/null
cmake --build build-asan -j 2 --target myelin myelin_unit_tests myelin_mpi_tests
# OpenMPI unloads its MCA plugins at MPI_Finalize; kept loaded, their leaks have symbolised
# stacks that the suppressions can match. Full stacks (slow unwinder) for the same reason.
export OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:exitcode=86"
# use_tls=0: on some hosts (an AMD EPYC VM with Linux 6.18, glibc 2.36, GCC 12) a dynamic-TLS
# slot of a dlopen'd MCA plugin holds a bogus range and LeakSanitizer's tracer crashes scanning
# it ("Tracer caught signal 11"). Not scanning TLS as a root can only add leak reports (objects
# reachable only from TLS), never hide one.
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0:use_tls=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "== ASan + UBSan: unit, MPI and integration tests"
ctest --test-dir build-asan --output-on-failure -j 2 \
  -R '^(unit\.|mpi\.np1|mpi\.np2|integration\.(corpus_np1|corpus_np2|blow_up|cli|signals|sweep))'

echo "== ThreadSanitizer build (build-tsan, clang + libomp + Archer)"
archer=$(ls /usr/lib/llvm-*/lib/libarcher.so 2>/dev/null | head -n 1)
[[ -n $archer ]] || { echo "libarcher.so not found (install libomp-dev)"; exit 1; }
# -Werror is GCC's job (the other builds): clang warns about other things (unused variables).
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMYELIN_WERROR=OFF \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DMYELIN_SANITIZE=thread \
  -DMYELIN_BUILD_TESTS=OFF >/dev/null
cmake --build build-tsan -j 2 --target myelin
export TSAN_OPTIONS="suppressions=$root/tests/sanitizers/tsan.supp:ignore_noninstrumented_modules=1:halt_on_error=1:exitcode=66"
work=$(mktemp -d /tmp/myelin-tsan.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== ThreadSanitizer: the OpenMP epoch loop, 2 threads"
OMP_TOOL_LIBRARIES=$archer OMP_NUM_THREADS=2 build-tsan/myelin run tests/data/split_small.toml \
  -o "$work/tsan.h5" --threads 2 --quiet --set simulation.t_stop=50
OMP_TOOL_LIBRARIES=$archer OMP_NUM_THREADS=2 build-tsan/myelin run examples/stdp_small_world.toml \
  -o "$work/tsan_stdp.h5" --threads 2 --quiet --set simulation.t_stop=200
echo "sanitizers: no reports"
