// The agreement and construction collectives at 1, 2 and 4 ranks.

#include <gtest/gtest.h>

#include "comm/mpi_communicator.hpp"

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
