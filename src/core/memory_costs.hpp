#pragma once

// What a run costs in memory, per item: the one place the pre-run estimate (app/resource_check)
// takes its constants from. They are lower bounds of the measured costs, so that the check never
// refuses a run that would fit; whoever changes a data structure below updates its line here.

#include <cstdint>

namespace myelin::memory_costs {

// A static synapse in steady state: target channel (4 B) and weight (8 B); delays are stored
// per run of equal delay (network/local_network.hpp ThreadSynapses).
inline constexpr std::uint64_t static_synapse = 12;
// A plastic synapse: channel, delay and rule (8 B) and column (8 B) in ThreadPlasticSynapses,
// and the STDP state: weight (8 B), next postsynaptic spike and the index of its presynaptic
// trace (8 B; the trace itself is one per source, delay and rule: plasticity/stdp_kernel.hpp),
// 32 B in steady state. While the tables are built, a 24 B candidate per synapse and the
// initial weights (8 B) coexist with the 16 B of the table: the peak is 48 B.
inline constexpr std::uint64_t plastic_synapse = 16 + 32;
// Per plastic synapse of this rank whose weights are snapshotted: its column, source, target and
// delay for the weight recording (PlasticProjection; each rank holds only its own columns) and
// its place in the recorder's walk (thread, index: 16 B). None with snapshots = false.
inline constexpr std::uint64_t plastic_synapse_header = 32 + 16;
// Building the network: each rank generates only the synapses onto its own neurons; while the
// tables are filled a synapse also holds its delay (4 B) next to its 12 steady bytes (measured
// peak: 23-25 B per local synapse, everything included; README "Scale out").
inline constexpr std::uint64_t synapse_while_building = 16;
inline constexpr double synapses_built_per_rank(double total, int ranks) {
  return total / (ranks > 0 ? ranks : 1);
}
// The only per-rank structure sized by the whole network: one bit per neuron (SourceIndex).
inline constexpr double source_index_per_neuron = 1.0 / 8.0;
// One neuron's state and parameters (SoA arrays of the models: V_m, gates, noise, parameters).
inline constexpr std::uint64_t neuron_state = 128;
// One ring-buffer slot: one input channel for one step [double].
inline constexpr std::uint64_t ring_slot = 8;
// One recorded value (trace sample, weight snapshot entry) [double].
inline constexpr std::uint64_t recorded_value = 8;

}  // namespace myelin::memory_costs
