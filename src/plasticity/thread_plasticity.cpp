#include "plasticity/thread_plasticity.hpp"

#include <algorithm>

namespace myelin {

ThreadPlasticity::ThreadPlasticity(ThreadPlasticSynapses& synapses, const SourceIndex& sources,
                                   const std::vector<StdpKernel>& kernels, Step ring_slots)
    : synapses_(synapses),
      sources_(sources),
      kernels_(kernels),
      weights_(std::move(synapses.weight)),
      next_post_(weights_.size(), 0),
      trace_of_(weights_.size(), 0),
      due_(static_cast<std::size_t>(ring_slots)),
      mask_(ring_slots - 1),
      n_kernels_(kernels.size()) {
  synapses.weight.clear();
  history_.reserve(synapses.post_gid.size());  // move-only: built one by one
  for (std::size_t post = 0; post < synapses.post_gid.size(); ++post)
    history_.emplace_back(kernels.size());
  // A gid-indexed table of the targets where their gids are dense (a contiguous partition): a
  // table over a scattered set would grow with the network, not with this thread's share.
  if (!synapses.post_gid.empty() &&
      synapses.post_gid.back() - synapses.post_gid.front() < 4 * synapses.post_gid.size() + 64) {
    first_post_gid_ = synapses.post_gid.front();
    post_of_gid_.assign(synapses.post_gid.back() - first_post_gid_ + 1, no_post);
    for (std::size_t post = 0; post < synapses.post_gid.size(); ++post)
      post_of_gid_[synapses.post_gid[post] - first_post_gid_] = static_cast<std::uint32_t>(post);
  }
  // One presynaptic trace per (row, delay, rule): rows hold a few distinct delays at most, so a
  // short list per row finds them.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> row_groups;  // (delay << 8 | rule, trace)
  for (std::size_t row = 0; row + 1 < synapses.row_begin.size(); ++row) {
    row_groups.clear();
    for (std::uint64_t j = synapses.row_begin[row]; j < synapses.row_begin[row + 1]; ++j) {
      const PlasticTarget& t = synapses.synapse[j];
      const std::uint32_t key = static_cast<std::uint32_t>(t.delay) << 8 | t.rule;
      auto it = std::find_if(row_groups.begin(), row_groups.end(),
                             [&](const auto& g) { return g.first == key; });
      if (it == row_groups.end()) {
        row_groups.emplace_back(key, static_cast<std::uint32_t>(traces_.size()));
        traces_.emplace_back();
        it = row_groups.end() - 1;
      }
      trace_of_[j] = it->second;
    }
  }
}

std::uint64_t ThreadPlasticity::enqueue(std::span<const Spike> spikes) {
  std::uint64_t events = 0;
  if (weights_.empty()) return events;
  const PlasticTarget* synapse = synapses_.synapse.data();
  for (const Spike& spike : spikes) {
    if (!sources_.contains(spike.gid)) continue;
    const std::uint32_t row = sources_.row(spike.gid);
    const std::uint64_t begin = synapses_.row_begin[row];
    const std::uint64_t end = synapses_.row_begin[row + 1];
    for (std::uint64_t j = begin; j < end; ++j)
      due_[static_cast<std::size_t>((spike.step + synapse[j].delay) & mask_)].push_back(j);
    events += end - begin;
  }
  return events;
}

void ThreadPlasticity::requeue(std::span<const Spike> spikes, Step from) {
  if (weights_.empty()) return;
  for (const Spike& spike : spikes) {
    if (!sources_.contains(spike.gid)) continue;
    const std::uint32_t row = sources_.row(spike.gid);
    for (std::uint64_t j = synapses_.row_begin[row]; j < synapses_.row_begin[row + 1]; ++j) {
      const Step landing = spike.step + synapses_.synapse[j].delay;
      if (landing >= from) due_[static_cast<std::size_t>(landing & mask_)].push_back(j);
    }
  }
}

void ThreadPlasticity::process_step(Step step, std::span<double> input) {
  auto& due = due_[static_cast<std::size_t>(step & mask_)];
  // The events of a step touch random targets' histories: fetch them a few events ahead, in
  // three stages (the synapse, then its target's history and input cell, then that history's
  // records).
  constexpr std::size_t synapse_ahead = 12, history_ahead = 6, records_ahead = 3;
  const std::size_t n = due.size();
  for (std::size_t d = 0; d < n; ++d) {
    if (d + synapse_ahead < n) {
      const std::uint64_t next = due[d + synapse_ahead];
      __builtin_prefetch(&synapses_.synapse[next]);
      __builtin_prefetch(&next_post_[next], 1);
      __builtin_prefetch(&trace_of_[next]);
      __builtin_prefetch(&weights_[next], 1);
    }
    if (d + history_ahead < n) {
      const std::uint32_t channel = synapses_.synapse[due[d + history_ahead]].channel;
      __builtin_prefetch(&history_[synapses_.post_of[channel]], 1);
      __builtin_prefetch(&input[channel], 1);  // the slot is larger than L1
    }
    if (d + records_ahead < n)
      history_[synapses_.post_of[synapses_.synapse[due[d + records_ahead]].channel]].prefetch();
    const std::uint64_t j = due[d];
    const PlasticTarget target = synapses_.synapse[j];
    const StdpKernel& k = kernels_[target.rule];
    const Step arrival = step - k.dendritic;  // presynaptic arrival at the synapse
    PresynapticTrace& pre = traces_[trace_of_[j]];
    pre.arrive(k, arrival);
    std::uint32_t& next_post = next_post_[j];
    const std::uint32_t post = synapses_.post_of[target.channel];
    PostHistory& h = history_[post];
    // Postsynaptic spikes that reached the synapse before this arrival, not yet paired.
    const std::uint64_t end = h.first() + h.size();
    while (next_post < end) {
      const std::size_t at = next_post - h.first();
      const Step post_arrival = h.step(at) + k.dendritic;
      if (post_arrival >= arrival) break;
      stdp_post(k, weights_[j], pre.x_before, pre.last_before, post_arrival);
      h.count_reader(at);
      ++next_post;
    }
    // The last spike this synapse read is still in the history (forget keeps it).
    Step last_post = never;
    double y = 0.0;
    if (next_post > 0) {
      const std::size_t at = next_post - 1 - h.first();
      last_post = h.step(at) + k.dendritic;
      y = h.y(at, target.rule);
    }
    input[target.channel] += stdp_pre(k, weights_[j], arrival, last_post, y);
  }
  due.clear();
}

std::uint32_t ThreadPlasticity::post_of(Gid gid) const {
  if (!post_of_gid_.empty())
    return gid < first_post_gid_ || gid - first_post_gid_ >= post_of_gid_.size()
               ? no_post
               : post_of_gid_[gid - first_post_gid_];
  const auto it = std::lower_bound(synapses_.post_gid.begin(), synapses_.post_gid.end(), gid);
  return it == synapses_.post_gid.end() || *it != gid
             ? no_post
             : static_cast<std::uint32_t>(it - synapses_.post_gid.begin());
}

void ThreadPlasticity::record_post(std::span<const Spike> spikes) {
  if (history_.empty()) return;
  for (const Spike& spike : spikes) {
    const std::uint32_t post = post_of(spike.gid);
    if (post == no_post) continue;
    PostHistory& h = history_[post];
    // The trace of every kernel just after this spike, from the one after the previous spike
    // (arrival times differ by the same steps as spike times: the dendritic delay cancels).
    const bool first_spike = h.size() == 0;
    const Step last = first_spike ? never : h.step(h.size() - 1);
    y_after_.resize(n_kernels_);
    for (std::size_t r = 0; r < n_kernels_; ++r) {
      const double y_last = first_spike ? 0.0 : h.y(h.size() - 1, r);
      y_after_[r] = kernels_[r].after_spike(kernels_[r].minus, y_last, last, spike.step);
    }
    h.append(spike.step, y_after_, synapses_.incoming[post]);
  }
}

}  // namespace myelin
