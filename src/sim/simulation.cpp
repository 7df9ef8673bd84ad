// The epoch loop (DESIGN.md §3). D = min delay in steps; epoch e covers steps [T, T+D).
//
//   0. Invariant on entry: every input for steps [T, T+D) is already in the ring buffer,
//      because a spike arriving at s >= T left at s - d <= T - 1, in an earlier epoch.
//   1. Update (all threads, each its own neurons): per step read the ring slot, add noise from
//      Philox(seed; gid, step), advance the state, append spikes to the thread's buffer, note
//      the first non-finite or runaway value; then clear the slot: the entries the thread's
//      deliveries noted (TouchedChannels), or all its rows when too many were written.
//   2. Collect (master): merge the thread buffers, each already sorted by (step, gid).
//   3. Exchange (master): one Allgather of {count, health}, one Allgatherv of the spikes (one
//      rank: a copy). A failure or a stop request (signal) anywhere stops every rank after the
//      same epoch.
//   4. Order (master): merge the ranks' sorted lists by (step, gid): identical on every rank.
//   5. Deliver (all threads, each for the targets it owns): walk the sorted spikes through the
//      thread's CSR and add weights to ring[step + delay][target], noting the targets. No
//      atomics: a target belongs to one thread, and it receives its inputs in the same order
//      for every split.
//   6. Record (master): buffer spikes; every K epochs all ranks flush collectively, and the
//      file's metadata is flushed with the data, so a killed run leaves a readable file.
//
// Threads meet once per epoch (EpochHandoff): the master waits for the others' updates, the
// others wait for the master's part; nobody waits for anybody else. Delivery of epoch e and the
// update of epoch e+1 touch only the thread's own neurons, so they need no barrier.

#include "sim/simulation.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>

#include "comm/dry_run_exchange.hpp"
#include "core/memory.hpp"
#include "core/stop_request.hpp"
#include "model/parameter_info.hpp"
#include "myelin/errors.hpp"
#include "synapse/delivery.hpp"

namespace myelin {

namespace {

// Waits until `done(a)`: spins first, then sleeps in the kernel. With one-step epochs the
// wait is a few microseconds, far below a futex wake-up (tens of microseconds, per epoch), so
// sleeping at once would cost more than the work; spinning without end would take the core
// from a thread that needs it when the machine is shared. ~100 us of spinning covers the usual
// imbalance of a step.
template <class Done>
void spin_then_wait(const std::atomic<std::uint32_t>& a, Done done) {
  constexpr auto spin_budget = std::chrono::microseconds(100);
  const auto spin_start = std::chrono::steady_clock::now();
  for (unsigned i = 1;; ++i) {
    if (done(a.load(std::memory_order_acquire))) return;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (i % 64 == 0 && std::chrono::steady_clock::now() - spin_start > spin_budget) break;
  }
  for (std::uint32_t v = a.load(std::memory_order_acquire); !done(v);
       v = a.load(std::memory_order_acquire))
    a.wait(v, std::memory_order_acquire);
}

// The one meeting of an epoch, cheaper than two barriers: with one-step epochs the loop is
// mostly synchronisation. Counters only grow (mod 2^32, compared for equality), so no reset
// races with a late reader.
class EpochHandoff {
 public:
  explicit EpochHandoff(int threads) : workers_(static_cast<std::uint32_t>(threads - 1)) {}

  // Not the master: the update of this epoch is done (its spikes and health are written).
  void arrive() {
    arrived_.fetch_add(1, std::memory_order_release);
    arrived_.notify_one();
  }
  // Master: waits until every other thread has arrived for epoch number `generation` (1, 2..).
  void wait_for_workers(std::uint32_t generation) {
    const std::uint32_t target = workers_ * generation;
    spin_then_wait(arrived_, [&](std::uint32_t n) { return n == target; });
  }
  // Master: its part of epoch `generation` is done (the spikes to deliver, stop, checkpoint).
  void release(std::uint32_t generation) {
    released_.store(generation, std::memory_order_release);
    released_.notify_all();
  }
  void wait_for_master(std::uint32_t generation) {
    spin_then_wait(released_, [&](std::uint32_t g) { return g == generation; });
  }

