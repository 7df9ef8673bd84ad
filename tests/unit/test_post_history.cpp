#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "plasticity/post_history.hpp"

namespace myelin {
namespace {

// Two kernels, so a record is [step][readers][y0][y1]; spike k has step 10 k and traces k, -k.
void append_spike(PostHistory& h, std::uint64_t k, std::uint64_t readers) {
  const std::array<double, 2> y{static_cast<double>(k), -static_cast<double>(k)};
  h.append(static_cast<Step>(10 * k), y, readers);
}

// The kept spikes are first .. first + count - 1, and the oldest have these reader counts.
void expect_spikes(const PostHistory& h, std::uint64_t first, std::uint64_t count,
                   const std::vector<std::uint64_t>& oldest_readers) {
  ASSERT_EQ(h.first(), first);
  ASSERT_EQ(h.size(), count);
  for (std::size_t k = 0; k < oldest_readers.size(); ++k)
    EXPECT_EQ(h.readers(k), oldest_readers[k]) << k;
  for (std::uint64_t k = 0; k < count; ++k) {
    EXPECT_EQ(h.step(k), static_cast<Step>(10 * (first + k))) << k;
    EXPECT_EQ(h.y(k, 0), static_cast<double>(first + k)) << k;
    EXPECT_EQ(h.y(k, 1), -static_cast<double>(first + k)) << k;
  }
}

// Nothing is read: the ring grows past its first capacities, with wrapped records, and keeps
// every spike in order.
TEST(PostHistory, GrowsAcrossWrappedRecordsInOrder) {
  PostHistory h(2);
  for (std::uint64_t k = 0; k < 5; ++k) append_spike(h, k, 3);
  // Two readers have read the first three spikes: forgetting needs all three readers.
  for (std::size_t k = 0; k < 3; ++k) {
    h.count_reader(k);
    h.count_reader(k);
  }
  append_spike(h, 5, 3);
  expect_spikes(h, 0, 6, {2, 2, 2, 0});
  // The third reader too: spikes 0 and 1 go (2 stays, the newest that every reader read), so
  // the next records wrap around the ring's end.
  for (std::size_t k = 0; k < 3; ++k) h.count_reader(k);
  append_spike(h, 6, 3);
  expect_spikes(h, 2, 5, {3, 0});
  for (std::uint64_t k = 7; k < 40; ++k) append_spike(h, k, 3);
  expect_spikes(h, 2, 38, {3, 0, 0});
}

// Forgetting keeps the newest spike that every synapse has read, whatever the others hold.
TEST(PostHistory, ForgetsOnlyWhatEveryReaderReadAndKeepsTheNewestOfIt) {
  PostHistory h(2);
  for (std::uint64_t k = 0; k < 4; ++k) append_spike(h, k, 1);
  for (std::size_t k = 0; k < 4; ++k) h.count_reader(k);
  append_spike(h, 4, 1);
  expect_spikes(h, 3, 2, {1, 0});
}

// A checkpoint's history, restored, reads back as written and grows from there.
TEST(PostHistory, RestoresAndAppendsAfterTheRestoredSpikes) {
  PostHistory h(2);
  const std::vector<Step> steps{70, 80, 90};
  const std::vector<std::uint64_t> readers{2, 1, 0};
  const std::vector<double> y{7, -7, 8, -8, 9, -9};
  h.restore(7, steps, readers, y);
  expect_spikes(h, 7, 3, {2, 1, 0});
  for (std::uint64_t k = 10; k < 30; ++k) append_spike(h, k, 5);
  expect_spikes(h, 7, 23, {2, 1, 0, 0});
}

}  // namespace
}  // namespace myelin
