#include <gtest/gtest.h>

#include "synapse/delivery.hpp"
#include "synapse/ring_buffer.hpp"
#include "synapse/touched_channels.hpp"

namespace myelin {
namespace {

TEST(RingBuffer, SlotsWrapAfterTheHorizonAndKeepFutureInputs) {
  RingBuffer ring(3, 17);  // rounded up to 32 slots
  EXPECT_EQ(ring.slots(), 32);
  ring.add(5, 1, 0.5);
  ring.add(5 + 32, 1, 2.0);  // lands in the same slot: the caller's horizon forbids this in use
  EXPECT_DOUBLE_EQ(ring.slot(5)[1], 2.5);
  ring.add(20, 2, 1.0);
  EXPECT_DOUBLE_EQ(ring.slot(20)[2], 1.0);
  EXPECT_DOUBLE_EQ(ring.slot(20)[0], 0.0);
  EXPECT_DOUBLE_EQ(ring.slot(21)[2], 0.0);
}

TEST(Delivery, AddsEachSynapseAtItsArrivalStepInCanonicalOrder) {
  // Two sources (gids 0 and 1) onto local neurons 0 and 1.
  // Row of gid 0: a run of delay 3 (onto neuron 0), a run of delay 4 (onto 1); gid 1: one
  // synapse of delay 3 onto 0. Gid 2 has no targets here.
  ThreadSynapses syn;
  syn.row_run = {0, 2, 3};
  syn.run_delay = {3, 4, 3};
  syn.run_end = {1, 2, 3};
  syn.target = {0, 1, 0};
  syn.weight = {0.5, -1.0, 0.25};
  SourceIndex sources(3);
  sources.mark(0);
  sources.mark(1);
  sources.finalise();
  RingBuffer ring(2, 8);
  const std::vector<Spike> spikes = {{10, 0}, {10, 1}, {10, 2}, {11, 0}};
  EXPECT_EQ(deliver(spikes, sources, syn, ring), 5u);
  EXPECT_DOUBLE_EQ(ring.slot(13)[0], 0.75);  // 0.5 from gid 0 then 0.25 from gid 1
  EXPECT_DOUBLE_EQ(ring.slot(14)[1], -1.0);
  EXPECT_DOUBLE_EQ(ring.slot(14)[0], 0.5);  // gid 0 again, one step later
  EXPECT_DOUBLE_EQ(ring.slot(15)[1], -1.0);
}

// gid 0 -> channels 0 and 5 (delay 1); gid 1 -> channel 5 (delay 2) and channel 7 (delay 1).
ThreadSynapses two_sources() {
  ThreadSynapses syn;
  syn.row_run = {0, 1, 3};
  syn.run_delay = {1, 2, 1};
  syn.run_end = {2, 3, 4};
  syn.target = {0, 5, 5, 7};
  syn.weight = {1.0, 2.0, 3.0, 4.0};
  return syn;
}

SourceIndex both_marked() {
  SourceIndex sources(2);
  sources.mark(0);
  sources.mark(1);
  sources.finalise();
  return sources;
}

TEST(TouchedChannels, DeliveriesAreNotedSoTheSparseClearLeavesTheSlotZero) {
  const ThreadSynapses syn = two_sources();
  const SourceIndex sources = both_marked();
  RingBuffer ring(8, 4);
  TouchedChannels touched(ring.slots(), 8);
  const std::vector<Spike> spikes = {{10, 0}, {10, 1}};
  EXPECT_EQ(deliver(spikes, sources, syn, ring, &touched), 4u);
  EXPECT_FALSE(touched.dense(11));
  EXPECT_DOUBLE_EQ(ring.slot(11)[5], 2.0);
  EXPECT_DOUBLE_EQ(ring.slot(11)[7], 4.0);
  EXPECT_DOUBLE_EQ(ring.slot(12)[5], 3.0);
  touched.clear(11, ring.slot(11));
  for (const double x : ring.slot(11)) EXPECT_EQ(x, 0.0);
  EXPECT_DOUBLE_EQ(ring.slot(12)[5], 3.0);  // another slot: untouched by that clear
  touched.clear(12, ring.slot(12));
  for (const double x : ring.slot(12)) EXPECT_EQ(x, 0.0);
  // The slot is reused four steps on, with nothing left to clear.
  touched.clear(15, ring.slot(15));
  EXPECT_FALSE(touched.dense(15));
}

TEST(TouchedChannels, ASlotPastTheLimitOrWrittenUnnotedIsLeftForTheDenseClear) {
  const ThreadSynapses syn = two_sources();
  const SourceIndex sources = both_marked();
  RingBuffer ring(8, 4);
  TouchedChannels touched(ring.slots(), 2);  // two entries per slot at most
  const std::vector<Spike> spikes = {{10, 0}, {10, 1}};
  deliver(spikes, sources, syn, ring, &touched);
  EXPECT_TRUE(touched.dense(11));   // three entries: 0, 5, 7
  EXPECT_FALSE(touched.dense(12));  // one entry
  touched.clear(11, ring.slot(11));
  EXPECT_DOUBLE_EQ(ring.slot(11)[0], 1.0);  // dense: the caller's to clear, and forgotten
  EXPECT_FALSE(touched.dense(11));
  touched.mark_dense(12);
  EXPECT_TRUE(touched.dense(12));
  touched.clear(12, ring.slot(12));
  EXPECT_DOUBLE_EQ(ring.slot(12)[5], 3.0);
  touched.mark_all_dense();
  for (Step s = 0; s < ring.slots(); ++s) EXPECT_TRUE(touched.dense(s));
}

TEST(SourceIndex, RowsAreRanksOfMarkedSourcesAcrossWordsAndBlocks) {
  SourceIndex index(5000);
  const std::vector<Gid> marked = {0, 63, 64, 511, 512, 513, 1300, 4095, 4999};
  for (const Gid g : marked) index.mark(g);
  index.finalise();
  EXPECT_EQ(index.rows(), marked.size());
  for (std::uint32_t i = 0; i < marked.size(); ++i) {
    EXPECT_TRUE(index.contains(marked[i]));
    EXPECT_EQ(index.row(marked[i]), i) << "gid " << marked[i];
  }
  EXPECT_FALSE(index.contains(1));
  EXPECT_FALSE(index.contains(4998));
  EXPECT_LE(index.bytes(), 5000 / 8 + 5000 / 512 * 4 + 64);  // ~1.06 bits per neuron
}

}  // namespace
}  // namespace myelin
