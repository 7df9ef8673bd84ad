// Both exchange algorithms, blocking and overlapped, at 1, 2 and 4 ranks: every rank receives
// exactly the spikes it needs, sorted, with their offsets; the health is agreed; the byte
// counters are the encoded sizes.

#include <gtest/gtest.h>

#include "comm/mpi_communicator.hpp"
#include "comm/spike_exchange.hpp"
#include "comm/spike_wire.hpp"

namespace myelin {
namespace {

// Rank r owns gids [100 r, 100 r + 100); its neuron 100 r + i fires at step epoch + i % 7 for
// i < 3 r + 2 (rank 2 fires nothing, an empty contribution at 4 ranks). Neuron g is wanted by
// ranks (g / 100) and (g / 100 + 1) mod R when g is even, by rank (g / 100 + 2) mod R when odd.
std::vector<Spike> spikes_of(int r, Step epoch) {
  std::vector<Spike> out;
  if (r == 2) return out;
  for (int i = 0; i < 3 * r + 2; ++i)
    out.push_back({epoch + i % 7, static_cast<Gid>(100 * r + i),
                   quantise_offset(0.1F + 0.01F * static_cast<float>(i))});
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int> wanted_by(Gid g, int ranks) {
  const int owner = static_cast<int>(g / 100);
  std::vector<int> out = g % 2 == 0 ? std::vector<int>{owner, (owner + 1) % ranks}
                                    : std::vector<int>{(owner + 2) % ranks};
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void check_exchange(ExchangeAlgorithm algorithm, bool overlapped) {
  auto comm = MpiCommunicator::world();
  const int r = comm.rank(), n = comm.size();
  std::vector<Gid> needed;
  for (Gid g = 0; g < static_cast<Gid>(100 * n); ++g)
    for (const int q : wanted_by(g, n))
      if (q == r) needed.push_back(g);
  const DestinationTable table = build_destination_table(
      needed, [](Gid g) { return static_cast<int>(g / 100); }, comm);
  auto exchange = make_spike_exchange(algorithm, comm, table);
  const Step epoch = 5000;
  const auto local = spikes_of(r, epoch);
  Health health;
  if (r == n - 1) health.report(epoch + 3, static_cast<Gid>(100 * r + 1), 0, 1e9);
  exchange->start(local, epoch, health);
  if (overlapped)
    for (int i = 0; i < 100; ++i) exchange->progress();
  std::vector<Spike> received;
  Health agreed;
  exchange->finish(received, agreed);

  std::vector<Spike> expected;
  std::uint64_t expected_bytes = 0;
  for (int q = 0; q < n; ++q)
    for (const Spike& s : spikes_of(q, epoch)) {
      const auto to = wanted_by(s.gid, n);
      if (algorithm == ExchangeAlgorithm::allgatherv ||
          std::find(to.begin(), to.end(), r) != to.end())
        expected.push_back(s);
    }
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(received.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(received[i], expected[i]) << i;
    EXPECT_EQ(received[i].offset, expected[i].offset) << i;  // == ignores the offset
  }
  ASSERT_TRUE(agreed.failed);
  EXPECT_EQ(agreed.step, epoch + 3);
  EXPECT_EQ(agreed.gid, static_cast<Gid>(100 * (n - 1) + 1));
  // Bytes sent: the encoded block once (allgatherv) or one block per destination (alltoallv).
  if (algorithm == ExchangeAlgorithm::allgatherv) {
    std::vector<std::uint8_t> bytes;
    encode_spikes(local, epoch, bytes);
    expected_bytes = bytes.size();
  } else {
    for (int q = 0; q < n; ++q) {
      std::vector<Spike> to_q;
      for (const Spike& s : local) {
        const auto to = wanted_by(s.gid, n);
        if (std::find(to.begin(), to.end(), q) != to.end()) to_q.push_back(s);
      }
      std::vector<std::uint8_t> bytes;
      encode_spikes(to_q, epoch, bytes);
      expected_bytes += bytes.size();
    }
  }
  EXPECT_EQ(exchange->counters().bytes_sent, expected_bytes);
  EXPECT_EQ(exchange->counters().epochs, 1u);
  EXPECT_EQ(comm.sum(exchange->counters().bytes_received),
            comm.sum(expected_bytes) *
                (algorithm == ExchangeAlgorithm::allgatherv ? static_cast<std::uint64_t>(n) : 1));
}

TEST(SpikeExchange, AllgathervBlocking) {
  check_exchange(ExchangeAlgorithm::allgatherv, false);
}
TEST(SpikeExchange, AllgathervOverlapped) {
  check_exchange(ExchangeAlgorithm::allgatherv, true);
}
TEST(SpikeExchange, AlltoallvBlocking) {
  check_exchange(ExchangeAlgorithm::alltoallv, false);
}
TEST(SpikeExchange, AlltoallvOverlapped) {
  check_exchange(ExchangeAlgorithm::alltoallv, true);
}

}  // namespace
}  // namespace myelin
