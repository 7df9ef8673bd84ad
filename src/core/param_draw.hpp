#pragma once

#include <algorithm>
#include <cstdint>

#include "core/population_spec.hpp"
#include "core/random.hpp"

namespace myelin {

// Attempts of a bounded normal until a value falls inside [min, max] (NEST's redraw). Attempt
// k uses normal k % 2 of the Philox block whose first counter word is stream | (k / 2) << 8, so
// attempt 0 is the unbounded draw: a value already inside the bounds does not change. The
// parser accepts bounds only when they hold >= 1 % of the distribution, so the cap of 10,000
// attempts is reached with probability below 1e-43; then the value is clipped.
inline constexpr std::uint32_t max_redraws = 10000;

inline double redraw_normal(const ParamValue& v, std::uint64_t seed, rng::Stream stream,
                            std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  double x = v.a;
  for (std::uint32_t k = 1; k < max_redraws; ++k) {
    const auto word = static_cast<std::uint32_t>(stream) | ((k / 2) << 8);
    const auto w = rng::philox(seed, static_cast<rng::Stream>(word), a, b, c);
    x = v.a + v.b * rng::normal_pair(w)[k % 2];
    if (x >= v.min && x <= v.max) return x;
  }
  return std::clamp(x, v.min, v.max);
}

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
      const double x = v.a + v.b * rng::normal_pair(w)[0];
      if (!v.is_bounded() || (x >= v.min && x <= v.max)) return x;
      return redraw_normal(v, seed, stream, a, b, c);
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
