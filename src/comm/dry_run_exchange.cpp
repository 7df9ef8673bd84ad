#include "comm/dry_run_exchange.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "comm/spike_wire.hpp"

namespace myelin {

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

class DryRunSpikeExchange final : public SpikeExchange {
 public:
  DryRunSpikeExchange(bool directed, DryRunShape shape, DestinationTable table)
      : directed_(directed), shape_(shape), table_(std::move(table)) {
    const auto n = static_cast<std::size_t>(shape_.ranks);
    per_rank_.resize(n);
    counts_.resize(n);
  }

  const char* name() const override { return directed_ ? "alltoallv" : "allgatherv"; }

  void start(std::span<const Spike> local, Step epoch_begin, const Health& health) override {
    epoch_begin_ = epoch_begin;
    health_ = health;
    const auto n = static_cast<std::size_t>(shape_.ranks);
    // This rank's own part, as in the real exchange: encode once (allgatherv) or per
    // destination rank (alltoallv).
    send_.clear();
    for (auto& list : per_rank_) list.clear();
    if (directed_) {
      for (const Spike& s : local) {
        const auto it = std::lower_bound(table_.gids.begin(), table_.gids.end(), s.gid);
        if (it == table_.gids.end() || *it != s.gid) continue;
        const auto i = static_cast<std::size_t>(it - table_.gids.begin());
        for (std::uint32_t k = table_.begin[i]; k < table_.begin[i + 1]; ++k)
          per_rank_[table_.ranks[k]].push_back(s);
      }
      for (std::size_t r = 0; r < n; ++r) {
        encode_spikes(per_rank_[r], epoch_begin, send_);
        counters_.spikes_sent += per_rank_[r].size();
      }
    } else {
      encode_spikes(local, epoch_begin, send_);
      counters_.spikes_sent += local.size();
    }
    counters_.bytes_sent += send_.size();
    ++counters_.epochs;

    // What the other ranks would send here: rank q's spikes are ours moved by q shares; under
    // alltoallv q sends what we send to rank R - q (see mirrored_destination_table).
    const double synthesis_start = now();
    receive_.clear();
    std::vector<Spike> moved;
    for (std::size_t q = 0; q < n; ++q) {
      const std::size_t before = receive_.size();
      const auto shift = static_cast<Gid>(q * shape_.share);
      const std::span<const Spike> from =
          directed_ ? std::span<const Spike>(per_rank_[(n - q) % n]) : local;
      moved.assign(from.begin(), from.end());
      for (Spike& s : moved) s.gid += shift;  // below n_global: rank 0 holds [0, share)
      encode_spikes(moved, epoch_begin, receive_);
      counts_[q] = receive_.size() - before;
    }
    counters_.synthesis_seconds += now() - synthesis_start;
  }

  void finish(std::vector<Spike>& received, Health& health) override {
    received.clear();
    std::size_t at = 0;
    for (const std::size_t count : counts_) {
      decode_spikes(std::span<const std::uint8_t>(receive_).subspan(at, count), epoch_begin_,
                    received);
      at += count;
    }
    counters_.bytes_received += receive_.size();
    counters_.spikes_received += received.size();
    std::sort(received.begin(), received.end());
    health = health_;  // the images are healthy when this rank is
  }

 private:
  bool directed_;
  DryRunShape shape_;
  DestinationTable table_;
  Step epoch_begin_ = 0;
  Health health_;
  std::vector<std::uint8_t> send_, receive_;
  std::vector<std::size_t> counts_;
  std::vector<std::vector<Spike>> per_rank_;
};

}  // namespace

DestinationTable mirrored_destination_table(const std::vector<Gid>& needed, DryRunShape shape) {
  std::vector<std::pair<Gid, std::uint32_t>> pairs;
  pairs.reserve(needed.size());
  const auto ranks = static_cast<std::uint32_t>(shape.ranks);
  for (const Gid g : needed) {
    const std::uint32_t q = g / shape.share;
    pairs.emplace_back(g - q * shape.share, (ranks - q) % ranks);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
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

std::unique_ptr<SpikeExchange> make_dry_run_exchange(ExchangeAlgorithm algorithm, DryRunShape shape,
                                                     DestinationTable destinations) {
  return std::make_unique<DryRunSpikeExchange>(algorithm == ExchangeAlgorithm::alltoallv, shape,
                                               std::move(destinations));
}

}  // namespace myelin
