#include "app/dry_run.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <new>

#include "app/command_setup.hpp"
#include "app/progress.hpp"
#include "myelin/errors.hpp"
#include "myelin/version.hpp"
#include "sim/memory_sink.hpp"
#include "sim/phase_times.hpp"
#include "sim/simulation.hpp"

namespace myelin {

namespace {

double phase(const RunSummary& s, Phase p) {
  return s.phase_times.at(0).at(static_cast<std::size_t>(p));
}

// Per epoch, in microseconds; the exchange without the dry run's own bookkeeping.
struct EpochCosts {
  double update, collect, exchange, deliver, exchange_side;
};

EpochCosts epoch_costs(const RunSummary& s) {
  const double e = s.epochs == 0 ? 1.0 : static_cast<double>(s.epochs);
  EpochCosts c{};
  c.update = phase(s, Phase::update) / e * 1e6;
  c.collect = phase(s, Phase::collect) / e * 1e6;
  c.exchange = (phase(s, Phase::exchange) - s.dry_run_synthesis_s) / e * 1e6;
  c.deliver = phase(s, Phase::deliver) / e * 1e6;
  c.exchange_side = c.collect + c.exchange + c.deliver;
  return c;
}

std::string report_json(const RunSummary& s, const LocalNetwork& net, int ranks, int threads) {
  const EpochCosts c = epoch_costs(s);
  const double e = s.epochs == 0 ? 1.0 : static_cast<double>(s.epochs);
  return fmt::format(
      "{{\"version\": \"{}\", \"git_sha\": \"{}\", \"dry_run_ranks\": {}, \"threads\": {}, "
      "\"neurons\": {}, \"share\": {}, \"local_synapses\": {}, \"sources_needed\": {}, "
      "\"exchange\": \"{}\", \"overlap\": {}, \"epochs\": {}, \"epoch_steps\": {}, "
      "\"simulated_ms\": {}, \"local_spikes\": {}, \"spikes_received_per_epoch\": {}, "
      "\"bytes_received_per_epoch\": {}, \"bytes_sent_per_epoch\": {}, "
      "\"spikes_sent_per_epoch\": {}, \"update_us_per_epoch\": {}, \"collect_us_per_epoch\": {}, "
      "\"exchange_us_per_epoch\": {}, \"deliver_us_per_epoch\": {}, "
      "\"exchange_side_us_per_epoch\": {}, \"synthesis_s\": {}, \"build_s\": {}, "
      "\"loop_s\": {}, \"peak_rss_mb\": {}}}",
      version_string, git_sha, ranks, threads, net.n_global, net.n_local,
      net.partition.synapses_per_rank.at(0), net.sources.gids().size(), s.exchange,
      s.overlap ? "true" : "false", s.epochs, s.epoch_steps, s.simulated_ms, s.spikes,
      static_cast<double>(s.spikes_received) / e, static_cast<double>(s.bytes_exchanged) / e,
      s.bytes_sent.at(0) / e, static_cast<double>(s.spikes_sent) / e, c.update, c.collect,
      c.exchange, c.deliver, c.exchange_side, s.dry_run_synthesis_s, phase(s, Phase::build),
      s.loop_seconds, s.peak_rss_mb.at(0));
}

std::string report_text(const RunSummary& s, const LocalNetwork& net, int ranks) {
  const EpochCosts c = epoch_costs(s);
  const double e = s.epochs == 0 ? 1.0 : static_cast<double>(s.epochs);
  std::string out = fmt::format(
      "myelin dry run: rank 0 of {} ranks, {} of {} neurons, {} synapses onto them, {} sources "
      "needed\n",
      ranks, net.n_local, net.n_global, net.partition.synapses_per_rank.at(0),
      net.sources.gids().size());
  out +=
      fmt::format("  run       {:.1f} ms, {} epochs of {} steps, exchange {}{}, {} local spikes\n",
                  s.simulated_ms, s.epochs, s.epoch_steps, s.exchange,
                  s.overlap ? " overlapped" : "", s.spikes);
  out += fmt::format(
      "  per epoch received {:.0f} spikes in {:.0f} B; sent {:.0f} spikes in {:.0f} B\n",
      static_cast<double>(s.spikes_received) / e, static_cast<double>(s.bytes_exchanged) / e,
      static_cast<double>(s.spikes_sent) / e, s.bytes_sent.at(0) / e);
  out += fmt::format(
      "  per epoch update {:.1f} us | collect {:.1f} us | exchange {:.1f} us (pack, unpack, "
      "merge; no wire) | deliver {:.1f} us\n",
      c.update, c.collect, c.exchange, c.deliver);
  out += fmt::format(
      "  (synthesising the other ranks' spikes took {:.3f} s, not counted; peak RSS {:.1f} MiB; no "
      "result file is written)\n",
      s.dry_run_synthesis_s, s.peak_rss_mb.at(0));
  return out;
}

// FNV-1a over this rank's spike rows, (u64 node id, f64 time) little endian, population by
// population in the file's order: a test compares it with the same rows of a real run's file.
std::uint64_t spikes_digest(const MemorySink& sink) {
  std::uint64_t h = 14695981039346656037ull;
  const auto mix = [&h](std::uint64_t word) {
    for (int b = 0; b < 8; ++b) {
      h ^= (word >> (8 * b)) & 0xFFu;
      h *= 1099511628211ull;
    }
  };
  for (const MemorySink::Spikes& p : sink.spikes())
    for (std::size_t i = 0; i < p.node_ids.size(); ++i) {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &p.timestamps_ms[i], sizeof bits);
      mix(p.node_ids[i]);
      mix(bits);
    }
  return h;
}

}  // namespace

