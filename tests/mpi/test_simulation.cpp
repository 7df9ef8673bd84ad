// The distributed run (MpiCommunicator, this job's ranks, 1 thread) against the same network
// run without MPI in one process (LocalCommunicator, 2 threads): identical spikes.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

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

}  // namespace
}  // namespace myelin
