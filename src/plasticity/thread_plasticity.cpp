#include "plasticity/thread_plasticity.hpp"

#include <algorithm>

namespace myelin {

ThreadPlasticity::ThreadPlasticity(const ThreadPlasticSynapses& synapses,
                                   const SourceIndex& sources,
                                   const std::vector<StdpKernel>& kernels, Step ring_slots)
    : synapses_(synapses),
      sources_(sources),
      kernels_(kernels),
      states_(synapses.weight.size()),
      history_(synapses.post_gid.size()),
      due_(static_cast<std::size_t>(ring_slots)),
      mask_(ring_slots - 1) {
  for (std::size_t i = 0; i < states_.size(); ++i) states_[i].weight = synapses.weight[i];
}

std::uint64_t ThreadPlasticity::enqueue(std::span<const Spike> spikes) {
  std::uint64_t events = 0;
  if (states_.empty()) return events;
  for (const Spike& spike : spikes) {
    if (!sources_.contains(spike.gid)) continue;
    const std::uint32_t row = sources_.row(spike.gid);
    const std::uint64_t begin = synapses_.row_begin[row];
    const std::uint64_t end = synapses_.row_begin[row + 1];
    for (std::uint64_t j = begin; j < end; ++j)
      due_[static_cast<std::size_t>((spike.step + synapses_.delay[j]) & mask_)].push_back(j);
    events += end - begin;
  }
  return events;
}

void ThreadPlasticity::requeue(std::span<const Spike> spikes, Step from) {
  if (states_.empty()) return;
  for (const Spike& spike : spikes) {
    if (!sources_.contains(spike.gid)) continue;
    const std::uint32_t row = sources_.row(spike.gid);
    for (std::uint64_t j = synapses_.row_begin[row]; j < synapses_.row_begin[row + 1]; ++j) {
      const Step landing = spike.step + synapses_.delay[j];
      if (landing >= from) due_[static_cast<std::size_t>(landing & mask_)].push_back(j);
    }
  }
}

void ThreadPlasticity::process_step(Step step, std::span<double> input) {
  auto& due = due_[static_cast<std::size_t>(step & mask_)];
  for (const std::uint64_t j : due) {
    const StdpKernel& k = kernels_[synapses_.rule[j]];
    StdpState& s = states_[j];
    const Step arrival = step - k.dendritic;  // presynaptic arrival at the synapse
    History& h = history_[synapses_.post[j]];
    // Postsynaptic spikes that reached the synapse before this arrival, not yet paired.
    while (s.next_post < h.first + h.steps.size()) {
      const std::size_t at = static_cast<std::size_t>(s.next_post - h.first);
      const Step post_arrival = h.steps[at] + k.dendritic;
      if (post_arrival >= arrival) break;
      stdp_post(k, s, post_arrival);
      ++h.consumed[at];
      ++s.next_post;
    }
    input[synapses_.target[j]] += stdp_pre(k, s, arrival);
    // Forget spikes every incoming synapse has read.
    const std::uint32_t readers = synapses_.incoming[synapses_.post[j]];
    while (!h.consumed.empty() && h.consumed.front() == readers) {
      h.steps.pop_front();
      h.consumed.pop_front();
      ++h.first;
    }
  }
  due.clear();
}

void ThreadPlasticity::record_post(std::span<const Spike> spikes) {
  if (history_.empty()) return;
  for (const Spike& spike : spikes) {
    const auto it =
        std::lower_bound(synapses_.post_gid.begin(), synapses_.post_gid.end(), spike.gid);
    if (it == synapses_.post_gid.end() || *it != spike.gid) continue;
    History& h = history_[static_cast<std::size_t>(it - synapses_.post_gid.begin())];
    h.steps.push_back(spike.step);
    h.consumed.push_back(0);
  }
}

}  // namespace myelin
