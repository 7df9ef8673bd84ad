#include "network/local_network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "config/param_draw.hpp"
#include "core/random.hpp"
#include "network/generators.hpp"
#include "network/graph_metrics.hpp"
#include "synapse/receptor_ports.hpp"

namespace myelin {

namespace {

Step delay_steps(double delay_ms, double dt) {
  return std::max<Step>(1, std::llround(delay_ms / dt));
}

// Far ends of small_world edges routed here per chunk round: bounded so that the send buffers
// stay small next to the synapse tables (3 words per edge).
constexpr std::uint64_t route_chunk_edges = std::uint64_t{1} << 20;
// Target ids per collective when numbering plastic synapses (8 bytes each, transient).
constexpr std::uint32_t column_chunk = std::uint32_t{1} << 20;

struct ProjectionPlan {
  const ProjectionConfig* config = nullptr;
  std::size_t source = 0;  // population index
  std::size_t target = 0;
  std::uint32_t stream = 0;
  std::uint32_t row = 0;   // channel of local neuron 0 of the target population, minus its offset
  std::int32_t rule = -1;  // index into LocalNetwork::plastic, -1: static
  // small_world only: (u, w, slot) of edges whose far end w lives here but u does not.
  std::vector<std::uint32_t> routed;
};

std::size_t population_index(const LocalNetwork& net, const std::string& name) {
  for (std::size_t i = 0; i < net.populations.size(); ++i)
    if (net.populations[i].name == name) return i;
  throw std::logic_error("no population " + name);
}

bool owns(const LocalNetwork& net, Gid g) {
  return net.partition_map.rank_of(g) == net.rank;
}

// Calls fn(plan, source gid, rank-local target neuron, key_lo, key_hi) for every synapse onto
// this rank, projection by projection in config order; (key_lo, key_hi) identify the synapse
// inside its projection for every split.
template <class Fn>
void for_each_local_synapse(const LocalNetwork& net, const std::vector<ProjectionPlan>& plans,
                            std::uint64_t seed, Fn&& fn) {
  std::vector<ForwardEdge> forward;
  for (std::size_t j = 0; j < plans.size(); ++j) {
    const ProjectionPlan& plan = plans[j];
    const ProjectionConfig& proj = *plan.config;
    const PopulationLayout& src = net.populations[plan.source];
    const PopulationLayout& tgt = net.populations[plan.target];
    const std::vector<Gid>& mine = net.local_gids[plan.target];
    if (proj.rule == ConnectionRule::small_world) {
      for (const Gid g : mine) {
        const std::uint32_t u = g - tgt.first;
        const std::uint32_t local_u = net.partition_map.local_index(g);
        forward.clear();
        watts_strogatz_edges_of(tgt.size, proj.k, proj.p, seed, plan.stream, u, forward);
        for (const ForwardEdge& e : forward) {
          if (proj.symmetric) fn(plan, src.first + e.target, local_u, u, 2 * e.slot + 1);
          const Gid far = tgt.first + e.target;
          if (owns(net, far))
            fn(plan, src.first + u, net.partition_map.local_index(far), u, 2 * e.slot);
        }
      }
      for (std::size_t i = 0; i < plan.routed.size(); i += 3) {
        const std::uint32_t u = plan.routed[i], w = plan.routed[i + 1], slot = plan.routed[i + 2];
        fn(plan, src.first + u, net.partition_map.local_index(tgt.first + w), u, 2 * slot);
      }
      continue;
    }
    for (const Gid g : mine) {
      const std::uint32_t t = g - tgt.first;
      const std::uint32_t local_t = net.partition_map.local_index(g);
      for_each_synapse_onto(
          proj, src.size, t, seed, plan.stream,
          [&](std::uint32_t s, std::uint32_t key) { fn(plan, src.first + s, local_t, t, key); });
    }
  }
}

// Sends the far end of every edge of this rank's vertices that lands on another rank to its
// owner, in rounds of bounded size (every rank takes part in every round).
void route_small_world(const LocalNetwork& net, ProjectionPlan& plan, std::uint64_t seed,
                       Communicator& comm) {
  const ProjectionConfig& proj = *plan.config;
  const PopulationLayout& tgt = net.populations[plan.target];
  const std::vector<Gid>& mine = net.local_gids[plan.target];
  const auto half = static_cast<std::uint64_t>(proj.k / 2);
  const std::uint64_t per_round =
      std::max<std::uint64_t>(1, route_chunk_edges / std::max<std::uint64_t>(1, half));
  const auto my_rounds = static_cast<double>((mine.size() + per_round - 1) / per_round);
  const auto rounds = static_cast<std::uint64_t>(comm.max(my_rounds));
  const auto n_ranks = static_cast<std::size_t>(net.n_ranks);
  std::vector<std::vector<std::uint32_t>> to(n_ranks);
  std::vector<ForwardEdge> forward;
  std::vector<std::uint32_t> send;
  std::vector<std::uint64_t> counts(n_ranks);
  for (std::uint64_t round = 0; round < rounds; ++round) {
    const std::uint64_t b = std::min<std::uint64_t>(mine.size(), round * per_round);
    const std::uint64_t e = std::min<std::uint64_t>(mine.size(), b + per_round);
    for (std::uint64_t i = b; i < e; ++i) {
      const std::uint32_t u = mine[i] - tgt.first;
      forward.clear();
      watts_strogatz_edges_of(tgt.size, proj.k, proj.p, seed, plan.stream, u, forward);
      for (const ForwardEdge& f : forward) {
        const int owner = net.partition_map.rank_of(tgt.first + f.target);
        if (owner == net.rank) continue;
        auto& out = to[static_cast<std::size_t>(owner)];
        out.insert(out.end(), {u, f.target, f.slot});
      }
    }
    send.clear();
    for (std::size_t r = 0; r < n_ranks; ++r) {
      counts[r] = to[r].size();
      send.insert(send.end(), to[r].begin(), to[r].end());
      to[r].clear();
    }
    const auto received = comm.alltoallv(send, counts);
    plan.routed.insert(plan.routed.end(), received.begin(), received.end());
  }
  plan.routed.shrink_to_fit();
}

// The undirected graph of a small_world projection as this rank sees it, for its measures.
SmallWorldMetrics measure_small_world(const LocalNetwork& net, const ProjectionPlan& plan,
                                      std::uint64_t seed, Communicator& comm) {
  const ProjectionConfig& proj = *plan.config;
  const PopulationLayout& tgt = net.populations[plan.target];
  std::vector<std::uint32_t> owned;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> adjacent;
  std::vector<ForwardEdge> forward;
  for (const Gid g : net.local_gids[plan.target]) {
    const std::uint32_t u = g - tgt.first;
    owned.push_back(u);
    forward.clear();
    watts_strogatz_edges_of(tgt.size, proj.k, proj.p, seed, plan.stream, u, forward);
    for (const ForwardEdge& e : forward) {
      adjacent.emplace_back(u, e.target);
      if (owns(net, tgt.first + e.target)) adjacent.emplace_back(e.target, u);
    }
  }
  for (std::size_t i = 0; i < plan.routed.size(); i += 3)
    adjacent.emplace_back(plan.routed[i + 1], plan.routed[i]);
  const LocalGraph graph(tgt.size, std::move(owned), std::move(adjacent));
  return small_world_metrics(graph, comm);
}

struct PlasticCandidate {
  Gid source;
  Gid target;
  std::uint32_t channel;
  std::uint32_t thread;
  std::uint32_t key_lo, key_hi;
  std::uint64_t sequence;  // generation order: the order inside a row
  double weight;
  std::uint32_t delay;
  std::uint64_t column = 0;
};

// Canonical columns (target, source, key) of one plastic projection: a target's first column
// is the number of the projection's synapses onto lower targets, summed over ranks chunk by
// chunk of the target population, so no rank holds a count per neuron of the whole network.
void number_columns(std::vector<PlasticCandidate>& list, const PopulationLayout& tgt,
                    const PopulationLayout& src, double dt, PlasticProjection& pp,
                    Communicator& comm) {
  std::sort(list.begin(), list.end(), [](const PlasticCandidate& a, const PlasticCandidate& b) {
    if (a.target != b.target) return a.target < b.target;
    if (a.source != b.source) return a.source < b.source;
    if (a.key_lo != b.key_lo) return a.key_lo < b.key_lo;
    return a.key_hi < b.key_hi;
  });
  std::uint64_t base = 0;
  std::size_t at = 0;
  std::vector<std::uint64_t> counts;
  for (std::uint64_t c0 = 0; c0 < tgt.size; c0 += column_chunk) {
    const std::uint64_t c1 = std::min<std::uint64_t>(tgt.size, c0 + column_chunk);
    counts.assign(c1 - c0, 0);
    std::size_t end = at;
    while (end < list.size() && list[end].target - tgt.first < c1) {
      ++counts[list[end].target - tgt.first - c0];
      ++end;
    }
    counts = comm.sum_each(std::move(counts));
    // Exclusive scan: first column of each target of the chunk.
    std::uint64_t running = base;
    for (auto& c : counts) {
      const std::uint64_t n = c;
      c = running;
      running += n;
    }
    for (std::size_t i = at; i < end; ++i) {
      const std::uint64_t first = counts[list[i].target - tgt.first - c0];
      const bool same_target = i > at && list[i - 1].target == list[i].target;
      list[i].column = same_target ? list[i - 1].column + 1 : first;
    }
    base = running;
    at = end;
  }
  pp.n_synapses = base;
  for (const PlasticCandidate& s : list) {
    pp.columns.push_back(s.column);
    pp.source.push_back(s.source - src.first);
    pp.target.push_back(s.target - tgt.first);
    pp.delay_ms.push_back(static_cast<double>(s.delay) * dt);
  }
}

// `list`: one thread's plastic synapses sorted by (source, sequence).
void build_plastic(const std::vector<PlasticCandidate>& list, const SourceIndex& sources,
                   ThreadPlasticSynapses& ps) {
  ps.row_begin.assign(static_cast<std::size_t>(sources.rows()) + 1, 0);
  for (const auto& s : list) ++ps.row_begin[sources.row(s.source) + 1];
  for (std::size_t r = 0; r < sources.rows(); ++r) ps.row_begin[r + 1] += ps.row_begin[r];
  for (const auto& s : list) ps.post_gid.push_back(s.target);
  std::sort(ps.post_gid.begin(), ps.post_gid.end());
  ps.post_gid.erase(std::unique(ps.post_gid.begin(), ps.post_gid.end()), ps.post_gid.end());
  ps.incoming.assign(ps.post_gid.size(), 0);
  for (const auto& s : list) {
    const auto post = static_cast<std::uint32_t>(
        std::lower_bound(ps.post_gid.begin(), ps.post_gid.end(), s.target) - ps.post_gid.begin());
    ++ps.incoming[post];
    ps.target.push_back(s.channel);
    ps.delay.push_back(s.delay);
    ps.weight.push_back(s.weight);
    ps.column.push_back(s.column);
    ps.post.push_back(post);
  }
}

// Orders each row of a filled table by delay (stably: equal delays keep generation order) and
// replaces the per-synapse delays by runs.
void make_runs(ThreadSynapses& ts, const std::vector<std::uint32_t>& row_start,
               std::vector<std::uint32_t>& delay) {
  const std::size_t rows = row_start.size() - 1;
  ts.row_run.assign(rows + 1, 0);
  std::vector<std::uint32_t> order, target_tmp;
  std::vector<double> weight_tmp;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::uint32_t b = row_start[r], e = row_start[r + 1];
    ts.row_run[r] = static_cast<std::uint32_t>(ts.run_delay.size());
    if (b == e) continue;
    if (!std::is_sorted(delay.begin() + b, delay.begin() + e)) {
      order.resize(e - b);
      std::iota(order.begin(), order.end(), b);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::uint32_t x, std::uint32_t y) { return delay[x] < delay[y]; });
      target_tmp.clear();
      weight_tmp.clear();
      std::vector<std::uint32_t> delay_tmp;
      for (const std::uint32_t i : order) {
        target_tmp.push_back(ts.target[i]);
        weight_tmp.push_back(ts.weight[i]);
        delay_tmp.push_back(delay[i]);
      }
      std::copy(target_tmp.begin(), target_tmp.end(), ts.target.begin() + b);
      std::copy(weight_tmp.begin(), weight_tmp.end(), ts.weight.begin() + b);
      std::copy(delay_tmp.begin(), delay_tmp.end(), delay.begin() + b);
    }
    for (std::uint32_t i = b; i < e; ++i)
      if (i == b || delay[i] != delay[i - 1]) {
        if (i != b) ts.run_end.push_back(i);
        ts.run_delay.push_back(delay[i]);
      }
    ts.run_end.push_back(e);
  }
  ts.row_run[rows] = static_cast<std::uint32_t>(ts.run_delay.size());
  ts.run_delay.shrink_to_fit();
  ts.run_end.shrink_to_fit();
}

}  // namespace

