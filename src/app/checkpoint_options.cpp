#include "app/checkpoint_options.hpp"

#include <cmath>
#include <cstdio>

#include "app/output_path.hpp"
#include "myelin/errors.hpp"

namespace myelin {

std::string default_checkpoint_path(const std::string& output) {
  const std::string stem = output.ends_with(".h5") ? output.substr(0, output.size() - 3) : output;
  return stem + ".ckpt.h5";
}

CheckpointSetup checkpoint_setup(const CheckpointOptions& options, const Config& config,
                                 bool enabled, const std::string& default_path,
                                 Communicator& comm) {
  CheckpointSetup setup;
  if (!enabled && !options.every_ms && options.path.empty()) return setup;
  if (options.every_ms) {
    const double every = *options.every_ms;
    if (!std::isfinite(every) || every <= 0.0)
      throw input_error("--checkpoint-every", std::to_string(every), "must be > 0 [ms]");
    setup.plan.every =
        std::max<Step>(1, static_cast<Step>(std::llround(every / config.simulation.dt)));
  }
  setup.plan.path = options.path.empty() ? default_path : options.path;
  if (setup.plan.path == config.output.file)
    throw input_error("--checkpoint", setup.plan.path, "must differ from the result file");
  const std::string tmp = setup.plan.path + ".tmp";
  const std::string problem =
      comm.broadcast(comm.rank() == 0 ? output_path_problem(tmp) : std::string(), 0);
  if (!problem.empty())
    throw input_error("--checkpoint", setup.plan.path, "cannot create (" + problem + ")");
  setup.plan.result_file = config.output.file;
  if (!options.quiet && comm.rank() == 0)
    setup.plan.on_written = [](const CheckpointWritten& w) {
      std::fprintf(stderr, "myelin: checkpoint at t = %g ms written to %s (%.3g MB, %.3g s)\n",
                   w.t_ms, w.path.c_str(), static_cast<double>(w.bytes) / 1e6, w.seconds);
    };
  return setup;
}

}  // namespace myelin
