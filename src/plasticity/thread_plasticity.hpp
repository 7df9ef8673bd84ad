#pragma once

// The plastic synapses of one thread at run time. A presynaptic spike is queued at delivery
// for the step it lands in (spike step + delay); when the thread reaches that step, before it
// advances the neurons, the synapse is brought up to date from its target's spike history and
// its new weight goes into the input of that step. Waiting until landing is what lets any part
// of the delay be axonal: the update needs the target's spikes up to the arrival at the synapse,
// which an earlier delivery would not know yet. Everything here belongs to one thread: no locks,
// no atomics; spike order is the canonical one, so every split gives the same weights.

#include <cstdint>
#include <span>
#include <vector>

#include "network/local_network.hpp"
#include "plasticity/post_history.hpp"
#include "plasticity/stdp_kernel.hpp"

namespace myelin {

class ThreadPlasticity {
 public:
  // Takes over the synapses' initial weights (synapses.weight is empty afterwards).
  ThreadPlasticity(ThreadPlasticSynapses& synapses, const SourceIndex& sources,
                   const std::vector<StdpKernel>& kernels, Step ring_slots);

  bool empty() const { return weights_.empty(); }

  // Deliver phase: queue every plastic synapse of every spike for its landing step. Returns
  // the number of synaptic events queued.
  std::uint64_t enqueue(std::span<const Spike> spikes);
  // Before the neurons of this thread advance through `step`: update the synapses landing now
  // and add their weights to `input` (the ring slot of `step`).
  void process_step(Step step, std::span<double> input);
  // After the neurons advanced through a step: their new spikes (any gids; those without
  // plastic inputs are ignored).
  void record_post(std::span<const Spike> spikes);

  std::size_t size() const { return weights_.size(); }
  double weight(std::size_t i) const { return weights_[i]; }
  std::span<double> weights() { return weights_; }

  // Checkpoints (plasticity/plasticity_state.cpp). Every value here is a function of the
  // canonical spike order alone, so it means the same for every split.
  // Synapse j's presynaptic trace (shared with the synapses of its source, delay and rule) and
  // the sequence number of the first postsynaptic spike it has not read.
  double trace_x(std::size_t j) const { return traces_[trace_of_[j]].x; }
  Step trace_last(std::size_t j) const { return traces_[trace_of_[j]].last; }
  std::uint32_t next_post(std::size_t j) const { return next_post_[j]; }
  // Sets synapse j's state (its trace for the whole group: a consistent checkpoint gives every
  // member the same trace, which the caller checks through trace_x / trace_last afterwards).
  void restore_synapse(std::size_t j, double x, Step last, std::uint32_t next_post) {
    traces_[trace_of_[j]].x = x;
    traces_[trace_of_[j]].last = last;
    next_post_[j] = next_post;
  }
  std::span<PostHistory> histories() { return history_; }
  // After a restore at step `from`: queues the plastic synapses of `spikes` (every spike of
  // [from - max delay, from), in delivery order) that land at `from` or later, exactly as the
  // run that made the checkpoint had queued them.
  void requeue(std::span<const Spike> spikes, Step from);

 private:
  const ThreadPlasticSynapses& synapses_;
  const SourceIndex& sources_;
  const std::vector<StdpKernel>& kernels_;
  std::vector<double> weights_;
  std::vector<std::uint32_t> next_post_;         // [synapse]
  std::vector<std::uint32_t> trace_of_;          // [synapse] index into traces_
  std::vector<PresynapticTrace> traces_;         // [(source row, delay, rule)]
  std::vector<PostHistory> history_;             // [post]
  std::vector<std::vector<std::uint64_t>> due_;  // [landing step & mask]: synapse indices
  Step mask_;
  std::size_t n_kernels_;
  std::vector<double> y_after_;  // record_post's scratch: one trace per kernel
  static constexpr std::uint32_t no_post = ThreadPlasticSynapses::no_post;
  Gid first_post_gid_ = 0;
  std::vector<std::uint32_t> post_of_gid_;  // [gid - first_post_gid_] index into history_, or
                                            // empty: the targets' gids are too sparse for it
  // The index into history_ of target `gid`, or no_post.
  std::uint32_t post_of(Gid gid) const;
};

}  // namespace myelin