std::vector<PopulationLayout> layout_populations(const Config& config) {
  std::vector<PopulationLayout> out;
  Gid next = 0;
  for (const auto& p : config.populations) {
    out.push_back({p.name, next, p.size});
    next += p.size;
  }
  return out;
}

LocalNetwork build_local_network(const Config& config, Communicator& comm, int n_threads) {
  LocalNetwork net;
  net.rank = comm.rank();
  net.n_ranks = comm.size();
  net.n_threads = n_threads;
  net.populations = layout_populations(config);
  std::uint64_t n_global = 0;
  for (const auto& p : net.populations) n_global += p.size;
  if (n_global > std::numeric_limits<Gid>::max())
    throw std::length_error("the network has " + std::to_string(n_global) +
                            " neurons; at most 4294967295 fit the 32-bit neuron ids");
  net.n_global = static_cast<Gid>(n_global);
  const double dt = config.simulation.dt;
  const std::uint64_t seed = config.simulation.seed;

  // 1. The partition, from population sizes and expected in-degrees alone.
  {
    const std::vector<double> in_degree = expected_in_degree(config);
    std::vector<Partition::WeightRun> weights;
    for (std::size_t p = 0; p < net.populations.size(); ++p)
      weights.push_back({net.populations[p].first, net.populations[p].size,
                         1 + static_cast<std::uint64_t>(std::llround(in_degree[p]))});
    net.partition_map = Partition(config.partition.method, net.n_ranks, net.n_global, weights);
  }

  // 2. This rank's neurons, numbered in ascending gid order (population by population), and the
  // threads' ranges.
  net.local_gids.resize(net.populations.size());
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    net.population_offset.push_back(net.n_local);
    net.local_gids[p] =
        net.partition_map.owned(net.rank, net.populations[p].first, net.populations[p].size);
    net.n_local += static_cast<std::uint32_t>(net.local_gids[p].size());
  }
  if (n_threads > std::numeric_limits<std::uint16_t>::max())
    throw std::invalid_argument("more than 65535 threads per rank");
  net.thread_ranges.assign(static_cast<std::size_t>(n_threads), {});
  std::vector<std::uint16_t> thread_of(net.n_local, 0);
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const auto count = static_cast<std::uint64_t>(net.local_gids[p].size());
    const std::uint32_t offset = net.population_offset[p];
    for (int t = 0; t < n_threads; ++t) {
      const auto b = static_cast<std::uint32_t>(count * static_cast<std::uint64_t>(t) /
                                                static_cast<std::uint64_t>(n_threads));
      const auto e = static_cast<std::uint32_t>(count * static_cast<std::uint64_t>(t + 1) /
                                                static_cast<std::uint64_t>(n_threads));
      net.thread_ranges[static_cast<std::size_t>(t)].push_back({offset + b, offset + e});
      for (std::uint32_t i = offset + b; i < offset + e; ++i)
        thread_of[i] = static_cast<std::uint16_t>(t);
    }
  }

  // Input channels: per population, one row of its local neurons per receptor port.
  const ReceptorPorts ports = receptor_ports(config);
  net.ports = ports.of_population;
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    net.channel_offset.push_back(net.n_channels);
    net.n_channels += static_cast<std::uint32_t>(net.ports[p].size() * net.local_gids[p].size());
  }

  // 3. Plans per projection; small_world edges routed to the owners of their far ends, and
  // measured on the distributed graph.
  std::vector<ProjectionPlan> plans;
  net.min_delay = std::numeric_limits<Step>::max();
  net.max_delay = 1;
  for (std::size_t j = 0; j < config.projections.size(); ++j) {
    const ProjectionConfig& proj = config.projections[j];
    ProjectionPlan plan;
    plan.config = &proj;
    plan.source = population_index(net, proj.source);
    plan.target = population_index(net, proj.target);
    plan.stream = rng::name_hash(proj.name);
    plan.row =
        net.channel_offset[plan.target] +
        ports.of_projection[j] * static_cast<std::uint32_t>(net.local_gids[plan.target].size()) -
        net.population_offset[plan.target];
    if (proj.plasticity) {
      plan.rule = static_cast<std::int32_t>(net.plastic.size());
      PlasticProjection pp;
      pp.name = proj.name;
      pp.source_population = net.populations[plan.source].name;
      pp.target_population = net.populations[plan.target].name;
      pp.params = *proj.plasticity;
      pp.dendritic_steps = std::llround(proj.plasticity->dendritic_delay / dt);
      net.plastic.push_back(std::move(pp));
    }
    net.min_delay = std::min(net.min_delay, delay_steps(proj.delay.a, dt));
    net.max_delay = std::max(
        net.max_delay,
        delay_steps(proj.delay.kind == ParamValue::Kind::uniform ? proj.delay.b : proj.delay.a,
                    dt));
    ProjectionSummary summary;
    summary.name = proj.name;
    if (proj.rule == ConnectionRule::small_world) {
      route_small_world(net, plan, seed, comm);
      const SmallWorldMetrics m = measure_small_world(net, plan, seed, comm);
      summary.clustering = m.clustering;
      summary.mean_path_length = m.mean_path_length;
      summary.clustering_vertices = m.clustering_vertices;
      summary.path_length_sources = m.path_length_sources;
    }
    net.projections.push_back(summary);
    plans.push_back(std::move(plan));
  }
  if (config.projections.empty()) net.min_delay = 1;

  // 4. Which sources reach this rank, and how many synapses each thread's rows get.
  const auto threads = static_cast<std::size_t>(n_threads);
  net.sources = SourceIndex(net.n_global);
  for_each_local_synapse(net, plans, seed,
                         [&](const ProjectionPlan&, Gid source, std::uint32_t, std::uint32_t,
                             std::uint32_t) { net.sources.mark(source); });
  net.sources.finalise();
  const std::size_t rows = net.sources.rows();
  std::vector<std::vector<std::uint32_t>> row_start(threads,
                                                    std::vector<std::uint32_t>(rows + 1, 0));
  std::vector<std::uint64_t> per_projection(plans.size(), 0);
  std::uint64_t local_synapses = 0, cut = 0;
  for_each_local_synapse(net, plans, seed,
                         [&](const ProjectionPlan& plan, Gid source, std::uint32_t local,
                             std::uint32_t, std::uint32_t) {
                           ++per_projection[static_cast<std::size_t>(&plan - plans.data())];
                           ++local_synapses;
                           if (!owns(net, source)) ++cut;
                           if (plan.rule < 0)
                             ++row_start[thread_of[local]][net.sources.row(source) + 1];
                         });
  net.thread_synapses.resize(threads);
  std::vector<std::vector<std::uint32_t>> delay(threads);
  for (std::size_t t = 0; t < threads; ++t) {
    std::uint64_t total = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      total += row_start[t][r + 1];
      if (total > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error(
            "more than 4294967295 synapses onto one thread's neurons: use "
            "more threads or ranks");
      row_start[t][r + 1] = static_cast<std::uint32_t>(total);
    }
    net.thread_synapses[t].target.resize(total);
    net.thread_synapses[t].weight.resize(total);
    delay[t].resize(total);
  }

  // 5. Fill: weights and delays drawn from each synapse's identity, in generation order.
  std::vector<std::vector<PlasticCandidate>> plastic(net.plastic.size());
  {
    std::vector<std::vector<std::uint32_t>> cursor = row_start;
    std::uint64_t sequence = 0;
    for_each_local_synapse(
        net, plans, seed,
        [&](const ProjectionPlan& plan, Gid source, std::uint32_t local, std::uint32_t lo,
            std::uint32_t hi) {
          const ProjectionConfig& proj = *plan.config;
          const double w = draw(proj.weight, seed, rng::Stream::synapse, plan.stream, lo, hi);
          const double d =
              draw(proj.delay, seed, rng::Stream::synapse, plan.stream ^ 0x5bd1e995u, lo, hi);
          const auto steps = static_cast<std::uint32_t>(delay_steps(d, dt));
          const std::uint32_t channel = plan.row + local;
          const std::size_t t = thread_of[local];
          if (plan.rule >= 0) {
            const Gid target_gid =
                net.local_gids[plan.target][local - net.population_offset[plan.target]];
            plastic[static_cast<std::size_t>(plan.rule)].push_back({source, target_gid, channel,
                                                                    static_cast<std::uint32_t>(t),
                                                                    lo, hi, sequence++, w, steps});
            return;
          }
          const std::uint32_t at = cursor[t][net.sources.row(source)]++;
          net.thread_synapses[t].target[at] = channel;
          net.thread_synapses[t].weight[at] = w;
          delay[t][at] = steps;
        });
  }
  for (std::size_t t = 0; t < threads; ++t) {
    make_runs(net.thread_synapses[t], row_start[t], delay[t]);
    std::vector<std::uint32_t>().swap(delay[t]);
    std::vector<std::uint32_t>().swap(row_start[t]);
  }
  for (ProjectionPlan& plan : plans) std::vector<std::uint32_t>().swap(plan.routed);

  // 6. Plastic synapses: canonical columns, then per-thread tables in row order.
  net.thread_plastic.resize(threads);
  {
    std::vector<std::vector<PlasticCandidate>> per_thread(threads);
    for (std::size_t r = 0; r < plastic.size(); ++r) {
      const ProjectionPlan* plan = nullptr;
      for (const ProjectionPlan& p : plans)
        if (p.rule == static_cast<std::int32_t>(r)) plan = &p;
      number_columns(plastic[r], net.populations[plan->target], net.populations[plan->source], dt,
                     net.plastic[r], comm);
      for (const PlasticCandidate& s : plastic[r]) {
        per_thread[s.thread].push_back(s);
        per_thread[s.thread].back().key_lo = static_cast<std::uint32_t>(r);  // now: the rule
      }
      std::vector<PlasticCandidate>().swap(plastic[r]);
    }
    for (std::size_t t = 0; t < threads; ++t) {
      auto& list = per_thread[t];
      if (list.empty()) continue;
      std::sort(list.begin(), list.end(), [](const PlasticCandidate& a, const PlasticCandidate& b) {
        return a.source != b.source ? a.source < b.source : a.sequence < b.sequence;
      });
      build_plastic(list, net.sources, net.thread_plastic[t]);
      for (const PlasticCandidate& s : list) net.thread_plastic[t].rule.push_back(s.key_lo);
    }
  }

  // 7. Counts every rank agrees on.
  per_projection = comm.sum_each(std::move(per_projection));
  for (std::size_t j = 0; j < plans.size(); ++j) net.projections[j].n_synapses = per_projection[j];
  const auto per_rank = comm.allgather(static_cast<double>(local_synapses));
  for (int r = 0; r < net.n_ranks; ++r) {
    net.partition.neurons_per_rank.push_back(net.partition_map.neurons_of(r));
    net.partition.synapses_per_rank.push_back(
        static_cast<std::uint64_t>(per_rank[static_cast<std::size_t>(r)]));
  }
  net.partition.edge_cut = comm.sum(cut);
  net.partition.total_synapses = comm.sum(local_synapses);
  return net;
}

}  // namespace myelin
