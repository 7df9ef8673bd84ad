#pragma once

// Walks a rank's static synapse tables the way delivery does (SourceIndex row, delay runs) and
// reports each synapse as (source gid, target gid, weight, delay in steps), for tests.

#include <cstdint>
#include <vector>

#include "network/local_network.hpp"

namespace myelin {

template <class Fn>
void for_each_static_synapse(const LocalNetwork& net, Fn&& fn) {
  std::vector<Gid> gid_of_channel(net.n_channels);
  for (std::size_t p = 0; p < net.populations.size(); ++p) {
    const std::size_t n = net.local_gids[p].size();
    for (std::size_t q = 0; q < net.ports[p].size(); ++q)
      for (std::size_t i = 0; i < n; ++i)
        gid_of_channel[net.channel_offset[p] + q * n + i] = net.local_gids[p][i];
  }
  for (const auto& ts : net.thread_synapses)
    for (Gid s = 0; s < net.n_global; ++s) {
      if (!net.sources.contains(s)) continue;
      const std::uint32_t row = net.sources.row(s);
      for (auto run = ts.row_run[row]; run < ts.row_run[row + 1]; ++run)
        for (auto j = run == 0 ? 0 : ts.run_end[run - 1]; j < ts.run_end[run]; ++j)
          fn(s, gid_of_channel[ts.target[j]], ts.weight[j], ts.run_delay[run]);
    }
}

}  // namespace myelin
