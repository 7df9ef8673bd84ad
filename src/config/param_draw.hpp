#pragma once

#include <cstdint>

#include "config/config.hpp"
#include "core/random.hpp"

namespace myelin {

// The value a ParamValue takes for one identity (a neuron or a synapse). Constants ignore the
// identity; distributions draw from Philox keyed by (seed, stream, a, b, c), so the value is
// the same on every rank and thread.
inline double draw(const ParamValue& v, std::uint64_t seed, rng::Stream stream, std::uint32_t a,
                   std::uint32_t b, std::uint32_t c) {
  switch (v.kind) {
    case ParamValue::Kind::constant:
      return v.a;
    case ParamValue::Kind::uniform: {
      const auto w = rng::philox(seed, stream, a, b, c);
      return v.a + (v.b - v.a) * rng::uniform_open(w[0], w[1]);
    }
    case ParamValue::Kind::normal: {
      const auto w = rng::philox(seed, stream, a, b, c);
      return v.a + v.b * rng::normal_pair(w)[0];
    }
  }
  return v.a;
}

// A neuron parameter: keyed by (population, population-local neuron index, parameter name).
inline double draw_neuron_param(const ParamValue& v, std::uint64_t seed,
                                std::uint32_t population_hash, std::uint32_t neuron,
                                std::uint32_t parameter_hash) {
  return draw(v, seed, rng::Stream::parameter, population_hash, neuron, parameter_hash);
}

}  // namespace myelin
