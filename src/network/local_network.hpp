#pragma once

// The part of the network one rank simulates, and only that part. The partition is decided
// first (network/partition.hpp, from counts every rank computes alike); then each rank
// generates the synapses onto its own neurons: per-target rules directly, small_world from
// its own vertices with the far ends routed to their owners in one collective per chunk
// (network/generators.hpp). Every draw is keyed by the synapse's identity, so the network is
// the same for every split. No rank holds the global edge list or any array by gid beyond the
// one-bit-per-neuron SourceIndex.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "config/config.hpp"
#include "myelin/types.hpp"
#include "network/partition.hpp"
#include "network/source_index.hpp"
#include "synapse/synapse_ports.hpp"

namespace myelin {

struct PopulationLayout {
  std::string name;
  Gid first = 0;  // gid of neuron 0
  std::uint32_t size = 0;
};

// Populations in config order (sorted by name), laid out one after another in gid space.
std::vector<PopulationLayout> layout_populations(const Config& config);

// Static synapses whose targets one thread owns, 12 bytes each (target channel u32, weight
// float64: weights keep full precision, so every exact-PSP test keeps its tolerance). Rows are
// the rank's SourceIndex rows; inside a row the synapses form runs of equal delay, ascending,
// so a delay costs 8 bytes per run, not 2-4 per synapse, and delivery computes each arrival slot
// once per run. Within a run the order is the generation order (projection, then the rule's
// order per target), so each target accumulates its inputs in the same order for any split.
struct ThreadSynapses {
  std::vector<std::uint32_t> row_run;    // [row] first run of the row; rows + 1 entries
  std::vector<std::uint32_t> run_delay;  // [run] [steps] >= 1
  std::vector<std::uint32_t> run_end;    // [run] one past its last synapse (run r starts at
                                         // run_end[r - 1], run 0 at 0)
  std::vector<std::uint32_t> target;     // [synapse] rank-local input channel (see LocalNetwork)
  std::vector<double> weight;            // [synapse] [mV], [pA] or [nS] by synapse kind
  std::size_t size() const { return target.size(); }
  std::uint64_t bytes() const {
    return row_run.size() * 4 + run_delay.size() * 4 + run_end.size() * 4 + target.size() * 4 +
           weight.size() * 8;
  }
};

// Where a plastic synapse lands: 8 bytes, read for every event (the rest of what a plastic
// synapse is, its weight and presynaptic trace, lives in plasticity/thread_plasticity.hpp).
struct PlasticTarget {
  std::uint32_t channel = 0;  // rank-local input channel
  std::uint16_t delay = 0;    // [steps] (build refuses longer delays: max_plastic_delay_steps)
  std::uint8_t rule = 0;      // index into LocalNetwork::plastic (at most max_plastic_projections)
};
inline constexpr std::uint32_t max_plastic_delay_steps = 65535;
inline constexpr std::size_t max_plastic_projections = 256;

// Plastic synapses whose targets one thread owns: a CSR by source, each row in canonical column
// order (so every split delivers a target's inputs in the same order), plus what STDP needs.
// Their weights change, so they are delivered when they land (see
// plasticity/thread_plasticity.hpp), not added to the ring buffer at once.
struct ThreadPlasticSynapses {
  static constexpr std::uint32_t no_post = 0xffffffffu;
  std::vector<std::uint64_t> row_begin;  // [SourceIndex row] rows + 1 (empty: no plastic synapses)
  std::vector<PlasticTarget> synapse;    // [synapse]
  std::vector<std::uint64_t> column;     // [synapse] position in its projection's canonical order
  // [synapse] initial weight: moved into the run-time state (ThreadPlasticity), then empty.
  std::vector<double> weight;
  std::vector<Gid> post_gid;            // targets with plastic inputs, ascending
  std::vector<std::uint32_t> incoming;  // [post] plastic synapses onto it
  std::vector<std::uint32_t> post_of;   // [channel] index into post_gid, or no_post
  std::size_t size() const { return synapse.size(); }
  std::uint32_t post(std::size_t j) const { return post_of[synapse[j].channel]; }
};

// A plastic projection. Its synapses are numbered in canonical order (target, source, key):
// the column order of /weights/<name>, the same for every split; a rank holds only its own
// columns (ascending) and what the file needs of them.
struct PlasticProjection {
  std::string name;
  std::string source_population;
  std::string target_population;
  StdpParams params;
  Step dendritic_steps = 0;
  std::uint64_t n_synapses = 0;  // over all ranks
  // The per-synapse header below is kept only when the weights are snapshotted
  // ([output.weights.NAME] snapshots, default true).
  bool per_synapse_header = true;
  std::vector<std::uint64_t> columns;  // this rank's, ascending
  std::vector<std::uint64_t> source;   // [my column] population-local
  std::vector<std::uint64_t> target;   // [my column] population-local
  std::vector<double> delay_ms;        // [my column]
};

// Rank-local neuron indices [begin, end).
struct IndexRange {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

struct ProjectionSummary {
  std::string name;
  std::uint64_t n_synapses = 0;
  // Graph rules only (small_world): Watts-Strogatz metrics of the undirected graph.
  std::optional<double> clustering;
  std::optional<double> mean_path_length;
  std::uint32_t clustering_vertices = 0;  // vertices averaged (all, or a deterministic sample)
  std::uint32_t path_length_sources = 0;  // BFS sources used (all, or a deterministic sample)
};

struct PartitionSummary {
  std::vector<std::uint64_t> neurons_per_rank;
  std::vector<std::uint64_t> synapses_per_rank;  // incoming synapses of each rank's neurons
  std::uint64_t edge_cut = 0;                    // synapses whose source and target ranks differ
  std::uint64_t total_synapses = 0;
};

struct LocalNetwork {
  int rank = 0;
  int n_ranks = 1;
  // Built as rank 0 of an n_ranks job in one process (`--dry-run-ranks`): the other ranks are
  // this share moved along the gids; totals are this rank's times n_ranks.
  bool dry_run = false;
  int n_threads = 1;
  Gid n_global = 0;
  std::vector<PopulationLayout> populations;
  Partition partition_map{PartitionMethod::contiguous, 1, 0, {}};
  // Per population: the gids this rank owns, ascending.
  std::vector<std::vector<Gid>> local_gids;
  // Rank-local index of each population's first local neuron; neurons are numbered
  // population by population, ascending gid inside each.
  std::vector<std::uint32_t> population_offset;
  std::uint32_t n_local = 0;
  // Input channels of the ring buffer: population p's inputs occupy
  // [channel_offset[p], channel_offset[p] + ports[p].size() * local_gids[p].size()), one row
  // of its local neurons per receptor port (port-major).
  std::vector<std::vector<PortSpec>> ports;  // [population]
  std::vector<std::uint32_t> channel_offset;
  std::uint32_t n_channels = 0;
  // [thread][population]: the rank-local neurons each thread integrates (contiguous).
  std::vector<std::vector<IndexRange>> thread_ranges;
  SourceIndex sources;  // sources with targets on this rank -> row of the thread tables
  // [thread]: the synapses onto that thread's neurons.
  std::vector<ThreadSynapses> thread_synapses;
  std::vector<ThreadPlasticSynapses> thread_plastic;  // [thread]
  std::vector<PlasticProjection> plastic;             // plastic projections, config order
  Step min_delay = 1;  // [steps] over every projection in the config (a lower bound of each)
  Step max_delay = 1;  // [steps] an upper bound of every synapse's delay
  std::vector<ProjectionSummary> projections;  // config order
  PartitionSummary partition;
};

// Collective over `comm` (small_world routing, counts and graph measures). With
// dry_run_ranks = R > 0: rank 0's share of an R-rank job, built alone (comm has one rank); the
// far ends other ranks would route here are this rank's own, mirrored (check_dry_run says when
// that is the same network).
LocalNetwork build_local_network(const Config& config, Communicator& comm, int n_threads,
                                 int dry_run_ranks = 0);

// Throws InputError (key --dry-run-ranks) unless every rank's share of the network looks alike:
// one population, R divides its size, contiguous shares.
void check_dry_run(const Config& config, int ranks);

}  // namespace myelin
