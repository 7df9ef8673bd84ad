#pragma once

// Buffers what the run records (spikes, state samples) between collective flushes, so memory
// stays bounded however long the simulated time.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "config/config.hpp"
#include "model/population.hpp"
#include "model/recordable_view.hpp"
#include "network/local_network.hpp"
#include "sim/result_sink.hpp"

namespace myelin {

class Recorder {
 public:
  // `populations` are the ones the simulation advances: each traced variable is resolved to
  // its arrays here, once (their storage lives as long as the populations).
  Recorder(const Config& config, const LocalNetwork& network,
           const std::vector<Population>& populations);

  // Creates the spike groups and trace datasets (collective).
  void open(ResultSink& sink);
  // A run resumed at `step` records from there on (before open).
  void start_at(Step step);

  // Thread side: after `thread` advanced population `population` through `step`, record the
  // samples due at that step for the neurons the thread owns. Threads write disjoint cells.
  void sample(int thread, std::size_t population, Step step);

  // Master side: this rank's spikes of the epoch (its own neurons only).
  void add_spikes(std::span<const Spike> spikes);

  // Collective: writes everything buffered since the last flush, up to and including step
  // `last_step`. Spikes stay sorted by time in the file without any rank holding them all: the
  // flush window is cut into one slice of steps per rank, every rank sends its spikes of slice r
  // to rank r (one Alltoallv per flush, each spike moves once), and rank r writes slice r, sorted
  // by (time, id), after the slices of the ranks before it.
  void flush(ResultSink& sink, Step last_step, Communicator& comm);

 private:
  struct Probe {
    std::uint32_t column;  // index into this rank's recorded columns
    std::uint32_t neuron;  // population-local index on this rank
  };
  struct Trace {
    std::size_t population = 0;
    std::size_t handle = 0;  // ResultSink::create_traces
    std::vector<std::string> variables;
    std::vector<RecordableView> views;        // [variable]
    std::vector<std::uint64_t> node_ids;      // every recorded neuron (population-local)
    std::vector<std::uint32_t> my_columns;    // indices into node_ids owned by this rank
    std::vector<std::vector<Probe>> probes;   // [thread]
    Step interval = 1;                        // [steps]
    Step next_row_step = 0;                   // first sampling step not yet flushed
    std::size_t rows = 0;                     // buffered samples
    std::vector<std::vector<double>> values;  // [variable][row * my_columns + column]
  };

  double dt_;
  bool record_spikes_;
  std::vector<PopulationLayout> populations_;
  std::vector<int> trace_of_population_;  // -1 when the population is not traced
  std::vector<Trace> traces_;
  std::vector<Spike> spikes_;  // this rank's, since the last flush
  Step flushed_until_ = 0;     // first step not yet flushed
};

}  // namespace myelin
