// The exchange and the agreement collectives at 1, 2 and 4 ranks.

#include <gtest/gtest.h>

#include "comm/mpi_communicator.hpp"

namespace myelin {
namespace {

TEST(MpiCommunicator, ExchangeGathersEveryRanksSpikesInRankOrder) {
  auto comm = MpiCommunicator::world();
  const int r = comm.rank();
  const Step epoch_begin = 1000;
  // Rank r emits r+1 spikes (rank 2 none, to cover an empty contribution at 4 ranks).
  std::vector<Spike> local;
  if (r != 2)
    for (int i = 0; i <= r; ++i) local.push_back({epoch_begin + i, static_cast<Gid>(100 * r + i)});
  std::vector<Spike> all;
  Health health;
  comm.exchange(local, epoch_begin, 15, all, health);

  std::vector<Spike> expected;
  for (int q = 0; q < comm.size(); ++q)
    if (q != 2)
      for (int i = 0; i <= q; ++i)
        expected.push_back({epoch_begin + i, static_cast<Gid>(100 * q + i)});
  EXPECT_EQ(all, expected);
  EXPECT_FALSE(health.failed);
  EXPECT_EQ(comm.counters().bytes_sent, local.size() * 8);
  EXPECT_EQ(comm.counters().bytes_received, expected.size() * 8);
}

TEST(MpiCommunicator, ExchangeAgreesOnTheEarliestFailure) {
  auto comm = MpiCommunicator::world();
  const int r = comm.rank();
  Health health;
  // The last rank fails earliest in time; rank 0 fails later. Everyone must pick the last rank's.
  if (r == comm.size() - 1) health.report(5, static_cast<Gid>(10 + r), 0, 1e9);
  if (r == 0) health.report(9, 0, 0, -1e9);
  std::vector<Spike> all;
  comm.exchange({}, 0, 10, all, health);
  ASSERT_TRUE(health.failed);
  EXPECT_EQ(health.step, 5);
  EXPECT_EQ(health.gid, static_cast<Gid>(10 + comm.size() - 1));
  EXPECT_EQ(health.value, 1e9);
}

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

}  // namespace
}  // namespace myelin
