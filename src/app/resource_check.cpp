#include "app/resource_check.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/memory_costs.hpp"
#include "io/output_commit.hpp"
#include "myelin/errors.hpp"
#include "synapse/receptor_ports.hpp"

namespace myelin {

namespace {

constexpr double uint32_limit = 4294967295.0;

std::string count_text(double n) {
  char text[32];
  if (n >= 1e6)
    std::snprintf(text, sizeof(text), "%.3g", n);
  else
    std::snprintf(text, sizeof(text), "%.6g", n);
  return text;
}

double synapses_of(const ProjectionConfig& p, double n_source, double n_target, bool same) {
  switch (p.rule) {
    case ConnectionRule::small_world:
      return n_target * p.k * (p.symmetric ? 1.0 : 0.5);
    case ConnectionRule::fixed_probability:
      return p.p * (n_source * n_target - (same && !p.autapses ? n_target : 0.0));
    case ConnectionRule::one_to_one:
      return n_target;
    case ConnectionRule::all_to_all:
      return n_source * n_target - (same && !p.autapses ? n_target : 0.0);
    case ConnectionRule::fixed_indegree:
      return n_target * static_cast<double>(p.number);
    case ConnectionRule::fixed_outdegree:
      return n_source * static_cast<double>(p.number);
    case ConnectionRule::fixed_total_number:
      return static_cast<double>(p.number);
  }
  return 0.0;
}

double longest_delay(const ProjectionConfig& p) {
  return p.delay.kind == ParamValue::Kind::uniform ? std::max(p.delay.a, p.delay.b) : p.delay.a;
}

// A number from a file such as memory.max ("max" or missing: nullopt).
std::optional<double> read_number(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word) || word == "max") return std::nullopt;
  try {
    return std::stod(word);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "MemAvailable:  123 kB" from /proc/meminfo, or "VmSize:" from /proc/self/status [bytes].
std::optional<double> read_kib_field(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) != 0) continue;
    std::istringstream values(line.substr(field.size()));
    double kib = 0.0;
    if (values >> kib) return kib * 1024.0;
  }
  return std::nullopt;
}

}  // namespace

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 6) {
    bytes /= 1024.0;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof(text), u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return text;
}

std::vector<std::string> config_warnings(const Config& config) {
  std::vector<std::string> out;
  const double dt = config.simulation.dt;
  for (const ProjectionConfig& p : config.projections) {
    if (!p.delay.is_constant()) continue;
    const double steps = p.delay.a / dt;
    const double whole = std::max(1.0, std::round(steps));
    if (std::abs(steps - whole) > 1e-9 * whole)
      out.push_back("projection." + p.name + ".delay = " + count_text(p.delay.a) +
                    " ms is not a multiple of dt = " + count_text(dt) + " ms: rounded to " +
                    count_text(whole * dt) + " ms (" + count_text(whole) + " steps)");
  }
  return out;
}

