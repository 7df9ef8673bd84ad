#pragma once

// The wire format of one rank's spikes for one epoch: groups of spikes that share a step,
//   varint(step - previous group's step, the first from the epoch's start), varint(count),
//   count x (varint(gid - previous gid in the group, the first from 0), u16 offset),
// with LEB128 varints (7 bits a byte) and offsets in 1/65535 of a step (little endian). Spikes
// come sorted by (step, gid), so gid gaps are small: about 4 bytes a spike on sw100k instead of
// a fixed 8, and the offsets (the time of the spike inside its step) survive exactly.

#include <cstdint>
#include <span>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

// Appends `spikes` (sorted by (step, gid), offsets already quantised) to `out`.
void encode_spikes(std::span<const Spike> spikes, Step epoch_begin, std::vector<std::uint8_t>& out);
// The number of bytes encode_spikes appends for `spikes`, without encoding them (the local
// exchange counts what would have been on the wire).
std::size_t encoded_size(std::span<const Spike> spikes, Step epoch_begin);
// Appends the spikes of one encoded block to `out`. Throws std::runtime_error on a malformed
// block (a truncated varint or group).
void decode_spikes(std::span<const std::uint8_t> block, Step epoch_begin, std::vector<Spike>& out);

}  // namespace myelin
