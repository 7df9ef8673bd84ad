#include <gtest/gtest.h>

#include "synapse/delivery.hpp"
#include "synapse/ring_buffer.hpp"

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
  ThreadSynapses syn;
  syn.row_begin = {0, 2, 3};
  syn.target = {0, 1, 0};
  syn.weight = {0.5, -1.0, 0.25};
  syn.delay = {3, 4, 3};
  RingBuffer ring(2, 8);
  const std::vector<Spike> spikes = {{10, 0}, {10, 1}, {11, 0}};
  EXPECT_EQ(deliver(spikes, syn, ring), 5u);
  EXPECT_DOUBLE_EQ(ring.slot(13)[0], 0.75);  // 0.5 from gid 0 then 0.25 from gid 1
  EXPECT_DOUBLE_EQ(ring.slot(14)[1], -1.0);
  EXPECT_DOUBLE_EQ(ring.slot(14)[0], 0.5);  // gid 0 again, one step later
  EXPECT_DOUBLE_EQ(ring.slot(15)[1], -1.0);
}

}  // namespace
}  // namespace myelin
