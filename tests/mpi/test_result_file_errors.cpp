// The result file when things go wrong: a run that never completes, a path that cannot be
// created, arguments that disagree between ranks, and `myelin info` on files that are not
// Myelin results. No case may leave a rank waiting in a collective call.

#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "h5_read.hpp"
#include "io/result_file.hpp"
#include "myelin/errors.hpp"
#include "shared_path.hpp"

namespace myelin {
namespace {

using test::on_every_rank;
using test::shared_path;
using test::world_rank;
using test::world_size;

// This rank's columns when rank r owns the columns c with c % size == r.
std::vector<std::uint32_t> round_robin(std::uint32_t n_columns) {
  std::vector<std::uint32_t> mine;
  for (std::uint32_t c = 0; c < n_columns; ++c)
    if (static_cast<int>(c % static_cast<std::uint32_t>(world_size())) == world_rank())
      mine.push_back(c);
  return mine;
}

TEST(ResultFile, DestroyedWithoutMarkCompleteKeepsDataButStaysIncomplete) {
  const std::string path = shared_path("incomplete");
  const test::RemovedAtExit remove_file(path);
  {
    MpiCommunicator world(MPI_COMM_WORLD);
    ResultFile file(path, world);
    RunInfo info;
    info.config_text = "[simulation]\nt_stop = 100\n";
    info.t_stop = 100.0;
    file.write_run_info(info);
    file.create_spike_groups({"exc"}, {10});
    // Rank r contributes the single spike of neuron r.
    const std::vector<std::uint64_t> ids = {static_cast<std::uint64_t>(world_rank())};
    const std::vector<double> times = {1.0};
    file.append_spikes(0, ids, times);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) {
    {
      const H5Handle f = test::open_serial(path);
      EXPECT_EQ(test::read_attribute<int>(f, "/meta", "complete", H5T_NATIVE_INT), 0);
      EXPECT_EQ(test::read_string_attribute(f, "/meta", "config"), "[simulation]\nt_stop = 100\n");
      std::vector<std::uint64_t> expected(static_cast<std::size_t>(world_size()));
      for (std::size_t r = 0; r < expected.size(); ++r) expected[r] = r;
      EXPECT_EQ(test::read_dataset<std::uint64_t>(f, "/spikes/exc/node_ids", H5T_NATIVE_UINT64),
                expected);
    }
    const std::string text = describe_result_file(path);
    EXPECT_NE(text.find("complete     NO"), std::string::npos) << text;
  }
  EXPECT_EQ(test::open_hdf5_objects(), 0);
  MPI_Barrier(MPI_COMM_WORLD);
}

// The message every rank must throw, without waiting for a collective call that never comes.
void expect_cannot_create(const std::string& path, const std::string& reason) {
  const auto start = std::chrono::steady_clock::now();
  std::string message;
  try {
    MpiCommunicator world(MPI_COMM_WORLD);
    ResultFile file(path, world);
  } catch (const InputError& e) {
    message = e.what();
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(message, "output.file = " + path + ": cannot create (" + reason + ")");
  EXPECT_LT(elapsed.count(), 1.0);
  EXPECT_TRUE(on_every_rank(!message.empty())) << path;
}

TEST(ResultFile, UncreatablePathThrowsInputErrorOnEveryRank) {
  const std::string missing_directory = shared_path("no-such-dir", "") + "/x.h5";
  expect_cannot_create(missing_directory, "No such file or directory");
  expect_cannot_create("/tmp", "Is a directory");
  EXPECT_EQ(access(missing_directory.c_str(), F_OK), -1);
  EXPECT_EQ(test::open_hdf5_objects(), 0);
}

TEST(ResultFile, ArgumentsWrongOnOneRankThrowOnEveryRank) {
  const std::string path = shared_path("arguments");
  const test::RemovedAtExit remove_file(path);
  const bool last = world_rank() == world_size() - 1;
  {
    MpiCommunicator world(MPI_COMM_WORLD);
    ResultFile file(path, world);
    file.create_spike_groups({"exc"}, {10});
    const std::vector<std::uint64_t> ids = {1, 2};
    const std::vector<double> times = {0.5, last ? 0.75 : 1.0, 2.0};
    EXPECT_THROW(file.append_spikes(0, ids, std::span(times).first(last ? 3 : 2)),
                 std::invalid_argument);

    // Column 0 belongs to no rank.
    std::vector<std::uint32_t> mine = round_robin(4);
    if (!mine.empty() && mine.front() == 0) mine.erase(mine.begin());
    EXPECT_THROW(file.create_traces("exc", {"V_m"}, {0, 1, 2, 3}, 0.1, mine),
                 std::invalid_argument);

    // Correct columns, then one rank passes a value too many.
    const auto columns = round_robin(4);
    const std::size_t handle = file.create_traces("exc", {"V_m"}, {0, 1, 2, 3}, 0.1, columns);
    const std::vector<double> sample_times = {0.1};
    std::vector<std::vector<double>> values = {
        std::vector<double>(columns.size() + (last ? 1 : 0))};
    EXPECT_THROW(file.append_traces(handle, sample_times, values), std::invalid_argument);
    if (world_size() > 1) {
      const std::vector<double> two_samples = {0.1, 0.2};
      values = {std::vector<double>(columns.size() * (last ? 2 : 1))};
      EXPECT_THROW(file.append_traces(handle, std::span(two_samples).first(last ? 2 : 1), values),
                   std::invalid_argument);
    }

    // Nothing collective was left half done: the file is still usable.
    values = {std::vector<double>(columns.size(), -65.0)};
    file.append_traces(handle, sample_times, values);
    file.append_spikes(0, std::span(ids).first(last ? 1 : 0), std::span(times).first(last ? 1 : 0));
    file.mark_complete();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) {
    {
      const H5Handle f = test::open_serial(path);
      EXPECT_EQ(test::read_attribute<int>(f, "/meta", "complete", H5T_NATIVE_INT), 1);
      EXPECT_EQ(test::read_dataset<std::uint64_t>(f, "/spikes/exc/node_ids", H5T_NATIVE_UINT64),
                std::vector<std::uint64_t>{1});
      EXPECT_EQ(test::read_dataset<double>(f, "/traces/exc/V_m", H5T_NATIVE_DOUBLE),
                std::vector<double>(4, -65.0));
    }
  }
  EXPECT_EQ(test::open_hdf5_objects(), 0);
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(ResultFile, Hdf5FailuresNameTheCallTheObjectAndTheReason) {
  h5_silence_errors();
  // An in-memory file: no disk, no MPI.
  const H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", "");
  ASSERT_GE(H5Pset_fapl_core(access, 1 << 16, 0), 0);
  const std::string name = "memory-" + std::to_string(world_rank()) + ".h5";
  const H5Handle file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access), H5Fclose,
                      "H5Fcreate", name);
  std::string message;
  try {
    // The object's name is computed after the failing call on purpose.
    const hid_t id = H5Dopen2(file, "missing", H5P_DEFAULT);
    const H5Handle set(id, H5Dclose, "H5Dopen2", h5_name(file) + "missing");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  EXPECT_EQ(message.rfind("HDF5: H5Dopen2(/missing) failed: ", 0), 0U) << message;
  EXPECT_GT(message.size(), std::string("HDF5: H5Dopen2(/missing) failed: ").size()) << message;
}

std::string describe_error(const std::string& path) {
  try {
    describe_result_file(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no InputError";
}

TEST(ResultFile, DescribeRejectsWhatIsNotAMyelinResult) {
  const std::string stem = shared_path("describe", "");
  const std::string missing = stem + "-missing.h5";
  EXPECT_EQ(describe_error(missing),
            "FILE = " + missing + ": cannot open (No such file or directory)");
  if (world_rank() != 0) return;
  const std::string text = stem + ".txt";
  std::ofstream(text) << "not hdf5\n";
  EXPECT_EQ(describe_error(text), "FILE = " + text + ": not an HDF5 file");
  const std::string foreign = stem + "-foreign.h5";
  H5Fclose(H5Fcreate(foreign.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  EXPECT_EQ(describe_error(foreign),
            "FILE = " + foreign + ": not a Myelin result file (no /meta group)");
  unlink(text.c_str());
  unlink(foreign.c_str());
}

}  // namespace
}  // namespace myelin
