#pragma once

// The validated configuration of one run. Produced by parse_config() (config_parser.hpp);
// every value here has passed its range check, so the rest of the code trusts it.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/population_spec.hpp"
#include "myelin/types.hpp"

namespace myelin {

struct SimulationConfig {
  double dt = 0.1;         // [ms]
  double t_stop = 1000.0;  // [ms]
  std::uint64_t seed = 12345;
  int threads = 0;           // OpenMP threads per rank; 0 = OMP_NUM_THREADS or 1
  double v_bound = 1.0e4;    // [mV] |V_m| beyond this is a runaway: the run stops with exit 3
  double temperature = 6.3;  // [degC] for q10 factors and Nernst potentials
  std::string exchange = "allgatherv";  // spike exchange algorithm: allgatherv, alltoallv
  bool overlap = true;  // exchange epoch e while computing e + 1 (epochs of half the min delay)
};

// The config layer names the core type as the config reader produces it.
using PopulationConfig = PopulationSpec;

enum class ConnectionRule {
  small_world,
  fixed_probability,
  one_to_one,
  all_to_all,
  fixed_indegree,      // `indegree` sources drawn per target
  fixed_outdegree,     // `outdegree` targets drawn per source
  fixed_total_number,  // `n` synapses between uniformly drawn pairs
};

// Pair-based STDP with exponential traces (projection `plasticity = { ... }`).
// power_law: NEST stdp_pl_synapse_hom (Morrison, Aertsen & Diesmann 2007).
enum class StdpRule { additive, multiplicative, power_law };
enum class StdpPairing { all_to_all, nearest };
struct StdpParams {
  StdpRule rule = StdpRule::additive;  // hard bounds / soft bounds (w_max - w, w - w_min)
  StdpPairing pairing = StdpPairing::all_to_all;  // or nearest spike (symmetric)
  double A_plus = 0.01;  // weight units (additive) or dimensionless (multiplicative)
  double A_minus = 0.0105;
  double lambda = 0.0;      // power_law: learning rate, dw+ = lambda w^mu x
  double alpha = 0.0;       // power_law: asymmetry, dw- = -lambda alpha w y
  double mu = 0.0;          // power_law: exponent of the weight dependence of potentiation
  double tau_plus = 16.8;   // [ms]
  double tau_minus = 33.7;  // [ms]
  double w_min = 0.0;
  double w_max = 1.0;
  double dendritic_delay = 0.0;  // [ms] part of each synapse's delay; the rest is axonal
};

struct ProjectionConfig {
  std::string name;
  std::string source;
  std::string target;
  ConnectionRule rule = ConnectionRule::fixed_probability;
  int k = 0;       // small_world: lattice neighbours (even)
  double p = 0.0;  // small_world: rewiring probability; fixed_probability: connection probability
  bool symmetric = true;     // small_world: each undirected edge gives a synapse each way
  bool autapses = false;     // all but small_world, one_to_one: allow i -> i when source == target
  bool multapses = true;     // fixed_indegree/outdegree/total_number: allow repeated pairs
  std::uint64_t number = 0;  // fixed_indegree: indegree; fixed_outdegree: outdegree;
                             // fixed_total_number: n
  std::string synapse = "delta";  // delta, exp_current, alpha_current, exp_conductance, ...
  double tau_syn = 0.0;           // [ms] all but delta
  double e_rev = 0.0;             // [mV] conductance synapses
  ParamValue weight = ParamValue::constant(0.0);  // [mV] delta, [pA] current, [nS] conductance
  ParamValue delay = ParamValue::constant(1.0);   // [ms], >= dt
  std::optional<StdpParams> plasticity;
};

// [input.NAME] type = "poisson": every neuron of `target` receives its own Poisson spike train
// of `rate`, each spike of `weight` into the receptor port of (synapse, tau_syn, E_rev), in
// the steps [first_step, last_step). Drawn on the target's rank from Philox keyed by
// (seed, input, neuron, step): nothing travels between ranks.
struct PoissonInputConfig {
  std::string name;
  std::string target;
  double rate = 0.0;              // [Hz] per neuron (N pooled sources of r: N * r)
  double weight = 0.0;            // [mV] delta, [pA] current, [nS] conductance
  std::string synapse = "delta";  // as in a projection
  double tau_syn = 0.0;           // [ms]
  double e_rev = 0.0;             // [mV]
  Step first_step = 0;
  Step last_step = 0;
};

struct TraceConfig {
  std::string population;
  std::vector<std::string> variables;  // e.g. "V_m"
  bool all_neurons = false;
  std::vector<std::uint32_t> neurons;  // population-local ids, sorted, unique
  double interval = 1.0;               // [ms], a whole multiple of dt
};

// Weight recording of one plastic projection ([output.weights.NAME]); every plastic projection
// is recorded, with these defaults when it has no section.
struct WeightOutputConfig {
  std::string projection;
  double snapshot_interval = 0.0;  // [ms] full (source, target, weight) snapshots; 0 = start, end
  double stats_interval = 100.0;   // [ms] mean, SD, min, max, histogram
  int bins = 20;                   // histogram bins over [w_min, w_max]
  // false: statistics only; no per-synapse snapshots, and no per-synapse header (column,
  // source, target, delay: 32 B a synapse) or recording index (16 B) in memory.
  bool snapshots = true;
};

struct OutputConfig {
  std::string file = "myelin.h5";
  bool spikes = true;
  std::vector<TraceConfig> traces;
  std::vector<WeightOutputConfig> weights;  // one per plastic projection, config order
  double flush_interval = 100.0;            // [ms] of simulated time between collective flushes
  // [s] of wall time since the last flush before a periodic flush happens (0: at every
  // interval). Runs without traces only: trace buffers hold one interval.
  double flush_min_wall = 1.0;
};

enum class PartitionMethod { contiguous, round_robin, balanced };

struct PartitionConfig {
  PartitionMethod method = PartitionMethod::contiguous;
};

// [sweep]: a grid over config keys times a number of seeds (`myelin sweep`; `myelin run`
// ignores it). Keys are the dotted keys of --set; values are numbers.
struct SweepConfig {
  std::vector<std::pair<std::string, std::vector<double>>> vary;  // sorted by key
  int seeds = 1;
  int ranks_per_run = 1;
};

struct Config {
  std::string text;                    // the config file as given
  std::vector<std::string> overrides;  // the --set KEY=VALUE arguments, in order
  SimulationConfig simulation;
  std::vector<PopulationConfig> populations;       // sorted by name: this fixes the gid layout
  std::vector<ProjectionConfig> projections;       // sorted by name
  std::vector<PoissonInputConfig> poisson_inputs;  // sorted by name ([input.NAME], dc in
                                                   // PopulationConfig::dc)
  OutputConfig output;
  PartitionConfig partition;
  double progress_interval = 1.0;  // [s] of wall time between progress lines
  SweepConfig sweep;

  const PopulationConfig* find_population(const std::string& name) const;
};

}  // namespace myelin
