#include "app/progress.hpp"

#include <unistd.h>

#include <cstdlib>

namespace myelin {

ProgressLine::ProgressLine(bool enabled, double interval_s)
    : enabled_(enabled && isatty(STDERR_FILENO) && std::getenv("CI") == nullptr),
      interval_s_(interval_s) {}

void ProgressLine::operator()(double simulated_ms, double total_ms, double wall_s) {
  if (!enabled_ || wall_s - last_print_s_ < interval_s_) return;
  last_print_s_ = wall_s;
  const double fraction = total_ms > 0.0 ? simulated_ms / total_ms : 1.0;
  const double eta = fraction > 0.0 ? wall_s * (1.0 - fraction) / fraction : 0.0;
  std::fprintf(stderr, "\r[myelin] t = %.1f / %.1f ms (%3.0f%%)  wall %.1f s  ETA %.1f s   ",
               simulated_ms, total_ms, 100.0 * fraction, wall_s, eta);
  std::fflush(stderr);
  printed_ = true;
}

void ProgressLine::finish() {
  if (printed_) std::fputc('\n', stderr);
  printed_ = false;
}

}  // namespace myelin
