// Checkpoint export and import of a Simulation: the dynamic state in an order that does not
// depend on the split (README "Checkpoints" has the file layout).
//
//   neurons/<population>/<variable>   [population size]    by population-local index
//   ring/<population>                 [size x ports x slots] input waiting in the ring buffer,
//                                     element ((i * ports) + port) * slots + k arrives at step
//                                     T + k
//   plasticity/<projection>/<field>   [synapses]           by canonical column (as /weights)
//   plasticity/history/{first,count}  [neurons]            by gid: unread postsynaptic spikes
//   plasticity/history/{steps,consumed}                    those spikes, gid after gid
//   plasticity/in_flight/{step,gid}   spikes of [T - max delay, T), in delivery order
//
// Only dynamic state is stored: the network is rebuilt from the config the checkpoint carries
// (construction is the same for every split), and counter-based noise and Poisson draws (keyed
// by seed, gid and step) carry no state.

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <tuple>
#include <variant>

#include "config/config_hash.hpp"
#include "myelin/errors.hpp"
#include "myelin/version.hpp"
#include "sim/simulation.hpp"
#include "sim/state_store.hpp"

namespace myelin {

namespace {

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? "" : "\n") + lines[i];
  return out;
}

// This rank's neurons of population p as runs of population-local indices, each neuron's
// block `block` elements long.
std::vector<ElementRun> neuron_runs(const LocalNetwork& network, std::size_t p,
                                    std::uint64_t block) {
  std::vector<ElementRun> runs;
  const Gid first = network.populations[p].first;
  for (const Gid g : network.local_gids[p]) add_run(runs, (g - first) * block, block);
  return runs;
}

struct PlasticRef {
  std::uint64_t column;
  std::size_t thread;
  std::size_t index;
};

// This rank's synapses of plastic projection r, by canonical column.
std::vector<PlasticRef> plastic_synapses(const LocalNetwork& network, std::size_t r) {
  std::vector<PlasticRef> out;
  for (std::size_t t = 0; t < network.thread_plastic.size(); ++t) {
    const ThreadPlasticSynapses& s = network.thread_plastic[t];
    for (std::size_t j = 0; j < s.size(); ++j)
      if (s.synapse[j].rule == r) out.push_back({s.column[j], t, j});
  }
  std::sort(out.begin(), out.end(),
            [](const PlasticRef& a, const PlasticRef& b) { return a.column < b.column; });
  return out;
}

struct PostRef {
  Gid gid;
  std::size_t thread;
  std::size_t index;
};

std::vector<PostRef> post_neurons(const LocalNetwork& network) {
  std::vector<PostRef> out;
  for (std::size_t t = 0; t < network.thread_plastic.size(); ++t) {
    const auto& gids = network.thread_plastic[t].post_gid;
    for (std::size_t k = 0; k < gids.size(); ++k) out.push_back({gids[k], t, k});
  }
  std::sort(out.begin(), out.end(),
            [](const PostRef& a, const PostRef& b) { return a.gid < b.gid; });
  return out;
}

std::vector<ElementRun> single_runs(const std::vector<std::uint64_t>& indices) {
  std::vector<ElementRun> runs;
  for (const std::uint64_t i : indices) add_run(runs, i, 1);
  return runs;
}

// Offsets of each gid's entries in a flat array ordered by gid, from every rank's counts.
std::vector<std::uint64_t> flat_offsets(const std::vector<PostRef>& posts,
                                        const std::vector<std::uint64_t>& my_counts, Gid n_global,
                                        Communicator& comm) {
  std::vector<std::uint64_t> counts(n_global, 0);
  for (std::size_t i = 0; i < posts.size(); ++i) counts[posts[i].gid] = my_counts[i];
  counts = comm.sum_each(std::move(counts));
  std::vector<std::uint64_t> offsets(static_cast<std::size_t>(n_global) + 1, 0);
  for (Gid g = 0; g < n_global; ++g) offsets[g + 1] = offsets[g] + counts[g];
  return offsets;
}

template <typename T>
std::span<const T> as_const(const std::vector<T>& v) {
  return {v.data(), v.size()};
}

}  // namespace

