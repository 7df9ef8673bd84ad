// The parallel HDF5 writer at 1, 2 and 4 ranks: each rank writes its slice, rank 0 reads back.

#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "io/result_file.hpp"
#include "myelin/errors.hpp"

namespace myelin {
namespace {

std::string shared_path(MpiCommunicator& comm, const std::string& stem) {
  return comm.broadcast("/tmp/myelin-test-" + stem + "-" + std::to_string(getpid()) + ".h5", 0);
}

template <typename T>
std::vector<T> read_all(hid_t file, const char* path, hid_t type, hsize_t* cols = nullptr) {
  const hid_t set = H5Dopen2(file, path, H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  hsize_t dims[2] = {0, 1};
  const int rank = H5Sget_simple_extent_dims(space, dims, nullptr);
  if (cols) *cols = rank == 2 ? dims[1] : 1;
  std::vector<T> out(dims[0] * (rank == 2 ? dims[1] : 1));
  if (!out.empty()) H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(set);
  return out;
}

int int_attribute(hid_t file, const char* object, const char* name) {
  int v = -1;
  const hid_t a = H5Aopen_by_name(file, object, name, H5P_DEFAULT, H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_INT, &v);
  H5Aclose(a);
  return v;
}

TEST(ResultFile, SlicesFromEveryRankLandInOrder) {
  auto comm = MpiCommunicator::world();
  const int r = comm.rank(), n = comm.size();
  const std::string path = shared_path(comm, "slices");
  {
    ResultFile file(path, comm.native());
    file.create_spike_groups({"a"}, {100});
    // Two appends; in each, rank q contributes q rows (rank 0 nothing), ids continuing globally.
    std::uint64_t base = 0;
    for (int round = 0; round < 2; ++round) {
      std::uint64_t before = base;
      for (int q = 0; q < r; ++q) before += static_cast<std::uint64_t>(q);
      std::vector<std::uint64_t> ids;
      std::vector<double> times;
      for (int i = 0; i < r; ++i) {
        ids.push_back(before + static_cast<std::uint64_t>(i));
        times.push_back(static_cast<double>(before + static_cast<std::uint64_t>(i)) * 0.5);
      }
      file.append_spikes(0, ids, times);
      for (int q = 0; q < n; ++q) base += static_cast<std::uint64_t>(q);
    }
    // Traces: 5 neurons, rank q owns columns c with c % n == q; two appends of 3 and 2 samples.
    std::vector<std::uint32_t> mine;
    for (std::uint32_t c = 0; c < 5; ++c)
      if (static_cast<int>(c % static_cast<std::uint32_t>(n)) == r) mine.push_back(c);
    const auto handle = file.create_traces("a", {"V_m"}, {0, 3, 4, 8, 9}, 0.5, mine);
    for (int round = 0; round < 2; ++round) {
      const std::size_t rows = round == 0 ? 3 : 2;
      std::vector<double> times, values;
      for (std::size_t s = 0; s < rows; ++s) {
        const double row = static_cast<double>(round * 3) + static_cast<double>(s);
        times.push_back(row);
        for (const auto c : mine) values.push_back(100.0 * row + c);
      }
      file.append_traces(handle, times, {values});
    }
    file.mark_complete();
  }
  comm.barrier();
  if (r == 0) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    EXPECT_EQ(int_attribute(f, "meta", "complete"), 1);
    const auto ids = read_all<std::uint64_t>(f, "spikes/a/node_ids", H5T_NATIVE_UINT64);
    const auto times = read_all<double>(f, "spikes/a/timestamps", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(n * (n - 1)));  // two rounds of 0+1+...+(n-1)
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_EQ(ids[i], i);
      EXPECT_DOUBLE_EQ(times[i], 0.5 * static_cast<double>(i));
    }
    hsize_t cols = 0;
    const auto v = read_all<double>(f, "traces/a/V_m", H5T_NATIVE_DOUBLE, &cols);
    ASSERT_EQ(cols, 5u);
    ASSERT_EQ(v.size(), 25u);
    for (std::size_t row = 0; row < 5; ++row)
      for (std::size_t c = 0; c < 5; ++c)
        EXPECT_DOUBLE_EQ(v[row * 5 + c], 100.0 * static_cast<double>(row) + static_cast<double>(c));
    EXPECT_EQ(read_all<double>(f, "traces/a/times", H5T_NATIVE_DOUBLE).size(), 5u);
    H5Fclose(f);
    const std::string text = describe_result_file(path);
    EXPECT_NE(text.find("complete     yes"), std::string::npos) << text;
    unlink(path.c_str());
  }
}

TEST(ResultFile, NotMarkedCompleteWithoutMarkComplete) {
  auto comm = MpiCommunicator::world();
  const std::string path = shared_path(comm, "incomplete");
  { ResultFile file(path, comm.native()); }
  comm.barrier();
  if (comm.rank() == 0) {
    const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    EXPECT_EQ(int_attribute(f, "meta", "complete"), 0);
    H5Fclose(f);
    EXPECT_NE(describe_result_file(path).find("NO"), std::string::npos);
    unlink(path.c_str());
  }
}

TEST(ResultFile, UncreatablePathThrowsInputErrorOnEveryRank) {
  auto comm = MpiCommunicator::world();
  EXPECT_THROW(ResultFile("/nonexistent-dir/x.h5", comm.native()), InputError);
  EXPECT_THROW(describe_result_file("/nonexistent-dir/x.h5"), InputError);
}

}  // namespace
}  // namespace myelin
