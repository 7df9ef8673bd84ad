// The wire format: exact round trip (steps, gids, sub-step offsets) and its size.

#include <gtest/gtest.h>

#include <stdexcept>

#include "comm/spike_wire.hpp"
#include "core/random.hpp"

namespace myelin {
namespace {

TEST(SpikeWire, RoundTripIsExactAndCompact) {
  // 15 steps of 75 spikes each among 50,000 neurons: sw100k at 2 ranks.
  std::vector<Spike> spikes;
  const Step epoch = 123456789;
  for (Step s = 0; s < 15; ++s) {
    std::vector<Gid> gids;
    for (std::uint32_t i = 0; i < 75; ++i) {
      const auto w = rng::philox(3, rng::Stream::noise, static_cast<std::uint32_t>(s), i, 0);
      gids.push_back(50000 + rng::uniform_below(w[0], w[1], 50000));
    }
    std::sort(gids.begin(), gids.end());
    gids.erase(std::unique(gids.begin(), gids.end()), gids.end());
    for (const Gid g : gids)
      spikes.push_back({epoch + s, g, quantise_offset(static_cast<float>(g % 997) / 997.0F)});
  }
  std::vector<std::uint8_t> bytes;
  encode_spikes(spikes, epoch, bytes);
  std::vector<Spike> back;
  decode_spikes(bytes, epoch, back);
  ASSERT_EQ(back.size(), spikes.size());
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    EXPECT_EQ(back[i], spikes[i]);
    EXPECT_EQ(back[i].offset, spikes[i].offset);
  }
  // The size from the definition: per group varint(step gap) + varint(count), per spike
  // varint(gid gap) + 2 offset bytes.
  auto varint_size = [](std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 0x80) v >>= 7, ++n;
    return n;
  };
  std::size_t expected = 0;
  Step previous_step = epoch;
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    const bool first = i == 0 || spikes[i].step != spikes[i - 1].step;
    if (first) {
      std::size_t count = 0;
      while (i + count < spikes.size() && spikes[i + count].step == spikes[i].step) ++count;
      expected += varint_size(static_cast<std::uint64_t>(spikes[i].step - previous_step)) +
                  varint_size(count);
      previous_step = spikes[i].step;
    }
    expected += varint_size(first ? spikes[i].gid : spikes[i].gid - spikes[i - 1].gid) + 2;
  }
  EXPECT_EQ(bytes.size(), expected);
  EXPECT_EQ(encoded_size(spikes, epoch), bytes.size());  // what the one-rank exchange counts
  // Well under the old fixed 8 bytes a spike.
  EXPECT_LT(static_cast<double>(bytes.size()) / static_cast<double>(spikes.size()), 4.2);
}

TEST(SpikeWire, EmptyAndSparseEpochsAndMalformedBlocks) {
  std::vector<std::uint8_t> bytes;
  encode_spikes({}, 7, bytes);
  EXPECT_TRUE(bytes.empty());
  const std::vector<Spike> one = {{70000, 4000000000u, 1.0F}};
  encode_spikes(one, 0, bytes);
  std::vector<Spike> back;
  decode_spikes(bytes, 0, back);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], one[0]);
  EXPECT_EQ(back[0].offset, 1.0F);
  bytes.pop_back();  // cut the offset
  back.clear();
  EXPECT_THROW(decode_spikes(bytes, 0, back), std::runtime_error);
}

}  // namespace
}  // namespace myelin