 private:
  std::uint32_t workers_;
  alignas(64) std::atomic<std::uint32_t> arrived_{0};
  alignas(64) std::atomic<std::uint32_t> released_{0};
};

std::vector<StdpKernel> make_kernels(const LocalNetwork& network, double dt) {
  std::vector<StdpKernel> out;
  for (const PlasticProjection& p : network.plastic)
    out.push_back(StdpKernel::from(p.params, dt, p.dendritic_steps));
  return out;
}

std::vector<Population> make_populations(const Config& config, const LocalNetwork& network) {
  std::vector<Population> out;
  for (std::size_t p = 0; p < config.populations.size(); ++p) {
    const PopulationConfig& pop = config.populations[p];
    const ModelContext context{config.simulation.dt, config.simulation.seed,
                               config.simulation.v_bound, config.simulation.temperature,
                               network.ports[p]};
    const auto& gids = network.local_gids[p];
    const Gid first = network.populations[p].first;
    bool made = false;
    Models::for_each([&]<class Model>() {
      if (made || Model::info().name != pop.model) return;
      out.emplace_back(std::in_place_type<Model>, pop, gids, first, context);
      made = true;
    });
    if (!made) throw std::logic_error("no population type for model " + pop.model);
  }
  return out;
}

std::unique_ptr<SpikeExchange> make_exchange(const Config& config, const LocalNetwork& network,
                                             Communicator& comm) {
  const ExchangeAlgorithm algorithm = config.simulation.exchange == "alltoallv"
                                          ? ExchangeAlgorithm::alltoallv
                                          : ExchangeAlgorithm::allgatherv;
  if (network.dry_run) {
    const DryRunShape shape{network.n_ranks, network.n_global / static_cast<Gid>(network.n_ranks),
                            network.n_global};
    return make_dry_run_exchange(algorithm, shape,
                                 algorithm == ExchangeAlgorithm::alltoallv
                                     ? mirrored_destination_table(network.sources.gids(), shape)
                                     : DestinationTable{});
  }
  DestinationTable table;
  if (algorithm == ExchangeAlgorithm::alltoallv)
    table = build_destination_table(
        network.sources.gids(), [&](Gid g) { return network.partition_map.rank_of(g); }, comm);
  return make_spike_exchange(algorithm, comm, std::move(table));
}

}  // namespace

int default_thread_count() {
  return std::max(1, omp_get_max_threads());
}

Simulation::Simulation(const Config& config, Communicator& comm, int threads, int dry_run_ranks)
    : build_start_(PhaseTimes::Clock::now()),
      config_(config),
      comm_(comm),
      threads_(threads),
      network_(build_local_network(config, comm, threads, dry_run_ranks)),
      exchange_(make_exchange(config, network_, comm)),
      overlap_(config.simulation.overlap && network_.min_delay >= 2),
      populations_(make_populations(config, network_)),
      inputs_(make_external_inputs(config, network_.local_gids)),
      ring_(network_.n_channels, network_.max_delay + network_.min_delay),
      stdp_kernels_(make_kernels(network_, config.simulation.dt)),
      recorder_(config, network_, populations_),
      weight_recorder_(config, network_) {
  for (ThreadPlasticSynapses& synapses : network_.thread_plastic)
    plasticity_.emplace_back(synapses, network_.sources, stdp_kernels_, ring_.slots());
  // A slot listing more than an eighth of the thread's channels is cleared densely: a vector
  // store clears eight of them, a listed entry costs a scattered store and its note.
  for (const auto& ranges : network_.thread_ranges) {
    std::size_t channels = 0;
    for (std::size_t p = 0; p < ranges.size(); ++p)
      channels += network_.ports[p].size() * (ranges[p].end - ranges[p].begin);
    touched_.emplace_back(ring_.slots(), channels / 8);
  }
  times_.add(Phase::build, build_start_);
}

RunSummary Simulation::run(ResultSink& sink, const ProgressFn& progress) {
  const auto t0 = PhaseTimes::Clock::now();
  recorder_.start_at(start_step_);
  recorder_.open(sink);
  weight_recorder_.start_at(start_step_);
  weight_recorder_.open(sink);
  weight_recorder_.at_boundary(start_step_, false, plasticity_, comm_);
  times_.add(Phase::output, t0);

  run_epochs(sink, progress);
  const ExchangeCounters& counters = exchange_->counters();

  RunSummary summary;
  summary.spikes = comm_.sum(spikes_);
  summary.neurons = network_.n_global;
  summary.synapses = network_.partition.total_synapses;
  summary.synaptic_events = comm_.sum(local_events_);
  summary.simulated_ms = config_.simulation.t_stop;
  summary.loop_seconds = comm_.max(loop_seconds_);
  summary.checkpoint_seconds = comm_.max(checkpoint_seconds_);
  summary.epochs = counters.epochs;
  summary.bytes_exchanged = counters.bytes_received;
  for (std::size_t ph = 0; ph < phase_names.size(); ++ph) {
    const auto all = comm_.allgather(times_.all()[ph]);
    summary.phase_times.resize(all.size(), std::vector<double>(phase_names.size(), 0.0));
    for (std::size_t r = 0; r < all.size(); ++r) summary.phase_times[r][ph] = all[r];
  }
  summary.peak_rss_mb = comm_.allgather(peak_rss_mb());
  summary.exchange_wait_s = comm_.allgather(counters.wait_seconds);
  summary.exchange_transfer_s = comm_.allgather(counters.transfer_seconds);
  summary.bytes_sent = comm_.allgather(static_cast<double>(counters.bytes_sent));
  summary.exchange_hidden_s = comm_.allgather(counters.hidden_seconds);
  summary.dry_run_synthesis_s = counters.synthesis_seconds;
  summary.spikes_received = counters.spikes_received;
  summary.spikes_sent = comm_.sum(counters.spikes_sent);
  summary.exchange = exchange_->name();
  summary.overlap = overlap_;
  summary.epoch_steps = static_cast<std::uint64_t>(epoch_length());
  // Received per rank per epoch, mean over ranks and epochs.
  summary.bytes_per_epoch = counters.epochs == 0
                                ? 0.0
                                : static_cast<double>(comm_.sum(counters.bytes_received)) /
                                      static_cast<double>(counters.epochs) /
                                      static_cast<double>(comm_.size());

  RunStats stats;
  for (const auto name : phase_names) stats.phase_names.emplace_back(name);
  stats.phase_times = summary.phase_times;
  stats.peak_rss_mb = summary.peak_rss_mb;
  stats.total_spikes = summary.spikes;
  stats.wall_time = summary.loop_seconds;
  stats.exchange_wait_s = summary.exchange_wait_s;
  stats.exchange_transfer_s = summary.exchange_transfer_s;
  stats.bytes_sent = summary.bytes_sent;
  stats.bytes_per_epoch = summary.bytes_per_epoch;
  stats.epochs = summary.epochs;
  stats.exchange_hidden_s = summary.exchange_hidden_s;
  stats.spikes_sent = summary.spikes_sent;
  stats.exchange = summary.exchange;
  stats.overlap = summary.overlap;
  stats.epoch_steps = summary.epoch_steps;
  sink.write_run_stats(stats);
  sink.mark_complete();
  return summary;
}

void Simulation::run_epochs(ResultSink& sink, const ProgressFn& progress) {
  const double dt = config_.simulation.dt;
  const Step total_steps = std::llround(config_.simulation.t_stop / dt);
  const Step epoch_length = this->epoch_length();
  const auto flush_every = static_cast<Step>(std::max(
      1.0, std::round(config_.output.flush_interval / (dt * static_cast<double>(epoch_length)))));

  std::vector<std::vector<Spike>> thread_spikes(static_cast<std::size_t>(threads_));
  std::vector<Health> thread_health(static_cast<std::size_t>(threads_));
  std::vector<std::uint64_t> thread_events(static_cast<std::size_t>(threads_), 0);
  std::vector<Spike> local;
  std::vector<std::span<const Spike>> runs;
  EpochHandoff handoff(threads_);
  std::vector<Spike> global;  // the spikes to deliver after this epoch
  std::vector<Spike> tail;
  Health health;
  bool pending = false;  // an exchange started and not finished (overlap)
  bool stop = false;
  bool checkpoint_now = false;  // this epoch ends with a checkpoint (after delivery)
  std::exception_ptr failure;
  const auto loop_start = PhaseTimes::Clock::now();
  // The master's phases follow each other: each ends where the next starts.
  auto master_mark = loop_start;
  // A periodic flush waits until some rank's last one is flush_min_wall old: an fsync per
  // 100 ms of simulated time is most of the output cost of a fast run. Trace and weight buffers
  // are sized for one interval, so runs that record them flush at every interval.
  const double flush_min_wall = config_.output.traces.empty() && config_.output.weights.empty()
                                    ? config_.output.flush_min_wall
                                    : 0.0;
  auto last_flush = loop_start;
  // Poisson input writes every row it drives, unnoted: such slots are cleared densely.
  const bool any_external_input = std::any_of(inputs_.begin(), inputs_.end(),
                                              [](const ExternalInput& x) { return !x.empty(); });

#pragma omp parallel num_threads(threads_)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    // Every thread owns neurons, and the handoff waits for all of them: a smaller team (a
    // thread limit) would hang, so it ends the run at once (each thread sees the same size).
    const bool full_team = omp_get_num_threads() == threads_;
    if (!full_team && t == 0)
      failure = std::make_exception_ptr(std::runtime_error(
          "OpenMP gave " + std::to_string(omp_get_num_threads()) + " threads of the " +
          std::to_string(threads_) + " requested (OMP_THREAD_LIMIT?)"));
    Step epoch = start_step_ / epoch_length;
    std::uint32_t generation = 0;  // epochs of this run(), counted alike on every thread
    for (Step begin = start_step_; full_team && begin < total_steps;
         begin += epoch_length, ++epoch) {
      ++generation;
      const Step end = std::min(begin + epoch_length, total_steps);

      thread_spikes[t].clear();
      ThreadPlasticity& plastic = plasticity_[t];
      TouchedChannels& touched = touched_[t];
      for (Step step = begin; step < end; ++step) {
        std::span<double> slot = ring_.slot(step);
        if (!plastic.empty()) {
          plastic.process_step(step, slot);
          touched.mark_dense(step);
        }
        if (any_external_input) touched.mark_dense(step);
        // Sparse: the models only read the slot, and the entries the deliveries noted are
        // zeroed after the step; dense: each model clears its rows.
        const bool sparse_clear = !touched.dense(step);
        const std::size_t spikes_before = thread_spikes[t].size();
        for (std::size_t p = 0; p < populations_.size(); ++p) {
          const IndexRange range = network_.thread_ranges[t][p];
          const std::uint32_t offset = network_.population_offset[p];
          const std::size_t n_local = network_.local_gids[p].size();
          const std::size_t n_ports = network_.ports[p].size();
          const std::span<double> input =
              slot.subspan(network_.channel_offset[p], n_ports * n_local);
          Health& h = thread_health[t];
          const bool was_failed = h.failed;
          // Lets an overlapped exchange move on while the neurons advance (master only: MPI
          // is initialised for the funneled model).
          if (t == 0 && pending && p == 0) exchange_->progress();
          if (!inputs_[p].empty())
            inputs_[p].add(range.begin - offset, range.end - offset, step, input);
          const std::size_t begin_local = range.begin - offset, end_local = range.end - offset;
          std::visit(
              [&](auto& pop) {
                // Models that clear their own rows of the slot do it in their update's pass.
                if (sparse_clear) {
                  pop.update(begin_local, end_local, step, input, thread_spikes[t], h);
                } else if constexpr (requires {
                                       pop.update_and_clear(0, 0, step, input, thread_spikes[t], h);
                                     }) {
                  pop.update_and_clear(begin_local, end_local, step, input, thread_spikes[t], h);
                } else {
                  pop.update(begin_local, end_local, step, input, thread_spikes[t], h);
                  for (std::size_t q = 0; q < n_ports; ++q)
                    std::fill(
                        input.begin() + static_cast<std::ptrdiff_t>(q * n_local + begin_local),
                        input.begin() + static_cast<std::ptrdiff_t>(q * n_local + end_local), 0.0);
                }
              },
              populations_[p]);
          if (h.failed && !was_failed) h.population = static_cast<std::uint32_t>(p);
          recorder_.sample(static_cast<int>(t), p, step);
        }
        touched.clear(step, slot);
        if (!plastic.empty())
          plastic.record_post(std::span<const Spike>(thread_spikes[t]).subspan(spikes_before));
      }
      // Steps ascend, and within a step populations and their neurons come in gid order, so
      // the buffer is sorted by (step, gid); the check is linear and keeps the merge correct
      // whatever order a model emits its spikes in.
      for (Spike& s : thread_spikes[t]) s.offset = quantise_offset(s.offset);
      if (!std::is_sorted(thread_spikes[t].begin(), thread_spikes[t].end()))
        std::sort(thread_spikes[t].begin(), thread_spikes[t].end());

      if (t != 0) {
        handoff.arrive();
        handoff.wait_for_master(generation);
      } else {
        handoff.wait_for_workers(generation);
        checkpoint_now = false;
        try {
          auto phase_start = times_.add(Phase::update, master_mark);
          Health mine;
          runs.clear();
          for (std::size_t i = 0; i < thread_spikes.size(); ++i) {
            runs.emplace_back(thread_spikes[i]);
            mine.merge(thread_health[i]);
          }
          mine.stop_signal = pending_stop_signal();
          mine.flush_wanted =
              std::chrono::duration<double>(phase_start - last_flush).count() >= flush_min_wall;
          merge_sorted_spikes(runs, local);
          phase_start = times_.add(Phase::collect, phase_start);

          // Blocking: exchange this epoch now. Overlapped: finish the previous epoch's exchange
          // (its spikes arrive at least one epoch from now: epochs are <= D/2), start this one's;
          // the last epoch is finished at once so that nothing is left in flight.
          if (overlap_) {
            global.clear();
            health = Health{};
            if (pending) exchange_->finish(global, health);
            exchange_->start(local, begin, mine);
            pending = true;
            // A checkpoint needs every spike before `end` delivered: drain as the last epoch.
            if (end == total_steps || checkpoint_due(end, total_steps, health.stop_signal != 0)) {
              Health last_health;
              exchange_->finish(tail, last_health);
              pending = false;
              health.merge(last_health);
              global.insert(global.end(), tail.begin(), tail.end());
            }
          } else {
            exchange_->start(local, begin, mine);
            exchange_->finish(global, health);
          }
          phase_start = times_.add(Phase::exchange, phase_start);

          spikes_ += local.size();
          recorder_.add_spikes(local);
          // A request in the last epoch changes nothing: the run completes.
          const bool stopping = health.stop_signal != 0 && end < total_steps;
          const bool last = end == total_steps || stopping;
          checkpoint_now = !health.failed && checkpoint_due(end, total_steps, stopping);
          if (checkpoints_.enabled() && !network_.plastic.empty()) {
            recent_.insert(recent_.end(), global.begin(), global.end());
            std::erase_if(recent_,
                          [&](const Spike& s) { return s.step < end - network_.max_delay; });
          }
          if (!weight_recorder_.empty() && !health.failed)
            weight_recorder_.at_boundary(end, last, plasticity_, comm_);
          const bool periodic = (epoch + 1) % flush_every == 0 && health.flush_wanted;
          const bool flush = health.failed || last || checkpoint_now || periodic;
          if (flush) {
            recorder_.flush(sink, end - 1, comm_);
            weight_recorder_.flush(sink);
            // A checkpoint's continuation cuts the file back to it: the file must say at once
            // that everything before it is intact. A run that completes here is synced by
            // mark_complete right after the loop: a sync here too would be one more fsync.
            const bool completes = last && !stopping && !health.failed && !checkpoint_now;
            if (!completes) sink.flush(checkpoint_now);
          }
          master_mark = times_.add(Phase::output, phase_start);
          if (flush) last_flush = master_mark;
          if (health.failed || stopping) {
            stop = true;
            if (stopping) stopped_at_ = end;
          }
          if (progress) {
            // master_mark is the clock read that ended the output phase: no read of its own.
            progress(static_cast<double>(end) * dt, static_cast<double>(total_steps) * dt,
                     std::chrono::duration<double>(master_mark - loop_start).count());
          }
        } catch (...) {
          failure = std::current_exception();
          stop = true;
        }
        handoff.release(generation);
      }
      if (stop && !checkpoint_now) break;

      thread_events[t] +=
          deliver(global, network_.sources, network_.thread_synapses[t], ring_, &touched_[t]);
      if (!plastic.empty()) thread_events[t] += plastic.enqueue(global);
      if (t == 0) master_mark = times_.add(Phase::deliver, master_mark);
      if (checkpoint_now) {
#pragma omp barrier
#pragma omp master
        {
          try {
            const auto written_start = PhaseTimes::Clock::now();
            write_checkpoint(end);
            master_mark = PhaseTimes::Clock::now();  // the next update starts after the write
            checkpoint_seconds_ +=
                std::chrono::duration<double>(master_mark - written_start).count();
          } catch (...) {
            failure = std::current_exception();
            stop = true;
          }
        }
#pragma omp barrier
        if (stop) break;
      }
    }
  }
  // A run stopped early (agreed by every rank at the same epoch) still has one exchange in
  // flight when overlapped: complete it, so no collective is left open.
  if (pending && !failure) {
    Health ignored;
    exchange_->finish(tail, ignored);
  }
  // Checkpoint writes are not simulation: reported apart, so a run's real-time factor is the
  // same with and without them.
  loop_seconds_ = std::chrono::duration<double>(PhaseTimes::Clock::now() - loop_start).count() -
                  checkpoint_seconds_;
  for (const auto e : thread_events) local_events_ += e;
  if (failure) std::rethrow_exception(failure);
  if (health.failed) raise_blow_up(health);
  if (stopped_at_ != 0) {
    std::ostringstream msg;
    msg << "stopped by " << signal_name(health.stop_signal)
        << " at t = " << static_cast<double>(stopped_at_) * dt << " ms of "
        << config_.simulation.t_stop << " ms (everything up to then is in the file)";
    if (checkpoints_.enabled())
      msg << "; checkpoint at " << checkpoints_.path << " (continue with: myelin resume "
          << checkpoints_.path << ")";
    throw StopRequested(msg.str(), health.stop_signal);
  }
}