ResourceEstimate estimate_resources(const Config& config, int ranks, [[maybe_unused]] int threads) {
  // Per-thread row tables are sized by the sources that reach this rank, unknown before the
  // build, so they are left out of this lower bound; `threads` stays for callers and tests.
  namespace cost = memory_costs;
  ResourceEstimate e;
  const double dt = config.simulation.dt;
  const double n_ranks = ranks;

  double neurons = 0.0;
  for (const PopulationConfig& p : config.populations) neurons += p.size;
  if (neurons > uint32_limit)
    throw InputError("population: " + count_text(neurons) +
                     " neurons in total, more than 4294967295, the limit of neuron ids (uint32)");
  e.neurons = static_cast<std::uint64_t>(neurons);
  const double steps = config.simulation.t_stop / dt;
  if (steps > 4.0e18)
    throw input_error("simulation.t_stop", count_text(config.simulation.t_stop),
                      "t_stop / dt = " + count_text(steps) +
                          " steps, more than 4e18, the limit of the step counter (int64)");

  double min_delay = std::numeric_limits<double>::infinity();
  double max_delay = 1.0;
  double plastic_local = 0.0;
  double plastic_recorded_local = 0.0;  // with per-synapse snapshots
  double static_local = 0.0;
  for (const ProjectionConfig& p : config.projections) {
    const PopulationConfig* source = config.find_population(p.source);
    const PopulationConfig* target = config.find_population(p.target);
    if (source == nullptr || target == nullptr) continue;
    const double s = synapses_of(p, source->size, target->size, p.source == p.target);
    e.synapses += s;
    if (p.plasticity) {
      e.plastic_synapses += s;
      plastic_local += s / n_ranks;
    } else {
      static_local += s / n_ranks;
    }
    const double longest = std::round(longest_delay(p) / dt);
    if (longest > uint32_limit)
      throw input_error("projection." + p.name + ".delay", count_text(longest_delay(p)),
                        count_text(longest) + " steps of dt = " + count_text(dt) +
                            " ms, more than 4294967295, the limit of delays (uint32 steps)");
    max_delay = std::max(max_delay, longest);
    min_delay = std::min(min_delay, std::max(1.0, std::round(p.delay.a / dt)));
  }
  if (!std::isfinite(min_delay)) min_delay = 1.0;
  e.max_delay_steps = static_cast<std::uint64_t>(max_delay);

  // Ring buffers: one channel per local neuron and receptor port, max + min delay slots each.
  const ReceptorPorts ports = receptor_ports(config);
  double channels = 0.0;
  for (std::size_t p = 0; p < config.populations.size(); ++p) {
    const double local = std::ceil(config.populations[p].size / n_ranks);
    const double c =
        local * static_cast<double>(std::max<std::size_t>(1, ports.of_population[p].size()));
    if (c > uint32_limit)
      throw input_error("population." + config.populations[p].name + ".size",
                        std::to_string(config.populations[p].size),
                        count_text(c) +
                            " input channels on one rank, more than 4294967295 (uint32 "
                            "channel index); use more ranks");
    channels += c;
  }
  e.memory_ring = channels * (max_delay + min_delay) * cost::ring_slot;

  const double flush = config.output.flush_interval;
  for (const TraceConfig& t : config.output.traces) {
    const PopulationConfig* pop = config.find_population(t.population);
    const double recorded = t.all_neurons ? (pop ? pop->size : 0) : t.neurons.size();
    const double values = recorded * static_cast<double>(t.variables.size());
    e.output_bytes +=
        values * std::floor(config.simulation.t_stop / t.interval) * cost::recorded_value;
    e.memory_recording += values / n_ranks * (flush / t.interval + 2.0) * cost::recorded_value;
  }
  for (const WeightOutputConfig& w : config.output.weights) {
    for (const ProjectionConfig& p : config.projections) {
      if (p.name != w.projection) continue;
      const PopulationConfig* source = config.find_population(p.source);
      const PopulationConfig* target = config.find_population(p.target);
      if (source == nullptr || target == nullptr) continue;
      const double s = synapses_of(p, source->size, target->size, p.source == p.target);
      if (!w.snapshots) continue;  // statistics only: no per-synapse rows
      plastic_recorded_local += s / n_ranks;
      const double snapshots = w.snapshot_interval > 0
                                   ? std::floor(config.simulation.t_stop / w.snapshot_interval) + 1
                                   : 2;
      e.output_bytes += s * snapshots * cost::recorded_value;
    }
  }

  e.memory_synapses = static_local * cost::static_synapse + plastic_local * cost::plastic_synapse +
                      plastic_recorded_local * cost::plastic_synapse_header;
  const double rows = neurons * cost::source_index_per_neuron;
  const double state = std::ceil(neurons / n_ranks) * cost::neuron_state;
  const double steady = state + e.memory_synapses + rows + e.memory_ring + e.memory_recording;
  const double building =
      cost::synapses_built_per_rank(e.synapses, ranks) * cost::synapse_while_building + state;
  e.memory_per_rank = std::max(steady, building);
  return e;
}

