// The distributed run (MpiCommunicator, this job's ranks, 1 thread) against the same network
// run without MPI in one process (LocalCommunicator, 2 threads): identical spikes.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "comm/mpi_communicator.hpp"
#include "config/config_parser.hpp"
#include "io/create_result_file.hpp"
#include "sim/memory_sink.hpp"
#include "sim/simulation.hpp"

namespace myelin {
namespace {

std::vector<double> read_doubles(const std::string& path, const char* dataset) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t set = H5Dopen2(f, dataset, H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  if (!out.empty()) H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(f);
  return out;
}

std::vector<std::uint64_t> read_ids(const std::string& path, const char* dataset) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t set = H5Dopen2(f, dataset, H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  std::vector<std::uint64_t> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  if (!out.empty()) H5Dread(set, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(f);
  return out;
}

TEST(Simulation, DistributedRunEqualsLocalRun) {
  auto world = MpiCommunicator::world();
  const Config config = load_config(std::string(MYELIN_SOURCE_DIR) + "/tests/data/split_small.toml",
                                    {"simulation.t_stop=100"});
  const std::string stem = world.broadcast("/tmp/myelin-sim-" + std::to_string(getpid()), 0);

  RunSummary distributed;
  {
    Simulation sim(config, world, 1);
    auto file = create_result_file(stem + "-mpi.h5", world);
    distributed = sim.run(*file, {});
  }
  if (world.rank() == 0) {
    LocalCommunicator local;
    Simulation sim(config, local, 2);
    auto file = create_result_file(stem + "-local.h5", local);
    const RunSummary alone = sim.run(*file, {});
    EXPECT_GT(alone.spikes, 50u);
    EXPECT_EQ(alone.spikes, distributed.spikes);
    EXPECT_EQ(alone.synaptic_events, distributed.synaptic_events);
  }
  world.barrier();
  if (world.rank() == 0) {
    for (const char* set : {"spikes/exc/timestamps", "spikes/inh/timestamps", "traces/inh/V_m"})
      EXPECT_EQ(read_doubles(stem + "-local.h5", set), read_doubles(stem + "-mpi.h5", set)) << set;
    unlink((stem + "-local.h5").c_str());
    unlink((stem + "-mpi.h5").c_str());
  }
}

// The same run into memory: each rank's rows, concatenated in rank order, are the file's.
TEST(Simulation, MemorySinkHoldsWhatTheFileHolds) {
  auto world = MpiCommunicator::world();
  const Config config = load_config(std::string(MYELIN_SOURCE_DIR) + "/tests/data/split_small.toml",
                                    {"simulation.t_stop=60"});
  const std::string path =
      world.broadcast("/tmp/myelin-sink-" + std::to_string(getpid()) + ".h5", 0);
  {
    Simulation sim(config, world, 1);
    auto file = create_result_file(path, world);
    sim.run(*file, {});
  }
  MemorySink sink;
  const RunSummary summary = Simulation(config, world, 1).run(sink, {});
  EXPECT_TRUE(sink.complete());
  EXPECT_GE(sink.flushes(), 1u);
  EXPECT_EQ(sink.stats().total_spikes, summary.spikes);
  ASSERT_EQ(sink.spikes().size(), 2u);
  std::uint64_t rows = 0;
  for (const auto& s : sink.spikes()) {
    // Every rank's (time, id) rows; timestamps travel as their bits, so the comparison is exact.
    std::vector<std::uint32_t> words;
    for (std::size_t i = 0; i < s.node_ids.size(); ++i) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &s.timestamps_ms[i], sizeof bits);
      words.insert(words.end(),
                   {static_cast<std::uint32_t>(bits), static_cast<std::uint32_t>(bits >> 32),
                    static_cast<std::uint32_t>(s.node_ids[i])});
    }
    const std::vector<std::uint32_t> all = world.allgatherv(words);
    std::vector<std::pair<double, double>> gathered(all.size() / 3);
    for (std::size_t i = 0; i < gathered.size(); ++i) {
      const std::uint64_t bits = all[3 * i] | (std::uint64_t{all[3 * i + 1]} << 32);
      std::memcpy(&gathered[i].first, &bits, sizeof bits);
      gathered[i].second = all[3 * i + 2];
    }
    std::sort(gathered.begin(), gathered.end());
    rows += gathered.size();
    if (world.rank() == 0) {
      // The file is sorted by (time, id); each flush spreads its time slices over the ranks.
      const std::string group = "spikes/" + s.population;
      const auto times = read_doubles(path, (group + "/timestamps").c_str());
      const auto ids = read_ids(path, (group + "/node_ids").c_str());
      ASSERT_EQ(times.size(), gathered.size()) << s.population;
      for (std::size_t i = 0; i < times.size(); ++i) {
        EXPECT_EQ(gathered[i].first, times[i]) << s.population << " row " << i;
        EXPECT_EQ(gathered[i].second, static_cast<double>(ids[i])) << s.population << " row " << i;
      }
    }
  }
  EXPECT_EQ(rows, summary.spikes);
  EXPECT_GT(rows, 20u);
  world.barrier();
  if (world.rank() == 0) unlink(path.c_str());
}

// Every rank's spike rows of a MemorySink run, gathered and sorted: (population, time bits, id).
std::vector<std::array<std::uint64_t, 3>> all_spikes(const MemorySink& sink,
                                                     MpiCommunicator& world) {
  std::vector<std::uint32_t> words;
  for (std::size_t p = 0; p < sink.spikes().size(); ++p) {
    const auto& s = sink.spikes()[p];
    for (std::size_t i = 0; i < s.node_ids.size(); ++i) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &s.timestamps_ms[i], sizeof bits);
      words.insert(words.end(), {static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(bits),
                                 static_cast<std::uint32_t>(bits >> 32),
                                 static_cast<std::uint32_t>(s.node_ids[i])});
    }
  }
  const std::vector<std::uint32_t> all = world.allgatherv(words);
  std::vector<std::array<std::uint64_t, 3>> rows(all.size() / 4);
  for (std::size_t i = 0; i < rows.size(); ++i)
    rows[i] = {all[4 * i], all[4 * i + 1] | (std::uint64_t{all[4 * i + 2]} << 32), all[4 * i + 3]};
  std::sort(rows.begin(), rows.end());
  return rows;
}

