#include "network/local_network.hpp"

#include <algorithm>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>
#include <cmath>
#include <span>

#include "config/param_draw.hpp"
#include "core/random.hpp"
#include "network/generators.hpp"
#include "network/graph_metrics.hpp"
#include "network/partition.hpp"
#include "synapse/receptor_ports.hpp"

namespace myelin {

namespace {

using NetworkGraph = boost::compressed_sparse_row_graph<boost::directedS>;

Step delay_steps(double delay_ms, double dt) {
  return std::max<Step>(1, std::llround(delay_ms / dt));
}

struct LocalSynapse {
  Gid source;
  std::uint32_t target;  // rank-local input channel (port row, neuron)
  std::uint32_t projection;
  std::uint64_t edge;
  double weight;
  std::uint32_t delay;
  std::int32_t rule = -1;  // index into LocalNetwork::plastic, -1: static
  std::uint64_t column = 0;
  Gid target_gid = 0;
  bool operator<(const LocalSynapse& o) const {
    if (source != o.source) return source < o.source;
    if (target != o.target) return target < o.target;
    if (projection != o.projection) return projection < o.projection;
    return edge < o.edge;
  }
};

// `list` sorted by (source, target channel, projection, edge).
void build_plastic(std::span<const LocalSynapse> list, Gid n_global, ThreadPlasticSynapses& ps) {
  ps.row_begin.assign(static_cast<std::size_t>(n_global) + 1, 0);
  for (const auto& s : list) ++ps.row_begin[s.source + 1];
  for (std::size_t g = 0; g < n_global; ++g) ps.row_begin[g + 1] += ps.row_begin[g];
  for (const auto& s : list) ps.post_gid.push_back(s.target_gid);
  std::sort(ps.post_gid.begin(), ps.post_gid.end());
  ps.post_gid.erase(std::unique(ps.post_gid.begin(), ps.post_gid.end()), ps.post_gid.end());
  ps.incoming.assign(ps.post_gid.size(), 0);
  for (const auto& s : list) {
    const auto post = static_cast<std::uint32_t>(
        std::lower_bound(ps.post_gid.begin(), ps.post_gid.end(), s.target_gid) -
        ps.post_gid.begin());
    ++ps.incoming[post];
    ps.target.push_back(s.target);
    ps.delay.push_back(s.delay);
    ps.weight.push_back(s.weight);
    ps.rule.push_back(static_cast<std::uint32_t>(s.rule));
    ps.column.push_back(s.column);
    ps.post.push_back(post);
  }
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

LocalNetwork build_local_network(const Config& config, int rank, int n_ranks, int n_threads) {
  LocalNetwork net;
  net.rank = rank;
  net.n_ranks = n_ranks;
  net.n_threads = n_threads;
  net.populations = layout_populations(config);
  for (const auto& p : net.populations) net.n_global += p.size;
  const double dt = config.simulation.dt;
  const std::uint64_t seed = config.simulation.seed;

  auto population_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < net.populations.size(); ++i)
      if (net.populations[i].name == name) return i;
    return std::size_t{0};
  };

  // 1. Every projection's synapses, globally and identically on every rank.
  std::vector<std::vector<Edge>> edges(config.projections.size());
  std::vector<std::pair<Gid, Gid>> all;
  for (std::size_t j = 0; j < config.projections.size(); ++j) {
    const ProjectionConfig& proj = config.projections[j];
    const PopulationLayout& src = net.populations[population_index(proj.source)];
    const PopulationLayout& tgt = net.populations[population_index(proj.target)];
    edges[j] = generate_projection(proj, src.size, tgt.size, seed);
    ProjectionSummary summary;
    summary.name = proj.name;
    summary.n_synapses = edges[j].size();
    if (proj.rule == ConnectionRule::small_world) {
      // The undirected graph is every other synapse when symmetric, every synapse otherwise.
      std::vector<Edge> undirected;
      for (std::size_t e = 0; e < edges[j].size(); e += proj.symmetric ? 2 : 1)
        undirected.push_back(edges[j][e]);
      const auto m = small_world_metrics(tgt.size, undirected);
      summary.clustering = m.clustering;
      summary.mean_path_length = m.mean_path_length;
      summary.clustering_vertices = m.clustering_vertices;
      summary.path_length_sources = m.path_length_sources;
    }
    net.projections.push_back(summary);
    for (const Edge& e : edges[j]) all.emplace_back(src.first + e.source, tgt.first + e.target);
  }