double available_memory(int ranks_on_node, std::string* source) {
  double best = std::numeric_limits<double>::infinity();
  std::string why = "no limit found";
  const double share = std::max(1, ranks_on_node);
  const std::string per =
      ranks_on_node > 1 ? " / " + std::to_string(ranks_on_node) + " ranks on this node" : "";
  if (auto v = read_kib_field("/proc/meminfo", "MemAvailable:")) {
    best = *v / share;
    why = "MemAvailable" + per;
  }
  auto cgroup = [&](const char* limit_file, const char* usage_file, const char* name) {
    const auto limit = read_number(limit_file);
    if (!limit || *limit > 1e18) return;  // v1 reports "no limit" as a huge number
    const double used = read_number(usage_file).value_or(0.0);
    const double free = std::max(0.0, *limit - used) / share;
    if (free < best) {
      best = free;
      why = std::string(name) + per;
    }
  };
  cgroup("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current", "cgroup memory.max");
  cgroup("/sys/fs/cgroup/memory/memory.limit_in_bytes",
         "/sys/fs/cgroup/memory/memory.usage_in_bytes", "cgroup memory.limit_in_bytes");
  rlimit as{};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    const double used = read_kib_field("/proc/self/status", "VmSize:").value_or(0.0);
    const double free = std::max(0.0, static_cast<double>(as.rlim_cur) - used);
    if (free < best) {
      best = free;
      why = "RLIMIT_AS (ulimit -v) minus this process's address space";
    }
  }
  if (source != nullptr) *source = why;
  return best;
}

ResourceEstimate check_resources(const Config& config, int ranks, int threads, Communicator& comm) {
  const ResourceEstimate e = estimate_resources(config, ranks, threads);
  // Every rank measures its own node; the tightest node decides, and every rank says the same.
  std::string source;
  const double available = available_memory(comm.ranks_on_node(), &source);
  const std::vector<double> all = comm.allgather(available);
  const auto tightest = std::min_element(all.begin(), all.end());
  const int where = static_cast<int>(tightest - all.begin());
  source = comm.broadcast(source, where);
  if (e.memory_per_rank > *tightest) {
    std::ostringstream msg;
    msg << "memory: " << count_text(static_cast<double>(e.neurons)) << " neurons and "
        << count_text(e.synapses) << " synapses on " << ranks << " rank(s) need at least "
        << format_bytes(e.memory_per_rank) << " per rank (synapses "
        << format_bytes(e.memory_synapses) << ", ring buffers " << format_bytes(e.memory_ring)
        << " for delays up to " << e.max_delay_steps << " steps, recording "
        << format_bytes(e.memory_recording) << "), but " << format_bytes(*tightest)
        << " is available (" << source
        << (all.size() > 1 ? ", rank " + std::to_string(where) : std::string())
        << "); use more ranks or nodes, or a smaller network";
    throw InputError(msg.str());
  }
  // The file system of the output: one rank asks, every rank gets the same verdict.
  double free_bytes = std::numeric_limits<double>::infinity();
  if (comm.rank() == 0) {
    const std::string& file = config.output.file;
    const auto slash = file.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : file.substr(0, slash + 1);
    struct statvfs fs {};
    if (statvfs(dir.c_str(), &fs) == 0)
      free_bytes = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
  }
  free_bytes = comm.max(comm.rank() == 0 ? free_bytes : 0.0);
  // A disk with no room at all is an I/O error of the run (exit 5, from the lock's reserve),
  // not a size the config asked for.
  if (e.output_bytes > free_bytes && free_bytes >= static_cast<double>(close_reserve_bytes))
    throw input_error("output.file", config.output.file,
                      "the traces and weight snapshots alone need " + format_bytes(e.output_bytes) +
                          ", but its file system has " + format_bytes(free_bytes) + " free");
  return e;
}

}  // namespace myelin
