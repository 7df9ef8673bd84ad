#include <cstdint>
#include <stdexcept>
#include <string>

#include "io/h5_write.hpp"
#include "io/result_file.hpp"
#include "io/result_file_impl.hpp"

namespace myelin {

std::size_t ResultFile::create_weights(const WeightRecording& w) {
  Impl& f = *impl_;
  f.require_open("create_weights");
  const std::size_t n = w.n_columns;
  const std::size_t mine = w.my_columns.size();
  const bool ok = w.source.size() == mine && w.target.size() == mine && w.delay_ms.size() == mine &&
                  strictly_ascending_below(w.my_columns, n) && w.bins > 0;
  const std::vector<std::uint64_t> global = f.comm->sum_each({w.my_columns.size(), ok ? 0U : 1U});
  agree_arguments(*f.comm, global[1] == 0 && global[0] == n, "create_weights");
  if (f.appending) return f.open_weights(w);

  H5Handle all(H5Lexists(f.file, "weights", H5P_DEFAULT) > 0 ? open_group(f.file, "weights")
                                                             : create_group(f.file, "weights"));
  H5Handle g = create_group(all, w.projection);
  write_attribute(g, "intact_rows", std::uint64_t{0});
  write_attribute(g, "source_population", w.source_population);
  write_attribute(g, "target_population", w.target_population);
  write_attribute(g, "rule", w.rule);
  write_attribute(g, "pairing", w.pairing);
  for (const auto& [name, value] :
       {std::pair{"A_plus", w.A_plus}, std::pair{"A_minus", w.A_minus},
        std::pair{"tau_plus", w.tau_plus}, std::pair{"tau_minus", w.tau_minus},
        std::pair{"w_min", w.w_min}, std::pair{"w_max", w.w_max},
        std::pair{"dendritic_delay", w.dendritic_delay}})
    write_attribute(g, name, value);
  write_selected(g, "source", H5T_NATIVE_UINT64, n, w.my_columns, w.source.data(), f.transfer);
  write_selected(g, "target", H5T_NATIVE_UINT64, n, w.my_columns, w.target.data(), f.transfer);
  write_attribute(
      write_selected(g, "delay", H5T_NATIVE_DOUBLE, n, w.my_columns, w.delay_ms.data(), f.transfer),
      "units", "ms");
  Impl::Weights sets;
  sets.columns = n;
  sets.bins = w.bins;
  sets.my_columns = w.my_columns;
  sets.times = create_extendable(g, "times", H5T_NATIVE_DOUBLE, std::nullopt);
  write_attribute(sets.times, "units", "ms");
  sets.weight = create_extendable(g, "weight", H5T_NATIVE_DOUBLE, n);
  H5Handle st = create_group(g, "stats");
  write_attribute(st, "intact_rows", std::uint64_t{0});
  sets.stats_times = create_extendable(st, "times", H5T_NATIVE_DOUBLE, std::nullopt);
  write_attribute(sets.stats_times, "units", "ms");
  sets.mean = create_extendable(st, "mean", H5T_NATIVE_DOUBLE, std::nullopt);
  sets.sd = create_extendable(st, "sd", H5T_NATIVE_DOUBLE, std::nullopt);
  sets.min = create_extendable(st, "min", H5T_NATIVE_DOUBLE, std::nullopt);
  sets.max = create_extendable(st, "max", H5T_NATIVE_DOUBLE, std::nullopt);
  sets.histogram = create_extendable(st, "histogram", H5T_NATIVE_UINT64, w.bins);
  std::vector<double> edges;
  for (std::uint32_t b = 0; b <= w.bins; ++b)
    edges.push_back(w.w_min + (w.w_max - w.w_min) * static_cast<double>(b) / w.bins);
  write_replicated<double>(st, "bin_edges", edges, {edges.size()}, f.rank, f.transfer);
  sets.group = std::move(g);
  sets.stats_group = std::move(st);
  f.weights.push_back(std::move(sets));
  return f.weights.size() - 1;
}

void ResultFile::append_weights(std::size_t handle, const WeightRecording& w) {
  Impl& f = *impl_;
  f.require_open("append_weights");
  if (handle >= f.weights.size())
    throw std::out_of_range("ResultFile::append_weights: no weights handle " +
                            std::to_string(handle));
  Impl::Weights& sets = f.weights[handle];
  const auto snaps = static_cast<std::int64_t>(w.snapshot_times.size());
  const auto stats = static_cast<std::int64_t>(w.stats_times.size());
  const auto n_stats = static_cast<std::size_t>(stats);
  const bool ok = w.my_weights.size() == w.snapshot_times.size() * sets.my_columns.size() &&
                  w.mean.size() == n_stats && w.sd.size() == n_stats && w.min.size() == n_stats &&
                  w.max.size() == n_stats && w.histogram.size() == n_stats * sets.bins;
  // Every rank must append the same numbers of rows.
  const std::vector<std::int64_t> global =
      f.comm->max_each({snaps, -snaps, stats, -stats, ok ? 0 : 1});
  agree_arguments(*f.comm, global[4] == 0 && global[0] == -global[1] && global[2] == -global[3],
                  "append_weights");
  if (snaps > 0) {
    const auto rows = static_cast<hsize_t>(snaps);
    f.attempt([&] {
      append_rows(sets.times, H5T_NATIVE_DOUBLE, sets.snapshots, rows, 0, f.rank == 0 ? rows : 0,
                  w.snapshot_times.data(), f.transfer);
    });
    f.attempt([&] {
      append_columns(sets.weight, sets.snapshots, rows, sets.columns, sets.my_columns,
                     w.my_weights.data(), f.transfer);
    });
    sets.snapshots += rows;
  }
  if (stats > 0) {
    const auto rows = static_cast<hsize_t>(stats);
    const hsize_t mine = f.rank == 0 ? rows : 0;
    f.attempt([&] {
      append_rows(sets.stats_times, H5T_NATIVE_DOUBLE, sets.stats, rows, 0, mine,
                  w.stats_times.data(), f.transfer);
    });
    f.attempt([&] {
      append_rows(sets.mean, H5T_NATIVE_DOUBLE, sets.stats, rows, 0, mine, w.mean.data(),
                  f.transfer);
    });
    f.attempt([&] {
      append_rows(sets.sd, H5T_NATIVE_DOUBLE, sets.stats, rows, 0, mine, w.sd.data(), f.transfer);
    });
    f.attempt([&] {
      append_rows(sets.min, H5T_NATIVE_DOUBLE, sets.stats, rows, 0, mine, w.min.data(), f.transfer);
    });
    f.attempt([&] {
      append_rows(sets.max, H5T_NATIVE_DOUBLE, sets.stats, rows, 0, mine, w.max.data(), f.transfer);
    });
    f.attempt([&] {
      append_whole_rows(sets.histogram, H5T_NATIVE_UINT64, sets.stats, rows, sets.bins, mine,
                        w.histogram.data(), f.transfer);
    });
    sets.stats += rows;
  }
}

}  // namespace myelin
