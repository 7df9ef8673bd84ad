#pragma once

// The spike exchange: one subsystem owns the wire format (spike_wire.hpp), the destination
// table, the counters and the algorithm. The epoch loop sees only start / progress / finish:
//
//   start(local spikes of epoch e, health)   master thread, after the update of epoch e
//   progress()                               master thread, between steps of epoch e + 1:
//                                            lets a non-blocking exchange advance (cheap)
//   finish(received, health)                 before the spikes of epoch e are delivered
//
// Called back to back, start + finish is a blocking exchange; with the update of epoch e + 1
// between them (epochs of at most half the minimum delay), the exchange is hidden behind the
// computation. Algorithms: `allgatherv` (every rank receives every spike) and `alltoallv` (each
// spike goes only to the ranks that hold a target of its source). Both deliver, on every rank,
// the spikes it needs sorted by (step, gid), so results do not depend on the algorithm.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "myelin/health.hpp"
#include "myelin/types.hpp"

namespace myelin {

struct ExchangeCounters {
  std::uint64_t epochs = 0;
  std::uint64_t spikes_sent = 0;      // this rank's spikes, counted once per destination rank
  std::uint64_t bytes_sent = 0;       // this rank's payload over all destinations
  std::uint64_t bytes_received = 0;   // payload received here
  std::uint64_t spikes_received = 0;  // spikes decoded here (this rank's own included)
  // Blocked waiting for the header collective (counts and health): a rank that arrives early
  // waits there for the slowest one, so this is the load imbalance seen by this rank.
  double wait_seconds = 0.0;
  double transfer_seconds = 0.0;   // blocked in the payload collective
  double hidden_seconds = 0.0;     // in flight while this rank computed (overlap only)
  double synthesis_seconds = 0.0;  // dry run only: making the other ranks' blocks (not a cost)
};

// For alltoallv: the ranks that hold targets of each of this rank's neurons.
struct DestinationTable {
  std::vector<Gid> gids;             // this rank's neurons with any destination, ascending
  std::vector<std::uint32_t> begin;  // [gid index] first entry in `ranks`; gids.size() + 1
  std::vector<std::uint32_t> ranks;  // ascending per neuron
};

enum class ExchangeAlgorithm { allgatherv, alltoallv };

class SpikeExchange {
 public:
  virtual ~SpikeExchange() = default;
  // `local`: this rank's spikes of the epoch starting at `epoch_begin`, sorted by (step, gid),
  // offsets quantised.
  virtual void start(std::span<const Spike> local, Step epoch_begin, const Health& health) = 0;
  virtual void progress() {}
  // `received`: the spikes this rank needs (its own included), sorted by (step, gid); `health`:
  // the merge over every rank (the same on all of them).
  virtual void finish(std::vector<Spike>& received, Health& health) = 0;
  const ExchangeCounters& counters() const { return counters_; }
  virtual const char* name() const = 0;

 protected:
  ExchangeCounters counters_;
};

// The exchange over `comm`. One rank (a LocalCommunicator, or an MPI communicator of size 1)
// gives the local exchange: a copy, no collective, the health passed through unchanged, so a
// failure or stop request still ends the run after the epoch it was seen in. `destinations`
// is used by alltoallv only.
std::unique_ptr<SpikeExchange> make_spike_exchange(ExchangeAlgorithm algorithm, Communicator& comm,
                                                   DestinationTable destinations);

// `out` = the union of `runs`, each sorted by (step, gid), in (step, gid) order: what sorting
// their concatenation gives, since a (step, gid) pair occurs at most once, in linear time for
// the few runs (threads, ranks) an epoch has.
void merge_sorted_spikes(std::span<const std::span<const Spike>> runs, std::vector<Spike>& out);

// Collective: the destination table from every rank's SourceIndex-like list of the sources it
// needs (`needed`: gids, ascending) and the owner of each gid.
template <class OwnerFn>
DestinationTable build_destination_table(const std::vector<Gid>& needed, OwnerFn&& owner_of,
                                         Communicator& comm) {
  const auto n = static_cast<std::size_t>(comm.size());
  std::vector<std::vector<std::uint32_t>> to(n);
  for (const Gid g : needed) to[static_cast<std::size_t>(owner_of(g))].push_back(g);
  std::vector<std::uint32_t> send;
  std::vector<std::uint64_t> counts(n);
  for (std::size_t r = 0; r < n; ++r) {
    counts[r] = to[r].size() + 1;  // a leading marker word so every rank's block is non-empty
    send.push_back(0xFFFFFFFFu);
    send.insert(send.end(), to[r].begin(), to[r].end());
  }
  const std::vector<std::uint32_t> got = comm.alltoallv(send, counts);
  // got: for each sender rank r in order, marker then the gids (of mine) that r needs.
  std::vector<std::pair<Gid, std::uint32_t>> pairs;
  std::uint32_t rank = 0;
  bool first = true;
  for (const std::uint32_t w : got) {
    if (w == 0xFFFFFFFFu) {
      if (!first) ++rank;
      first = false;
      continue;
    }
    pairs.emplace_back(w, rank);
  }
  std::sort(pairs.begin(), pairs.end());
  DestinationTable table;
  for (const auto& [g, r] : pairs) {
    if (table.gids.empty() || table.gids.back() != g) {
      table.gids.push_back(g);
      table.begin.push_back(static_cast<std::uint32_t>(table.ranks.size()));
    }
    table.ranks.push_back(r);
  }
  table.begin.push_back(static_cast<std::uint32_t>(table.ranks.size()));
  return table;
}

}  // namespace myelin