  // 2. The whole network in Boost.Graph, partitioned.
  std::vector<int> rank_of;
  {
    const NetworkGraph graph(boost::edges_are_unsorted_multi_pass, all.begin(), all.end(),
                             net.n_global);
    std::vector<std::uint64_t> in_degree(net.n_global, 0);
    for (const auto e : boost::make_iterator_range(boost::edges(graph)))
      ++in_degree[boost::target(e, graph)];
    rank_of = partition_gids(config.partition.method, n_ranks, in_degree);
    net.partition.neurons_per_rank.assign(static_cast<std::size_t>(n_ranks), 0);
    net.partition.synapses_per_rank.assign(static_cast<std::size_t>(n_ranks), 0);
    for (Gid g = 0; g < net.n_global; ++g) {
      ++net.partition.neurons_per_rank[static_cast<std::size_t>(rank_of[g])];
      net.partition.synapses_per_rank[static_cast<std::size_t>(rank_of[g])] += in_degree[g];
    }
    for (const auto e : boost::make_iterator_range(boost::edges(graph)))
      if (rank_of[boost::source(e, graph)] != rank_of[boost::target(e, graph)])
        ++net.partition.edge_cut;
    net.partition.total_synapses = boost::num_edges(graph);
  }
  std::vector<std::pair<Gid, Gid>>().swap(all);

