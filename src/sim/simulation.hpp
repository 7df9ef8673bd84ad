#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "comm/communicator.hpp"
#include "comm/spike_exchange.hpp"
#include "config/config.hpp"
#include "model/population.hpp"
#include "network/local_network.hpp"
#include "plasticity/thread_plasticity.hpp"
#include "sim/checkpoint_plan.hpp"
#include "sim/phase_times.hpp"
#include "sim/recorder.hpp"
#include "sim/result_sink.hpp"
#include "sim/weight_recorder.hpp"
#include "synapse/external_input.hpp"
#include "synapse/ring_buffer.hpp"
#include "synapse/touched_channels.hpp"

namespace myelin {

// OMP_NUM_THREADS when set, else what the OpenMP runtime chooses.
int default_thread_count();

// What a finished run reports (identical on every rank after run()).
struct RunSummary {
  std::uint64_t spikes = 0;
  std::uint64_t neurons = 0;
  std::uint64_t synapses = 0;
  std::uint64_t synaptic_events = 0;
  double simulated_ms = 0.0;
  double loop_seconds =
      0.0;  // wall time of the epoch loop without checkpoint writes (slowest rank)
  double checkpoint_seconds = 0.0;               // writing checkpoints (slowest rank)
  std::vector<std::vector<double>> phase_times;  // [rank][phase] s
  std::vector<double> peak_rss_mb;               // [rank]
  std::uint64_t bytes_exchanged = 0;             // payload received by rank 0, over the run
  std::uint64_t epochs = 0;
  std::vector<double> exchange_wait_s;      // [rank] waiting for the slowest rank
  std::vector<double> exchange_transfer_s;  // [rank] in MPI_Allgatherv
  std::vector<double> bytes_sent;           // [rank] this rank's spikes over the run
  std::vector<double> exchange_hidden_s;    // [rank] exchange in flight while computing
  std::uint64_t spikes_sent = 0;            // spikes on the wire, once per destination rank
  std::string exchange;                     // algorithm
  bool overlap = false;                     // exchange overlapped with the next epoch
  std::uint64_t epoch_steps = 0;
  double bytes_per_epoch = 0.0;       // received by every rank, mean over epochs
  std::uint64_t spikes_received = 0;  // decoded by rank 0 over the run
  double dry_run_synthesis_s = 0.0;   // dry run: making the other ranks' spikes (not a cost)
};

// Progress callback, called on every rank after each epoch with (simulated ms, total ms,
// wall seconds since the loop started); main decides who prints and when.
using ProgressFn = std::function<void(double, double, double)>;

class Simulation {
 public:
  // Builds this rank's part of the network and the neuron state. dry_run_ranks = R > 0: this
  // one process is rank 0 of an R-rank job whose other ranks are images of it (comm has one
  // rank; see build_local_network and comm/dry_run_exchange.hpp).
  Simulation(const Config& config, Communicator& comm, int threads, int dry_run_ranks = 0);

  const LocalNetwork& network() const { return network_; }
  int threads() const { return threads_; }

  // Runs to t_stop, recording into `sink`, and marks it complete. Throws NumericalError
  // on every rank (same epoch, same message) when a state variable blows up; the sink then
  // keeps what was flushed and stays incomplete. A stop request (signal) on any rank ends the
  // run after the same epoch on every rank: the data is flushed and StopRequested thrown.
  RunSummary run(ResultSink& sink, const ProgressFn& progress);

  // Checkpoints during run() (sim/checkpoint_plan.hpp); set before run().
  void set_checkpoints(CheckpointPlan plan) { checkpoints_ = std::move(plan); }
  // Collective: replaces the initial state by the checkpoint's, so run() continues from its
  // step (sim/simulation_state.cpp). Throws InputError naming the file when it does not fit.
  void restore(StateReader& checkpoint);
  Step start_step() const { return start_step_; }

 private:
  void run_epochs(ResultSink& sink, const ProgressFn& progress);
  // Collective, master thread, at the end of epoch [.., end) with every spike before `end`
  // delivered (sim/simulation_state.cpp).
  void write_checkpoint(Step end);
  bool checkpoint_due(Step end, Step total_steps, bool stopping) const;
  [[noreturn]] void raise_blow_up(const Health& health) const;
  Step epoch_length() const;  // [steps]

  PhaseTimes::Clock::time_point build_start_;  // first member: the build phase starts here
  const Config& config_;
  Communicator& comm_;
  int threads_;
  LocalNetwork network_;
  std::unique_ptr<SpikeExchange> exchange_;
  bool overlap_ = false;
  std::vector<Population> populations_;
  std::vector<ExternalInput> inputs_;  // [population] Poisson drive, drawn where neurons live
  RingBuffer ring_;
  std::vector<TouchedChannels> touched_;      // [thread] the ring entries its deliveries wrote
  std::vector<StdpKernel> stdp_kernels_;      // [plastic projection]
  std::vector<ThreadPlasticity> plasticity_;  // [thread]
  Recorder recorder_;
  WeightRecorder weight_recorder_;
  PhaseTimes times_;
  std::uint64_t local_events_ = 0;
  std::uint64_t spikes_ = 0;
  double loop_seconds_ = 0.0;
  double checkpoint_seconds_ = 0.0;
  Step stopped_at_ = 0;  // end of the last epoch when the run stopped early
  CheckpointPlan checkpoints_;
  Step start_step_ = 0;        // 0, or the step of the checkpoint the run continues from
  std::vector<Spike> recent_;  // delivered spikes younger than the max delay (checkpoints of
                               // plastic networks: they rebuild the plastic queues)
};

}  // namespace myelin