bool Simulation::checkpoint_due(Step end, Step total_steps, bool stopping) const {
  if (!checkpoints_.enabled()) return false;
  if (end == total_steps || stopping) return true;
  const Step every = checkpoints_.every;
  // The first boundary at or after each multiple of `every`: the previous epoch ended before it.
  return every > 0 && end / every != (end - std::min(end, epoch_length())) / every;
}

Step Simulation::epoch_length() const {
  // Any epoch no longer than the min delay is correct; overlap needs two epochs per delay.
  const Step d = network_.min_delay;
  return std::min(overlap_ ? d / 2 : d, max_epoch_steps);
}

void Simulation::raise_blow_up(const Health& health) const {
  const PopulationLayout& pop = network_.populations[health.population];
  const auto variables = recordable_variables(config_.populations[health.population].model);
  std::ostringstream msg;
  msg << "numerical blow-up: population " << pop.name << ", neuron " << (health.gid - pop.first)
      << " (gid " << health.gid
      << "), t = " << static_cast<double>(health.step + 1) * config_.simulation.dt << " ms, "
      << variables[health.variable] << " = " << health.value << " (bound |"
      << variables[health.variable] << "| <= " << config_.simulation.v_bound << ")";
  throw NumericalError(msg.str());
}

}  // namespace myelin