ExitCode dry_run_command(const RunOptions& options, Communicator& comm) {
  const int ranks = options.dry_run_ranks;
  if (comm.size() != 1) {
    if (comm.rank() == 0)
      std::fprintf(stderr,
                   "myelin: error: --dry-run-ranks = %d: plays one rank of the job in one "
                   "process; start it without mpirun (here %d processes)\n",
                   ranks, comm.size());
    return ExitCode::bad_input;
  }
  if (options.checkpoints.every_ms || !options.checkpoints.path.empty()) {
    std::fprintf(stderr,
                 "myelin: error: --dry-run-ranks = %d: a dry run keeps no state to continue; "
                 "drop --checkpoint-every and --checkpoint\n",
                 ranks);
    return ExitCode::bad_input;
  }
  const auto config = load_and_check(options, comm);
  if (!config) return ExitCode::bad_input;
  const int threads = resolve_threads(options, *config);
  ProgressLine progress(!options.quiet, config->progress_interval);
  RunSummary summary;
  std::string text, json;
  try {
    Simulation sim(*config, comm, threads, ranks);
    MemorySink sink;
    summary = sim.run(sink, std::ref(progress));
    progress.finish();
    text = report_text(summary, sim.network(), ranks);
    json = report_json(summary, sim.network(), ranks, threads);
    json.insert(json.size() - 1,
                fmt::format(", \"spikes_digest\": \"{:016x}\"", spikes_digest(sink)));
  } catch (const std::bad_alloc&) {
    progress.finish();
    std::fprintf(stderr, "myelin: error: out of memory in the dry run of rank 0 of %d ranks\n",
                 ranks);
    return ExitCode::out_of_memory;
  } catch (const NumericalError& e) {
    progress.finish();
    std::fprintf(stderr, "myelin: error: %s\n", e.what());
    return ExitCode::numerical;
  } catch (const StopRequested& e) {
    progress.finish();
    std::fprintf(stderr, "myelin: error: %s\n", e.what());
    return ExitCode::stopped;
  }
  if (!options.quiet) std::fputs(text.c_str(), stdout);
  if (!options.summary_json.empty()) {
    std::ofstream out(options.summary_json);
    out << json << "\n";
    out.close();
    if (!out) {
      std::fprintf(stderr, "myelin: error: cannot write %s: %s\n", options.summary_json.c_str(),
                   std::strerror(errno));
      return ExitCode::io_error;
    }
  }
  return ExitCode::ok;
}

}  // namespace myelin
