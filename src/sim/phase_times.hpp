#pragma once

#include <array>
#include <chrono>
#include <string_view>

namespace myelin {

enum class Phase : std::size_t { build, update, collect, exchange, deliver, output, count };

inline constexpr std::array<std::string_view, static_cast<std::size_t>(Phase::count)> phase_names =
    {"build", "update", "collect", "exchange", "deliver", "output"};

// Wall time per phase on this rank [s], measured by the master thread. `update` ends when the
// slowest thread of the rank is done, so it includes the threads' load imbalance.
class PhaseTimes {
 public:
  using Clock = std::chrono::steady_clock;

  // Returns the time it read, where the next phase starts: one clock read per boundary (with
  // one-step epochs there are tens of thousands of boundaries per second, and a clock read in a
  // VM costs tens of nanoseconds).
  Clock::time_point add(Phase phase, Clock::time_point since) {
    const Clock::time_point now = Clock::now();
    seconds_[static_cast<std::size_t>(phase)] += std::chrono::duration<double>(now - since).count();
    return now;
  }
  double operator[](Phase phase) const { return seconds_[static_cast<std::size_t>(phase)]; }
  const std::array<double, static_cast<std::size_t>(Phase::count)>& all() const { return seconds_; }

 private:
  std::array<double, static_cast<std::size_t>(Phase::count)> seconds_{};
};

}  // namespace myelin
