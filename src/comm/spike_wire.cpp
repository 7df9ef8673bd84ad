#include "comm/spike_wire.hpp"

#include <cmath>
#include <stdexcept>

namespace myelin {

namespace {

void put_varint(std::uint64_t v, std::vector<std::uint8_t>& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

std::uint64_t get_varint(std::span<const std::uint8_t> in, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at >= in.size()) throw std::runtime_error("spike block: truncated varint");
    const std::uint8_t b = in[at++];
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("spike block: varint longer than 64 bits");
}

}  // namespace

void encode_spikes(std::span<const Spike> spikes, Step epoch_begin,
                   std::vector<std::uint8_t>& out) {
  Step previous_step = epoch_begin;
  for (std::size_t i = 0; i < spikes.size();) {
    const Step step = spikes[i].step;
    std::size_t j = i;
    while (j < spikes.size() && spikes[j].step == step) ++j;
    put_varint(static_cast<std::uint64_t>(step - previous_step), out);
    put_varint(j - i, out);
    Gid previous_gid = 0;
    for (; i < j; ++i) {
      put_varint(spikes[i].gid - previous_gid, out);
      previous_gid = spikes[i].gid;
      const auto q = static_cast<std::uint32_t>(std::lround(spikes[i].offset * offset_quantum));
      out.push_back(static_cast<std::uint8_t>(q & 0xFF));
      out.push_back(static_cast<std::uint8_t>(q >> 8));
    }
    previous_step = step;
  }
}

std::size_t encoded_size(std::span<const Spike> spikes, Step epoch_begin) {
  std::size_t bytes = 0;
  Step previous_step = epoch_begin;
  for (std::size_t i = 0; i < spikes.size();) {
    const Step step = spikes[i].step;
    std::size_t j = i;
    while (j < spikes.size() && spikes[j].step == step) ++j;
    bytes += varint_size(static_cast<std::uint64_t>(step - previous_step)) + varint_size(j - i);
    Gid previous_gid = 0;
    for (; i < j; ++i) {
      bytes += varint_size(spikes[i].gid - previous_gid) + 2;
      previous_gid = spikes[i].gid;
    }
    previous_step = step;
  }
  return bytes;
}

void decode_spikes(std::span<const std::uint8_t> block, Step epoch_begin, std::vector<Spike>& out) {
  Step step = epoch_begin;
  std::size_t at = 0;
  while (at < block.size()) {
    step += static_cast<Step>(get_varint(block, at));
    const std::uint64_t count = get_varint(block, at);
    Gid gid = 0;
    for (std::uint64_t k = 0; k < count; ++k) {
      gid += static_cast<Gid>(get_varint(block, at));
      if (at + 2 > block.size()) throw std::runtime_error("spike block: truncated offset");
      const std::uint32_t q = block[at] | (static_cast<std::uint32_t>(block[at + 1]) << 8);
      at += 2;
      out.push_back({step, gid, static_cast<float>(q) / offset_quantum});
    }
  }
}

}  // namespace myelin
