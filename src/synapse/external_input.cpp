#include "synapse/external_input.hpp"

#include "core/random.hpp"
#include "synapse/receptor_ports.hpp"

namespace myelin {

ExternalInput::ExternalInput(const Config& config, std::size_t population,
                             std::span<const Gid> gids)
    : gids_(gids.begin(), gids.end()), seed_(config.simulation.seed) {
  const ReceptorPorts ports = receptor_ports(config);
  for (std::size_t j = 0; j < config.poisson_inputs.size(); ++j) {
    const PoissonInputConfig& in = config.poisson_inputs[j];
    if (in.target != config.populations[population].name) continue;
    Source s;
    s.port = ports.of_poisson_input[j];
    s.hash = rng::name_hash(in.name);
    s.lambda = in.rate * config.simulation.dt * 1e-3;  // Hz * ms
    s.sampler = PoissonSampler(s.lambda);
    s.weight = in.weight;
    s.first = in.first_step;
    s.last = in.last_step;
    sources_.push_back(s);
  }
}

void ExternalInput::add(std::size_t begin, std::size_t end, Step step,
                        std::span<double> input) const {
  const std::size_t n = gids_.size();
  for (const Source& s : sources_) {
    if (step < s.first || step >= s.last) continue;
    double* row = input.data() + static_cast<std::size_t>(s.port) * n;
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint64_t k = s.sampler(seed_, s.hash, gids_[i], step);
      if (k != 0) row[i] += s.weight * static_cast<double>(k);
    }
  }
}

std::vector<ExternalInput> make_external_inputs(const Config& config,
                                                const std::vector<std::vector<Gid>>& local_gids) {
  std::vector<ExternalInput> out;
  for (std::size_t p = 0; p < config.populations.size(); ++p)
    out.emplace_back(config, p, local_gids[p]);
  return out;
}

}  // namespace myelin
