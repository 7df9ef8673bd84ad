#include "app/summary.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "myelin/version.hpp"
#include "sim/phase_times.hpp"

namespace myelin {

namespace {

double max_over_ranks(const RunSummary& s, std::size_t phase) {
  double m = 0.0;
  for (const auto& rank : s.phase_times) m = std::max(m, rank[phase]);
  return m;
}

double mean_rate_hz(const RunSummary& s) {
  return s.neurons == 0 || s.simulated_ms <= 0.0
             ? 0.0
             : static_cast<double>(s.spikes) / static_cast<double>(s.neurons) /
                   (s.simulated_ms / 1000.0);
}

double events_per_second(const RunSummary& s) {
  return s.loop_seconds > 0.0 ? static_cast<double>(s.synaptic_events) / s.loop_seconds : 0.0;
}

const char* partition_name(PartitionMethod m) {
  switch (m) {
    case PartitionMethod::contiguous:
      return "contiguous";
    case PartitionMethod::round_robin:
      return "round_robin";
    case PartitionMethod::balanced:
      return "balanced";
  }
  return "?";
}

std::string join_numbers(const std::vector<double>& v, const char* format) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += ", ";
    out += fmt::format(fmt::runtime(format), v[i]);
  }
  return out;
}

template <typename T>
std::string json_array(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + fmt::format("{}", v[i]);
  return out + "]";
}

}  // namespace

std::string format_summary(const RunSummary& s, const RunContext& c) {
  const LocalNetwork& net = c.network;
  std::string out;
  out += fmt::format("myelin {} ({})\n", version_string, git_sha);
  out += fmt::format(
      "  network   {} neurons, {} synapses, {} projection(s); {} partition over {} rank(s), edge "
      "cut {}\n",
      s.neurons, s.synapses, net.projections.size(), partition_name(c.config.partition.method),
      c.ranks, net.partition.edge_cut);
  for (const auto& p : net.projections) {
    out += fmt::format("  projection {}: {} synapses", p.name, p.n_synapses);
    if (p.clustering) out += fmt::format(", clustering {:.4f}", *p.clustering);
    if (p.mean_path_length) out += fmt::format(", mean path length {:.3f}", *p.mean_path_length);
    out += "\n";
  }
  out += fmt::format(
      "  run       {:.1f} ms simulated in {:.3f} s wall ({} rank(s) x {} thread(s)), {} epochs of "
      "{:.3g} ms\n",
      s.simulated_ms, s.loop_seconds, c.ranks, c.threads, s.epochs,
      static_cast<double>(net.min_delay) * c.config.simulation.dt);
  out += fmt::format("  spikes    {} ({:.3f} Hz mean rate)\n", s.spikes, mean_rate_hz(s));
  out += fmt::format("  events    {} synaptic events, {:.3g} events/s\n", s.synaptic_events,
                     events_per_second(s));
  out += "  phases    ";
  for (std::size_t ph = 0; ph < phase_names.size(); ++ph)
    out += fmt::format("{}{} {:.3f} s", ph ? " | " : "", phase_names[ph], max_over_ranks(s, ph));
  out += "  (max over ranks)\n";
  std::vector<double> neurons(net.partition.neurons_per_rank.begin(),
                              net.partition.neurons_per_rank.end());
  std::vector<double> synapses(net.partition.synapses_per_rank.begin(),
                               net.partition.synapses_per_rank.end());
  out += fmt::format("  per rank  neurons [{}], synapses [{}]\n", join_numbers(neurons, "{:.0f}"),
                     join_numbers(synapses, "{:.0f}"));
  double bytes_sent = 0.0;
  for (const double b : s.bytes_sent) bytes_sent += b;
  out += fmt::format(
      "  exchange  {}{}, {:.0f} B received per rank per epoch, {:.2f} B per spike on the wire; "
      "wait per rank [{}] s, payload per rank [{}] s, hidden per rank [{}] s\n",
      s.exchange, s.overlap ? " overlapped" : "", s.bytes_per_epoch,
      s.spikes_sent ? bytes_sent / static_cast<double>(s.spikes_sent) : 0.0,
      join_numbers(s.exchange_wait_s, "{:.3f}"), join_numbers(s.exchange_transfer_s, "{:.3f}"),
      join_numbers(s.exchange_hidden_s, "{:.3f}"));
  out += fmt::format("  memory    peak RSS per rank [{}] MiB\n",
                     join_numbers(s.peak_rss_mb, "{:.1f}"));
  out += fmt::format("  launch    {} (job {})\n", c.launcher, c.job_id);
  out += fmt::format("  output    {} (complete)\n", c.output_file);
  return out;
}

