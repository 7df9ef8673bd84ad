// The distributed run (MpiCommunicator, this job's ranks, 1 thread) against the same network
// run without MPI in one process (LocalCommunicator, 2 threads): identical spikes.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include "comm/mpi_communicator.hpp"
#include "config/config_parser.hpp"
#include "io/create_result_file.hpp"
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

}  // namespace
}  // namespace myelin