// A periodic flush waits until the last one is output.flush_min_wall old (here: never, or
// always), unless traces are recorded, whose buffers hold one flush interval. The spikes are
// the same either way, and every rank flushes alike (the flushes are collective).
TEST(Simulation, PeriodicFlushesWaitForTheWallClockFloorWithoutTraces) {
  auto world = MpiCommunicator::world();
  std::ifstream in(std::string(MYELIN_SOURCE_DIR) + "/tests/data/split_small.toml");
  const std::string with_traces((std::istreambuf_iterator<char>(in)), {});
  const std::string no_traces = with_traces.substr(0, with_traces.find("[output.traces"));
  ASSERT_NE(no_traces.size(), with_traces.size());
  const auto run = [&](const std::string& text, const char* floor, MemorySink& sink) {
    const Config config = parse_config(
        text, {"simulation.t_stop=200", "output.flush_interval=10", std::string(floor)});
    return Simulation(config, world, 1).run(sink, {});
  };
  MemorySink every, never, traced;
  const RunSummary a = run(no_traces, "output.flush_min_wall=0", every);
  const RunSummary b = run(no_traces, "output.flush_min_wall=1e9", never);
  run(with_traces, "output.flush_min_wall=1e9", traced);
  EXPECT_GE(every.flushes(), 20u);  // 200 ms / 10 ms
  EXPECT_EQ(never.flushes(), 1u);   // mark_complete's only
  EXPECT_EQ(traced.flushes(), every.flushes());
  const auto flushes = static_cast<double>(every.flushes());
  EXPECT_EQ(world.max(flushes), -world.max(-flushes));  // the same on every rank
  EXPECT_EQ(a.spikes, b.spikes);
  EXPECT_GT(a.spikes, 50u);
  EXPECT_EQ(all_spikes(every, world), all_spikes(never, world));
}

// Ring slots are cleared sparsely (the entries the deliveries noted) unless something writes
// them unnoted, as Poisson input does: then every row is cleared. A silent Poisson input (rate
// 0, it adds zeros) switches a run to dense clearing without changing its inputs, so the spikes
// must be the same bits; a missed entry would add its input again a ring turn later.
TEST(Simulation, SparseAndDenseSlotClearingGiveTheSameSpikes) {
  auto world = MpiCommunicator::world();
  std::ifstream in(std::string(MYELIN_SOURCE_DIR) + "/tests/data/split_small.toml");
  const std::string full((std::istreambuf_iterator<char>(in)), {});
  const std::string sparse = full.substr(0, full.find("[output.traces"));
  const std::string dense = sparse + "\n[input.silent]\ntype = \"poisson\"\ntarget = \"inh\"\n" +
                            "rate = 0.0\nweight = 1.0\n";
  const auto run = [&](const std::string& text, int threads, MemorySink& sink) {
    const Config config = parse_config(text, {"simulation.t_stop=150"});
    return Simulation(config, world, threads).run(sink, {});
  };
  MemorySink a, b, c;
  const RunSummary summary = run(sparse, 1, a);
  run(dense, 1, b);
  run(sparse, 2, c);
  EXPECT_GT(summary.spikes, 50u);
  EXPECT_EQ(all_spikes(a, world), all_spikes(b, world));
  EXPECT_EQ(all_spikes(a, world), all_spikes(c, world));
}

}  // namespace
}  // namespace myelin