std::string summary_json(const RunSummary& s, const RunContext& c) {
  std::string phases = "{";
  for (std::size_t ph = 0; ph < phase_names.size(); ++ph)
    phases += fmt::format("{}\"{}\": {}", ph ? ", " : "", phase_names[ph], max_over_ranks(s, ph));
  phases += "}";
  std::string phases_per_rank = "[";
  for (std::size_t r = 0; r < s.phase_times.size(); ++r) {
    phases_per_rank += r ? ", {" : "{";
    for (std::size_t ph = 0; ph < phase_names.size(); ++ph)
      phases_per_rank +=
          fmt::format("{}\"{}\": {}", ph ? ", " : "", phase_names[ph], s.phase_times[r][ph]);
    phases_per_rank += "}";
  }
  phases_per_rank += "]";
  std::vector<std::uint64_t> neurons = c.network.partition.neurons_per_rank;
  std::vector<std::uint64_t> synapses = c.network.partition.synapses_per_rank;
  return fmt::format(
      "{{\"version\": \"{}\", \"git_sha\": \"{}\", \"ranks\": {}, \"threads\": {}, \"neurons\": "
      "{}, "
      "\"synapses\": {}, \"dt_ms\": {}, \"t_stop_ms\": {}, \"min_delay_ms\": {}, \"epochs\": {}, "
      "\"spikes\": {}, "
      "\"mean_rate_hz\": {}, \"synaptic_events\": {}, \"events_per_s\": {}, \"loop_s\": {}, "
      "\"checkpoint_s\": {}, "
      "\"phase_s_max_over_ranks\": {}, \"peak_rss_mb_per_rank\": {}, \"neurons_per_rank\": {}, "
      "\"synapses_per_rank\": {}, \"edge_cut\": {}, \"bytes_received_rank0\": {}, "
      "\"bytes_per_epoch\": {}, \"bytes_sent_per_rank\": {}, \"exchange_wait_s_per_rank\": {}, "
      "\"exchange_transfer_s_per_rank\": {}, \"phase_s_per_rank\": {}, \"job_id\": \"{}\", "
      "\"launcher\": \"{}\", \"output\": \"{}\", \"exchange\": \"{}\", \"overlap\": {}, "
      "\"epoch_steps\": {}, \"spikes_sent\": {}, \"exchange_hidden_s_per_rank\": {}}}",
      version_string, git_sha, c.ranks, c.threads, s.neurons, s.synapses, c.config.simulation.dt,
      s.simulated_ms, static_cast<double>(c.network.min_delay) * c.config.simulation.dt, s.epochs,
      s.spikes, mean_rate_hz(s), s.synaptic_events, events_per_second(s), s.loop_seconds,
      s.checkpoint_seconds, phases, json_array(s.peak_rss_mb), json_array(neurons),
      json_array(synapses), c.network.partition.edge_cut, s.bytes_exchanged, s.bytes_per_epoch,
      json_array(s.bytes_sent), json_array(s.exchange_wait_s), json_array(s.exchange_transfer_s),
      phases_per_rank, c.job_id, c.launcher, c.output_file, s.exchange,
      s.overlap ? "true" : "false", s.epoch_steps, s.spikes_sent, json_array(s.exchange_hidden_s));
}

}  // namespace myelin