  // 3. This rank's neurons, numbered population by population, and the threads' ranges.
  std::vector<std::uint32_t> local_index(net.n_global, 0);
  net.local_gids.resize(net.populations.size());
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    net.population_offset.push_back(net.n_local);
    const PopulationLayout& pop = net.populations[p];
    for (Gid g = pop.first; g < pop.first + pop.size; ++g)
      if (rank_of[g] == rank) {
        local_index[g] = net.n_local++;
        net.local_gids[p].push_back(g);
      }
  }
  net.thread_ranges.assign(static_cast<std::size_t>(n_threads), {});
  std::vector<int> thread_of(net.n_local, 0);
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const auto count = static_cast<std::uint64_t>(net.local_gids[p].size());
    const std::uint32_t offset = net.population_offset[p];
    for (int t = 0; t < n_threads; ++t) {
      const auto b = static_cast<std::uint32_t>(count * static_cast<std::uint64_t>(t) /
                                                static_cast<std::uint64_t>(n_threads));
      const auto e = static_cast<std::uint32_t>(count * static_cast<std::uint64_t>(t + 1) /
                                                static_cast<std::uint64_t>(n_threads));
      net.thread_ranges[static_cast<std::size_t>(t)].push_back({offset + b, offset + e});
      for (std::uint32_t i = offset + b; i < offset + e; ++i) thread_of[i] = t;
    }
  }

  // Input channels: per population, one row of its local neurons per receptor port.
  const ReceptorPorts ports = receptor_ports(config);
  net.ports = ports.of_population;
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    net.channel_offset.push_back(net.n_channels);
    net.n_channels += static_cast<std::uint32_t>(net.ports[p].size() * net.local_gids[p].size());
  }

  // 4. The synapses onto this rank's neurons, weights and delays keyed by synapse identity.
  std::vector<std::vector<LocalSynapse>> per_thread(static_cast<std::size_t>(n_threads));
  net.min_delay = std::numeric_limits<Step>::max();
  net.max_delay = 1;
  for (std::size_t j = 0; j < config.projections.size(); ++j) {
    const ProjectionConfig& proj = config.projections[j];
    const PopulationLayout& src = net.populations[population_index(proj.source)];
    const std::size_t tgt_index = population_index(proj.target);
    const PopulationLayout& tgt = net.populations[tgt_index];
    const std::uint32_t row =
        net.channel_offset[tgt_index] +
        ports.of_projection[j] * static_cast<std::uint32_t>(net.local_gids[tgt_index].size()) -
        net.population_offset[tgt_index];
    const std::uint32_t stream = rng::name_hash(proj.name);
    // Plastic: the canonical column of every edge, and every edge's delay for the file.
    std::int32_t rule = -1;
    std::vector<std::uint64_t> column_of_edge;
    if (proj.plasticity) {
      rule = static_cast<std::int32_t>(net.plastic.size());
      PlasticProjection pp;
      pp.name = proj.name;
      pp.source_population = src.name;
      pp.target_population = tgt.name;
      pp.params = *proj.plasticity;
      pp.dendritic_steps = std::llround(proj.plasticity->dendritic_delay / dt);
      std::vector<std::uint64_t> order(edges[j].size());
      for (std::uint64_t e = 0; e < order.size(); ++e) order[e] = e;
      std::sort(order.begin(), order.end(), [&](std::uint64_t a, std::uint64_t b) {
        const Edge& x = edges[j][a];
        const Edge& y = edges[j][b];
        if (x.target != y.target) return x.target < y.target;
        if (x.source != y.source) return x.source < y.source;
        return a < b;
      });
      column_of_edge.resize(order.size());
      for (std::uint64_t c = 0; c < order.size(); ++c) {
        const std::uint64_t e = order[c];
        column_of_edge[e] = c;
        pp.source.push_back(edges[j][e].source);
        pp.target.push_back(edges[j][e].target);
        const auto lo = static_cast<std::uint32_t>(e), hi = static_cast<std::uint32_t>(e >> 32);
        pp.delay_ms.push_back(
            static_cast<double>(delay_steps(
                draw(proj.delay, seed, rng::Stream::synapse, stream ^ 0x5bd1e995u, lo, hi), dt)) *
            dt);
      }
      net.plastic.push_back(std::move(pp));
    }
    net.min_delay = std::min(net.min_delay, delay_steps(proj.delay.a, dt));
    net.max_delay = std::max(
        net.max_delay,
        delay_steps(proj.delay.kind == ParamValue::Kind::uniform ? proj.delay.b : proj.delay.a,
                    dt));
    for (std::uint64_t e = 0; e < edges[j].size(); ++e) {
      const Gid target = tgt.first + edges[j][e].target;
      if (rank_of[target] != rank) continue;
      const auto lo = static_cast<std::uint32_t>(e), hi = static_cast<std::uint32_t>(e >> 32);
      const double w = draw(proj.weight, seed, rng::Stream::synapse, stream, lo, hi);
      const double d = draw(proj.delay, seed, rng::Stream::synapse, stream ^ 0x5bd1e995u, lo, hi);
      const std::uint32_t li = local_index[target];
      per_thread[static_cast<std::size_t>(thread_of[li])].push_back(
          {src.first + edges[j][e].source, row + li, static_cast<std::uint32_t>(j), e, w,
           static_cast<std::uint32_t>(delay_steps(d, dt)), rule, rule >= 0 ? column_of_edge[e] : 0,
           target});
    }
    std::vector<Edge>().swap(edges[j]);
  }
  if (config.projections.empty()) net.min_delay = 1;

  // 5. Per-thread CSR by source, rows in canonical order.
  net.thread_synapses.resize(static_cast<std::size_t>(n_threads));
  net.thread_plastic.resize(static_cast<std::size_t>(n_threads));
  for (int t = 0; t < n_threads; ++t) {
    auto& all_synapses = per_thread[static_cast<std::size_t>(t)];
    std::sort(all_synapses.begin(), all_synapses.end());
    const auto plastic_begin = std::stable_partition(
        all_synapses.begin(), all_synapses.end(), [](const LocalSynapse& s) { return s.rule < 0; });
    if (plastic_begin != all_synapses.end())
      build_plastic(
          std::span<const LocalSynapse>(
              &*plastic_begin, static_cast<std::size_t>(all_synapses.end() - plastic_begin)),
          net.n_global, net.thread_plastic[static_cast<std::size_t>(t)]);
    all_synapses.erase(plastic_begin, all_synapses.end());
    auto& list = all_synapses;
    ThreadSynapses& ts = net.thread_synapses[static_cast<std::size_t>(t)];
    ts.row_begin.assign(static_cast<std::size_t>(net.n_global) + 1, 0);
    for (const auto& s : list) ++ts.row_begin[s.source + 1];
    for (std::size_t g = 0; g < net.n_global; ++g) ts.row_begin[g + 1] += ts.row_begin[g];
    ts.target.reserve(list.size());
    ts.weight.reserve(list.size());
    ts.delay.reserve(list.size());
    for (const auto& s : list) {
      ts.target.push_back(s.target);
      ts.weight.push_back(s.weight);
      ts.delay.push_back(s.delay);
    }
    std::vector<LocalSynapse>().swap(list);
  }
  return net;
}

}  // namespace myelin
