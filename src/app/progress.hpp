#pragma once

#include <cstdio>

namespace myelin {

// One self-overwriting progress line on a terminal: simulated time, wall time, ETA.
// Silent when the stream is not a terminal or CI is set, so logs stay clean.
class ProgressLine {
 public:
  ProgressLine(bool enabled, double interval_s);
  void operator()(double simulated_ms, double total_ms, double wall_s);
  void finish();

 private:
  bool enabled_;
  double interval_s_;
  double last_print_s_ = 0.0;
  bool printed_ = false;
};

}  // namespace myelin