void Simulation::write_checkpoint(Step end) {
  const auto start = std::chrono::steady_clock::now();
  const LocalNetwork& net = network_;
  if (!checkpoints_.open_writer)
    throw std::logic_error("Simulation::write_checkpoint: the plan has no open_writer");
  const std::unique_ptr<StateWriter> writer = checkpoints_.open_writer(checkpoints_.path);
  StateWriter& out = *writer;
  out.attribute("format", std::string_view("myelin-checkpoint"));
  out.attribute("format_version", checkpoint_format_version);
  out.attribute("myelin_version", std::string_view(version_string));
  out.attribute("git_sha", std::string_view(git_sha));
  out.attribute("config_text", std::string_view(config_.text));
  out.attribute("config_overrides", std::string_view(join_lines(config_.overrides)));
  out.attribute("config_hash",
                std::string_view(config_hash(config_.text, config_.overrides, version_string)));
  out.attribute("result_file", std::string_view(checkpoints_.result_file));
  out.attribute("step", static_cast<std::uint64_t>(end));
  out.attribute("t_ms", static_cast<double>(end) * config_.simulation.dt);
  out.attribute("t_stop", config_.simulation.t_stop);
  out.attribute("dt", config_.simulation.dt);
  out.attribute("n_neurons", static_cast<std::uint64_t>(net.n_global));
  out.attribute("ring_slots", static_cast<std::uint64_t>(ring_.slots()));
  out.attribute("ranks", static_cast<std::uint64_t>(comm_.size()));
  out.attribute("threads", static_cast<std::uint64_t>(threads_));

  // Neurons.
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    const PopulationLayout& layout = net.populations[p];
    const auto runs = neuron_runs(net, p, 1);
    for (const StateArray& a : std::visit([](auto& pop) { return pop.state(); }, populations_[p])) {
      const std::string name = "neurons/" + layout.name + "/" + a.name;
      if (a.is_counter)
        out.write(name, layout.size, runs, std::span<const std::uint64_t>(a.counter));
      else
        out.write(name, layout.size, runs, std::span<const double>(a.real));
    }
  }

  // Ring buffer: what arrives at T, T + 1, ... for each neuron and port.
  const auto slots = static_cast<std::uint64_t>(ring_.slots());
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    const std::uint64_t ports = net.ports[p].size();
    const std::size_t n_local = net.local_gids[p].size();
    std::vector<double> data;
    data.reserve(n_local * ports * slots);
    for (std::size_t i = 0; i < n_local; ++i)
      for (std::uint64_t q = 0; q < ports; ++q)
        for (std::uint64_t k = 0; k < slots; ++k)
          data.push_back(
              ring_.slot(end + static_cast<Step>(k))[net.channel_offset[p] + q * n_local + i]);
    out.write("ring/" + net.populations[p].name, net.populations[p].size * ports * slots,
              neuron_runs(net, p, ports * slots), as_const(data));
  }

  // Plastic synapses, their targets' spike histories, and the spikes still travelling to them.
  if (!net.plastic.empty()) {
    for (std::size_t r = 0; r < net.plastic.size(); ++r) {
      const auto refs = plastic_synapses(net, r);
      std::vector<std::uint64_t> columns, next_post;
      std::vector<double> weight, x;
      std::vector<std::int64_t> last_arrival;
      for (const PlasticRef& s : refs) {
        const ThreadPlasticity& plastic = plasticity_[s.thread];
        columns.push_back(s.column);
        weight.push_back(plastic.weight(s.index));
        x.push_back(plastic.trace_x(s.index));
        last_arrival.push_back(plastic.trace_last(s.index));
        next_post.push_back(plastic.next_post(s.index));
      }
      const auto runs = single_runs(columns);
      const std::string base = "plasticity/" + net.plastic[r].name + "/";
      const std::uint64_t n = net.plastic[r].n_synapses;
      out.write(base + "weight", n, runs, as_const(weight));
      out.write(base + "x", n, runs, as_const(x));
      out.write(base + "last_arrival", n, runs, as_const(last_arrival));
      out.write(base + "next_post", n, runs, as_const(next_post));
    }
    const auto posts = post_neurons(net);
    std::vector<std::uint64_t> gids, first, count, consumed;
    std::vector<std::int64_t> steps;
    for (const PostRef& post : posts) {
      const PostHistory& h = plasticity_[post.thread].histories()[post.index];
      gids.push_back(post.gid);
      first.push_back(h.first());
      count.push_back(h.size());
    }
    const auto offsets = flat_offsets(posts, count, net.n_global, comm_);
    const std::uint64_t kernels = net.plastic.size();  // postsynaptic traces per spike
    std::vector<ElementRun> flat, flat_y;
    std::vector<double> y;
    for (std::size_t i = 0; i < posts.size(); ++i) {
      const PostHistory& h = plasticity_[posts[i].thread].histories()[posts[i].index];
      add_run(flat, offsets[posts[i].gid], h.size());
      add_run(flat_y, offsets[posts[i].gid] * kernels, h.size() * kernels);
      for (std::size_t k = 0; k < h.size(); ++k) {
        steps.push_back(h.step(k));
        consumed.push_back(h.readers(k));
        for (std::uint64_t r = 0; r < kernels; ++r) y.push_back(h.y(k, r));
      }
    }
    const auto by_gid = single_runs(gids);
    out.write("plasticity/history/first", net.n_global, by_gid, as_const(first));
    out.write("plasticity/history/count", net.n_global, by_gid, as_const(count));
    out.write("plasticity/history/steps", offsets.back(), flat, as_const(steps));
    out.write("plasticity/history/consumed", offsets.back(), flat, as_const(consumed));
    out.write("plasticity/history/y", offsets.back() * kernels, flat_y, as_const(y));

    std::vector<std::int64_t> in_flight_step;
    std::vector<std::uint64_t> in_flight_gid;
    for (const Spike& s : recent_)
      if (s.step >= end - net.max_delay) {
        in_flight_step.push_back(s.step);
        in_flight_gid.push_back(s.gid);
      }
    const std::uint64_t n = in_flight_step.size();  // the same list on every rank
    std::vector<ElementRun> all;
    if (comm_.rank() == 0) add_run(all, 0, n);
    const std::size_t mine = comm_.rank() == 0 ? n : 0;
    out.write("plasticity/in_flight/step", n, all,
              std::span<const std::int64_t>(in_flight_step.data(), mine));
    out.write("plasticity/in_flight/gid", n, all,
              std::span<const std::uint64_t>(in_flight_gid.data(), mine));
  }

  CheckpointWritten written;
  written.path = checkpoints_.path;
  written.t_ms = static_cast<double>(end) * config_.simulation.dt;
  written.bytes = out.commit();
  written.seconds =
      comm_.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (checkpoints_.on_written) checkpoints_.on_written(written);
}

