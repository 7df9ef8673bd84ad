#include "app/sweep_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "myelin/errors.hpp"

namespace myelin {

namespace {

std::pair<std::string, std::vector<double>> parse_vary(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw input_error("--vary", text, "expected KEY=v1,v2,... with a dotted KEY");
  std::pair<std::string, std::vector<double>> out{text.substr(0, eq), {}};
  std::size_t start = eq + 1;
  while (true) {
    const auto comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() ||
        !std::isfinite(value))
      throw input_error("--vary " + out.first, item.empty() ? "\"\"" : item,
                        "not a number (values are comma-separated numbers)");
    out.second.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string shortest_text(double value) {
  return fmt::format("{}", value);
}

SweepPlan make_sweep_plan(const SweepConfig& section, const std::vector<std::string>& cli_vary,
                          std::optional<int> cli_seeds, std::optional<int> cli_ranks_per_run,
                          std::uint64_t base_seed) {
  auto vary = section.vary;
  for (const std::string& text : cli_vary) {
    auto parsed = parse_vary(text);
    auto same = std::find_if(vary.begin(), vary.end(),
                             [&](const auto& kv) { return kv.first == parsed.first; });
    if (same != vary.end())
      same->second = std::move(parsed.second);
    else
      vary.push_back(std::move(parsed));
  }
  for (const auto& [key, values] : vary) {
    if (key == "simulation.seed")
      throw input_error("--vary", key, "seeds are swept with --seeds (or sweep.seeds)");
    if (key.rfind("sweep.", 0) == 0) throw input_error("--vary", key, "cannot vary the sweep");
  }

  SweepPlan plan;
  plan.seeds = cli_seeds.value_or(section.seeds);
  if (plan.seeds < 1) throw input_error("--seeds", std::to_string(plan.seeds), "must be >= 1");
  plan.ranks_per_run = cli_ranks_per_run.value_or(section.ranks_per_run);
  if (plan.ranks_per_run < 1)
    throw input_error("--ranks-per-run", std::to_string(plan.ranks_per_run), "must be >= 1");
  for (const auto& kv : vary) plan.keys.push_back(kv.first);

  constexpr std::size_t max_runs = 1'000'000;
  std::size_t points = 1;
  std::size_t total = static_cast<std::size_t>(plan.seeds);
  for (const auto& kv : vary) {
    points *= kv.second.size();
    total *= kv.second.size();
    if (total > max_runs) break;  // checked below; stop before the product can overflow
  }
  if (total > max_runs)
    throw input_error("--vary", "more than " + std::to_string(max_runs) + " runs",
                      "the grid times the seeds is too large");
  for (std::size_t point = 0; point < points; ++point) {
    // Mixed-radix digits of `point`, the last key fastest.
    std::vector<double> values(vary.size());
    std::size_t rest = point;
    for (std::size_t k = vary.size(); k-- > 0;) {
      values[k] = vary[k].second[rest % vary[k].second.size()];
      rest /= vary[k].second.size();
    }
    for (int s = 0; s < plan.seeds; ++s) {
      SweepRun run;
      run.name = fmt::format("run_{:04d}", plan.runs.size());
      run.seed = base_seed + static_cast<std::uint64_t>(s);
      run.values = values;
      for (std::size_t k = 0; k < vary.size(); ++k)
        run.set.push_back(vary[k].first + "=" + shortest_text(values[k]));
      run.set.push_back("simulation.seed=" + std::to_string(run.seed));
      plan.runs.push_back(std::move(run));
    }
  }
  return plan;
}

}  // namespace myelin
