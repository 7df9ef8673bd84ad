#pragma once

// What a run costs in memory, per item: the one place the pre-run estimate (app/resource_check)
// takes its constants from. They are lower bounds of the measured costs, so that the check never
// refuses a run that would fit; whoever changes a data structure below updates its line here.

#include <cstdint>

namespace myelin::memory_costs {

// A static synapse in steady state: target channel (4 B), weight (8 B), delay (4 B)
// (network/local_network.hpp ThreadSynapses).
inline constexpr std::uint64_t static_synapse = 16;
// A plastic synapse: the static fields plus rule, column, post index (ThreadPlasticSynapses)
// and the STDP state (48 B, README "STDP: the cost of plasticity").
inline constexpr std::uint64_t plastic_synapse = 16 + 16 + 48;
// The canonical (source, target, delay) entry of every plastic synapse of the network, which
// every rank keeps for the weight recording (PlasticProjection).
inline constexpr std::uint64_t plastic_synapse_header = 24;
// Building the network: every synapse that a rank generates, while it is generated and
// partitioned (measured 75-150 B per synapse, README "sw100k" and issue 12's table).
inline constexpr std::uint64_t synapse_while_building = 64;
// Synapses a rank generates while building: today every rank generates the whole network
// (DESIGN.md §7 moves this to each rank's own share; then this returns total / ranks).
inline constexpr std::uint64_t synapses_built_per_rank(std::uint64_t total, int /*ranks*/) {
  return total;
}
// One neuron's state and parameters (SoA arrays of the models: V_m, gates, noise, parameters).
inline constexpr std::uint64_t neuron_state = 128;
// Per neuron of the whole network, per thread: the CSR row offsets (8 B) of the static and the
// plastic synapses (ThreadSynapses::row_begin is sized by the global neuron count).
inline constexpr std::uint64_t row_offset = 8;
// One ring-buffer slot: one input channel for one step [double].
inline constexpr std::uint64_t ring_slot = 8;
// One recorded value (trace sample, weight snapshot entry) [double].
inline constexpr std::uint64_t recorded_value = 8;

}  // namespace myelin::memory_costs
