#pragma once

// Records the weights of every plastic projection: full snapshots (every synapse) and
// statistics over all synapses (mean, SD, min, max, histogram), at epoch boundaries; the rows
// are buffered and appended to the file at every collective flush, so memory stays bounded and
// a run that stops early keeps what was recorded. Statistics are computed from integer sums
// (weights quantised to 2^-31 of [w_min, w_max]) so they are identical for every split; min and max
// are exact.

#include <vector>

#include "comm/communicator.hpp"
#include "config/config.hpp"
#include "network/local_network.hpp"
#include "plasticity/thread_plasticity.hpp"
#include "sim/result_sink.hpp"

namespace myelin {

class WeightRecorder {
 public:
  WeightRecorder(const Config& config, const LocalNetwork& network);

  bool empty() const { return projections_.empty(); }
  // Master thread, when every step before `end` is done: snapshots and statistics that are due
  // (at the first boundary at or after their time; always at the start and at the end).
  void at_boundary(Step end, bool last, const std::vector<ThreadPlasticity>& threads,
                   Communicator& comm);
  // A run resumed at `step` records what a run from 0 would record from there on: no forced row
  // at its start, only the scheduled ones (before the first at_boundary).
  void start_at(Step step);
  // Collective: creates one /weights/<projection> group each.
  void open(ResultSink& sink);
  // Collective: appends the rows recorded since the last flush.
  void flush(ResultSink& sink);

 private:
  struct Synapse {
    std::size_t thread;
    std::size_t index;
  };
  struct Projection {
    WeightRecording out;
    std::vector<Synapse> mine;  // in my_columns order (snapshots only)
    std::uint32_t rule = 0;     // index into LocalNetwork::plastic
    std::uint64_t n_synapses = 0;
    bool snapshots = true;    // per-synapse snapshots; else statistics only
    Step snapshot_every = 0;  // [steps], 0: start and end only
    Step stats_every = 1;     // [steps]
    Step next_snapshot = 0;
    Step next_stats = 0;
    Step last_snapshot = -1;  // [step] of the newest row, so a boundary is never recorded twice
    Step last_stats = -1;
    std::size_t handle = 0;  // ResultSink::create_weights
  };
  void snapshot(Projection& p, Step end, const std::vector<ThreadPlasticity>& threads) const;
  void statistics(Projection& p, Step end, const std::vector<ThreadPlasticity>& threads,
                  Communicator& comm) const;

  double dt_;
  const LocalNetwork& network_;
  std::vector<Projection> projections_;
};

}  // namespace myelin
