// The epoch loop's kernels against their definitions: merging sorted spike lists gives what
// sorting the concatenation gives, and blocked delivery adds what the plain walk adds, in the
// same order (bitwise), across block boundaries and sources without targets.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "comm/spike_exchange.hpp"
#include "synapse/delivery.hpp"

namespace myelin {
namespace {

TEST(MergeSortedSpikes, EqualsSortingTheConcatenation) {
  std::mt19937 rng(7);
  for (const std::size_t n_runs : {0u, 1u, 2u, 3u, 8u}) {
    // Disjoint (step, gid) pairs spread over the runs, each run sorted; some runs empty.
    std::vector<std::vector<Spike>> lists(n_runs);
    std::vector<Spike> all;
    for (Step step = 100; step < 104; ++step)
      for (Gid g = 0; g < 200; ++g) {
        if (n_runs == 0 || rng() % 3 != 0) continue;
        const std::size_t r = rng() % n_runs;
        if (n_runs > 2 && r == 1) continue;  // run 1 stays empty
        const Spike s{step, g, static_cast<float>(g % 7 + 1) / 7.0F};
        lists[r].push_back(s);
        all.push_back(s);
      }
    std::vector<std::span<const Spike>> runs(lists.begin(), lists.end());
    std::vector<Spike> merged = {{1, 1}};  // replaced, not appended to
    merge_sorted_spikes(runs, merged);
    std::sort(all.begin(), all.end());
    ASSERT_EQ(merged.size(), all.size()) << n_runs << " runs";
    for (std::size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(merged[i], all[i]);
      EXPECT_EQ(merged[i].offset, all[i].offset);
    }
  }
}

TEST(Delivery, BlockedWalkAddsWhatThePlainWalkAddsInTheSameOrder) {
  // 300 sources, every third without targets here; rows of 0 to 40 synapses in runs of
  // delays 1..4 onto 64 neurons; 200 spikes over 3 steps (many blocks of 16).
  constexpr Gid n_sources = 300;
  constexpr std::uint32_t n_targets = 64;
  std::mt19937 rng(11);
  SourceIndex sources(n_sources);
  for (Gid g = 0; g < n_sources; ++g)
    if (g % 3 != 0) sources.mark(g);
  sources.finalise();
  ThreadSynapses syn;
  for (std::uint32_t row = 0; row < sources.rows(); ++row) {
    syn.row_run.push_back(static_cast<std::uint32_t>(syn.run_delay.size()));
    const std::uint32_t length = rng() % 41;
    for (std::uint32_t k = 0; k < length; ++k) {
      const std::uint32_t delay = 1 + k * 4 / std::max(length, 1u);
      if (k == 0 || delay != syn.run_delay.back()) {
        if (k != 0) syn.run_end.push_back(static_cast<std::uint32_t>(syn.target.size()));
        syn.run_delay.push_back(delay);
      }
      syn.target.push_back(rng() % n_targets);
      syn.weight.push_back(std::ldexp(static_cast<double>(rng() % 1000) + 0.1, -7));
    }
    if (length != 0) syn.run_end.push_back(static_cast<std::uint32_t>(syn.target.size()));
  }
  syn.row_run.push_back(static_cast<std::uint32_t>(syn.run_delay.size()));
  std::vector<Spike> spikes;
  for (Step step = 40; step < 43; ++step)
    for (Gid g = 0; g < n_sources; ++g)
      if (rng() % 5 < 1 || g == 0) spikes.push_back({step, g});
  ASSERT_GT(spikes.size(), 100u);

  RingBuffer blocked(n_targets, 8), plain(n_targets, 8);
  const std::uint64_t events = deliver(spikes, sources, syn, blocked);
  std::uint64_t expected_events = 0;
  for (const Spike& s : spikes) {
    if (!sources.contains(s.gid)) continue;
    const std::uint32_t row = sources.row(s.gid);
    std::uint32_t j = syn.row_run[row] == 0 ? 0 : syn.run_end[syn.row_run[row] - 1];
    for (std::uint32_t run = syn.row_run[row]; run < syn.row_run[row + 1]; ++run)
      for (; j < syn.run_end[run]; ++j, ++expected_events)
        plain.add(s.step + syn.run_delay[run], syn.target[j], syn.weight[j]);
  }
  EXPECT_EQ(events, expected_events);
  for (Step step = 40; step < 48; ++step)
    for (std::uint32_t i = 0; i < n_targets; ++i)
      EXPECT_EQ(blocked.slot(step)[i], plain.slot(step)[i]) << step << " " << i;
}

}  // namespace
}  // namespace myelin
