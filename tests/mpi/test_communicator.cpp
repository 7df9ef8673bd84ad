// The agreement and construction collectives at 1, 2 and 4 ranks.

#include <gtest/gtest.h>

#include "comm/mpi_communicator.hpp"
#include "myelin/errors.hpp"

namespace myelin {
namespace {

TEST(MpiCommunicator, FirstFailedRankAndBroadcast) {
  auto comm = MpiCommunicator::world();
  EXPECT_EQ(comm.first_failed_rank(false), -1);
  const int last = comm.size() - 1;
  EXPECT_EQ(comm.first_failed_rank(comm.rank() == last), last);
  const std::string text = comm.broadcast(comm.rank() == last ? "from the last rank" : "", last);
  EXPECT_EQ(text, "from the last rank");
  EXPECT_EQ(comm.sum(std::uint64_t{2}), 2u * static_cast<std::uint64_t>(comm.size()));
  EXPECT_EQ(comm.max(static_cast<double>(comm.rank())), static_cast<double>(last));
  EXPECT_EQ(comm.allgather(static_cast<double>(comm.rank())).size(),
            static_cast<std::size_t>(comm.size()));
}

TEST(MpiCommunicator, FileCollectives) {
  auto comm = MpiCommunicator::world();
  const auto r = static_cast<std::uint64_t>(comm.rank());
  // Rank r holds r + 1 rows: it starts after 1 + 2 + ... + r of them.
  EXPECT_EQ(comm.exclusive_sum(r + 1), r * (r + 1) / 2);
  const auto n = static_cast<std::int64_t>(comm.size());
  const auto mine = static_cast<std::int64_t>(r);
  EXPECT_EQ(comm.max_each({mine, -mine, 7}), (std::vector<std::int64_t>{n - 1, 0, 7}));
  EXPECT_GE(comm.ranks_on_node(), 1);
  EXPECT_LE(comm.ranks_on_node(), comm.size());
}

TEST(MpiCommunicator, FailedCallsThrowTypedErrorsNamingTheCall) {
  try {
    check_mpi(MPI_ERR_COUNT, "MPI_Allreduce");
    FAIL() << "no exception";
  } catch (const MpiError& e) {
    EXPECT_NE(std::string(e.what()).find("MPI_Allreduce failed: "), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_mpi(MPI_SUCCESS, "MPI_Barrier"));
  // A real call that MPI refuses (a negative count) comes back as MpiError, not an abort.
  int value = 0;
  auto world = MpiCommunicator::world();
  const auto comm = world.split(0);  // communicators made by Myelin return errors
  EXPECT_THROW(check_mpi(MPI_Bcast(&value, -1, MPI_INT, 0, native_handle(*comm)), "MPI_Bcast"),
               MpiError);
}

TEST(MpiCommunicator, ConstructionCollectives) {
  auto comm = MpiCommunicator::world();
  const auto r = static_cast<std::uint32_t>(comm.rank());
  const auto n = static_cast<std::uint32_t>(comm.size());
  // allgatherv: rank r contributes r + 1 words r.
  const std::vector<std::uint32_t> mine(r + 1, r);
  const auto all = comm.allgatherv(mine);
  std::vector<std::uint32_t> expected;
  for (std::uint32_t q = 0; q < n; ++q) expected.insert(expected.end(), q + 1, q);
  EXPECT_EQ(all, expected);
  // alltoallv: rank r sends (r, d) to each rank d; receives (q, r) from every q in order.
  std::vector<std::uint32_t> send;
  for (std::uint32_t d = 0; d < n; ++d) send.insert(send.end(), {r, d});
  const auto got = comm.alltoallv(send, std::vector<std::uint64_t>(n, 2));
  std::vector<std::uint32_t> want;
  for (std::uint32_t q = 0; q < n; ++q) want.insert(want.end(), {q, r});
  EXPECT_EQ(got, want);
  std::vector<std::uint64_t> bits = {std::uint64_t{1} << r, 0};
  comm.bitwise_or(bits);
  EXPECT_EQ(bits[0], (std::uint64_t{1} << n) - 1);
  EXPECT_EQ(bits[1], 0u);
}

}  // namespace
}  // namespace myelin