void Simulation::restore(StateReader& in) {
  const LocalNetwork& net = network_;
  const auto refuse = [&](const std::string& reason) {
    return input_error("checkpoint", in.path(), reason);
  };
  if (in.uint_attribute("n_neurons") != net.n_global)
    throw refuse("made for " + std::to_string(in.uint_attribute("n_neurons")) +
                 " neurons, this network has " + std::to_string(net.n_global));
  if (in.uint_attribute("ring_slots") != static_cast<std::uint64_t>(ring_.slots()))
    throw refuse("its ring buffer has " + std::to_string(in.uint_attribute("ring_slots")) +
                 " slots, this network needs " + std::to_string(ring_.slots()));
  const auto step = static_cast<Step>(in.uint_attribute("step"));

  for (std::size_t p = 0; p < populations_.size(); ++p) {
    const PopulationLayout& layout = net.populations[p];
    const auto runs = neuron_runs(net, p, 1);
    for (const StateArray& a : std::visit([](auto& pop) { return pop.state(); }, populations_[p])) {
      const std::string name = "neurons/" + layout.name + "/" + a.name;
      if (a.is_counter)
        in.read(name, layout.size, runs, a.counter);
      else
        in.read(name, layout.size, runs, a.real);
    }
  }

  const auto slots = static_cast<std::uint64_t>(ring_.slots());
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    const std::uint64_t ports = net.ports[p].size();
    const std::size_t n_local = net.local_gids[p].size();
    std::vector<double> data(n_local * ports * slots);
    in.read("ring/" + net.populations[p].name, net.populations[p].size * ports * slots,
            neuron_runs(net, p, ports * slots), data);
    std::size_t at = 0;
    for (std::size_t i = 0; i < n_local; ++i)
      for (std::uint64_t q = 0; q < ports; ++q)
        for (std::uint64_t k = 0; k < slots; ++k)
          ring_.slot(step + static_cast<Step>(k))[net.channel_offset[p] + q * n_local + i] =
              data[at++];
  }
  // The restored inputs were written without notes: every slot is cleared densely once.
  for (TouchedChannels& touched : touched_) touched.mark_all_dense();

  if (!net.plastic.empty()) {
    for (std::size_t r = 0; r < net.plastic.size(); ++r) {
      const auto refs = plastic_synapses(net, r);
      std::vector<std::uint64_t> columns;
      for (const PlasticRef& s : refs) columns.push_back(s.column);
      const auto runs = single_runs(columns);
      const std::string base = "plasticity/" + net.plastic[r].name + "/";
      const std::uint64_t n = net.plastic[r].n_synapses;
      std::vector<double> weight(refs.size()), x(refs.size());
      std::vector<std::int64_t> last_arrival(refs.size());
      std::vector<std::uint64_t> next_post(refs.size());
      in.read(base + "weight", n, runs, weight);
      in.read(base + "x", n, runs, x);
      in.read(base + "last_arrival", n, runs, last_arrival);
      in.read(base + "next_post", n, runs, next_post);
      for (std::size_t i = 0; i < refs.size(); ++i) {
        ThreadPlasticity& plastic = plasticity_[refs[i].thread];
        plastic.weights()[refs[i].index] = weight[i];
        plastic.restore_synapse(refs[i].index, x[i], last_arrival[i],
                                static_cast<std::uint32_t>(next_post[i]));
      }
      // The synapses of one source, delay and rule share their presynaptic trace: a file that
      // gives them different ones is not a checkpoint of this network.
      double inconsistent = 0.0;
      for (std::size_t i = 0; i < refs.size(); ++i) {
        const ThreadPlasticity& plastic = plasticity_[refs[i].thread];
        if (plastic.trace_x(refs[i].index) != x[i] ||
            plastic.trace_last(refs[i].index) != last_arrival[i])
          inconsistent = 1.0;
      }
      if (comm_.max(inconsistent) > 0.0)
        throw refuse("the presynaptic traces of " + base +
                     " differ between synapses of one source and delay (a damaged file)");
    }
    const auto posts = post_neurons(net);
    std::vector<std::uint64_t> gids;
    for (const PostRef& post : posts) gids.push_back(post.gid);
    const auto by_gid = single_runs(gids);
    std::vector<std::uint64_t> first(posts.size()), count(posts.size());
    in.read("plasticity/history/first", net.n_global, by_gid, first);
    in.read("plasticity/history/count", net.n_global, by_gid, count);
    const auto offsets = flat_offsets(posts, count, net.n_global, comm_);
    const std::uint64_t kernels = net.plastic.size();
    std::vector<ElementRun> flat, flat_y;
    std::uint64_t mine = 0;
    for (std::size_t i = 0; i < posts.size(); ++i) {
      add_run(flat, offsets[posts[i].gid], count[i]);
      add_run(flat_y, offsets[posts[i].gid] * kernels, count[i] * kernels);
      mine += count[i];
    }
    std::vector<std::int64_t> steps(mine);
    std::vector<std::uint64_t> consumed(mine);
    std::vector<double> y(mine * kernels);
    in.read("plasticity/history/steps", offsets.back(), flat, steps);
    in.read("plasticity/history/consumed", offsets.back(), flat, consumed);
    in.read("plasticity/history/y", offsets.back() * kernels, flat_y, y);
    std::size_t at = 0;
    for (std::size_t i = 0; i < posts.size(); ++i) {
      const auto from = static_cast<std::ptrdiff_t>(at);
      const auto n_spikes = static_cast<std::ptrdiff_t>(count[i]);
      const auto n_kernels = static_cast<std::ptrdiff_t>(kernels);
      plasticity_[posts[i].thread].histories()[posts[i].index].restore(
          first[i], std::span(steps.begin() + from, steps.begin() + from + n_spikes),
          std::span(consumed.begin() + from, consumed.begin() + from + n_spikes),
          std::span(y.begin() + from * n_kernels, y.begin() + (from + n_spikes) * n_kernels));
      at += count[i];
    }

    const std::uint64_t n = in.size("plasticity/in_flight/step");
    const std::vector<ElementRun> all{{0, n}};
    std::vector<std::int64_t> spike_step(n);
    std::vector<std::uint64_t> spike_gid(n);
    in.read("plasticity/in_flight/step", n, n > 0 ? std::span(all) : std::span<ElementRun>(),
            spike_step);
    in.read("plasticity/in_flight/gid", n, n > 0 ? std::span(all) : std::span<ElementRun>(),
            spike_gid);
    recent_.clear();
    for (std::uint64_t i = 0; i < n; ++i)
      recent_.push_back({spike_step[i], static_cast<Gid>(spike_gid[i])});
    for (ThreadPlasticity& plastic : plasticity_) plastic.requeue(recent_, step);
  }
  start_step_ = step;
}

}  // namespace myelin
