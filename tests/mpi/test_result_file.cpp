// The parallel HDF5 writer at 1, 2 and 4 ranks. Every rank writes its own slice of data that
// does not depend on the rank count, rank 0 reads the file back serially and checks every
// value: the file must be the same whatever the number of ranks.

#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <array>
#include <sstream>
#include <string>
#include <vector>

#include "comm/mpi_communicator.hpp"
#include "h5_read.hpp"
#include "io/result_file.hpp"
#include "myelin/errors.hpp"
#include "shared_path.hpp"

namespace myelin {
namespace {

using test::open_serial;
using test::read_attribute;
using test::read_dataset;
using test::read_string_attribute;
using test::shared_path;
using test::world_rank;
using test::world_size;

// ---- What the test writes: global data, sliced differently for every rank count. ----------

constexpr std::array<std::uint64_t, 2> population_sizes = {800, 200};
// Rows per append; 100003 crosses the 65536-row chunk boundary.
constexpr std::array<std::array<std::size_t, 5>, 2> spike_counts = {
    {{7, 0, 1, 100003, 13}, {0, 0, 5, 0, 2}}};
constexpr std::array<std::size_t, 4> trace_rows = {3, 0, 1, 10000};

std::uint64_t spike_id(std::size_t population, std::uint64_t row) {
  return row * 7919 % population_sizes[population];
}
double spike_time(std::uint64_t row) {
  return static_cast<double>(row) * 0.125;
}
double trace_value(std::size_t variable, std::size_t sample, std::size_t column, double shift) {
  return static_cast<double>(sample) * 100.0 + static_cast<double>(column) +
         0.25 * static_cast<double>(variable) + shift;
}

// Rank r's share [begin, end) of `n` rows in append `k`: uneven, often empty.
std::pair<std::size_t, std::size_t> slice(std::size_t n, int k, int rank, int size) {
  std::vector<std::size_t> weight(static_cast<std::size_t>(size));
  std::size_t total = 0;
  for (int r = 0; r < size; ++r) total += weight[static_cast<std::size_t>(r)] = (r + k) % 3;
  if (total == 0) return rank == size - 1 ? std::pair{std::size_t{0}, n} : std::pair{n, n};
  std::size_t before = 0;
  for (int r = 0; r < rank; ++r) before += weight[static_cast<std::size_t>(r)];
  const std::size_t mine = weight[static_cast<std::size_t>(rank)];
  return {n * before / total, n * (before + mine) / total};
}

struct TraceSpec {
  std::string population;
  std::vector<std::string> variables;
  std::vector<std::uint64_t> node_ids;
  double interval;
  double shift;
  int (*owner)(std::size_t column, int size);
};

std::vector<TraceSpec> trace_specs() {
  return {
      {"exc",
       {"V_m", "I_syn"},
       {2, 3, 5, 7, 11, 13, 17},
       0.5,
       0.0,
       [](std::size_t c, int size) {
         return static_cast<int>(c % static_cast<std::size_t>(size));
       }},
      // Irregular ownership: unions of runs of different lengths.
      {"inh",
       {"V_m"},
       {0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
       0.25,
       0.125,
       [](std::size_t c, int size) {
         return static_cast<int>(c * c / 3 % static_cast<std::size_t>(size));
       }},
      {"none", {"V_m"}, {}, 1.0, 0.0, [](std::size_t, int) { return 0; }},
  };
}

RunInfo run_info() {
  RunInfo info;
  // Longer than the 64 KiB an attribute may take in an object header, and not ASCII.
  info.config_text = "# réseau petit-monde\n[simulation]\ndt = 0.1\n" + std::string(70000, '#');
  info.overrides = {"simulation.seed=7", "population.exc.size=800"};
  info.seed = 9223372036854775813ULL;
  info.version = "0.3.1";
  info.git_sha = "0123abcd";
  info.ranks = 3;
  info.threads = 2;
  info.dt = 0.1;
  info.t_stop = 250.0;
  info.min_delay = 1.5;
  info.job_id = "4242";
  info.launcher = "srun";
  return info;
}

std::vector<ProjectionSummary> projections() {
  ProjectionSummary ring{"ring", 16000, 0.375, 4.5, 800, 64};
  ProjectionSummary feed{"feed", 12345, std::nullopt, std::nullopt, 0, 0};
  return {ring, feed};
}

PartitionSummary partition() {
  return {{400, 300, 300}, {9000, 8000, 7000}, 1234, 24000};
}

RunStats run_stats() {
  return {{"build", "update", "exchange"},
          {{0.5, 1.0, 0.25}, {0.75, 2.0, 0.125}, {0.625, 1.5, 0.375}},
          {10.5, 20.25, 30.0},
          100050,
          3.5,
          {0.01, 0.5, 0.02},
          {0.1, 0.2, 0.3},
          {800.0, 1600.0, 2400.0},
          4800.0,
          250,
          {0.0, 0.25, 0.5},
          300,
          "allgatherv",
          true,
          7};
}

void write_everything(ResultFile& file) {
  const int rank = world_rank(), size = world_size();
  file.write_run_info(run_info());
  file.write_network(projections(), partition());
  file.create_spike_groups({"exc", "inh"}, {population_sizes.begin(), population_sizes.end()});
  std::vector<std::size_t> handles;
  for (const TraceSpec& t : trace_specs()) {
    std::vector<std::uint32_t> mine;
    for (std::size_t c = 0; c < t.node_ids.size(); ++c)
      if (t.owner(c, size) == rank) mine.push_back(static_cast<std::uint32_t>(c));
    handles.push_back(file.create_traces(t.population, t.variables, t.node_ids, t.interval, mine));
  }

  std::array<std::uint64_t, 2> first_row = {0, 0};
  std::size_t first_sample = 0;
  for (int k = 0; k < 5; ++k) {
    for (std::size_t p = 0; p < 2; ++p) {
      const std::size_t n = spike_counts[p][static_cast<std::size_t>(k)];
      const auto [begin, end] = slice(n, k + static_cast<int>(p), rank, size);
      std::vector<std::uint64_t> ids;
      std::vector<double> times;
      for (std::size_t i = begin; i < end; ++i) {
        ids.push_back(spike_id(p, first_row[p] + i));
        times.push_back(spike_time(first_row[p] + i));
      }
      file.append_spikes(p, ids, times);
      first_row[p] += n;
    }
    if (k >= static_cast<int>(trace_rows.size())) continue;
    const std::size_t rows = trace_rows[static_cast<std::size_t>(k)];
    std::vector<double> times;
    for (std::size_t s = 0; s < rows; ++s)
      times.push_back(static_cast<double>(first_sample + s) * 0.5);
    const auto specs = trace_specs();
    for (std::size_t t = 0; t < specs.size(); ++t) {
      std::vector<std::vector<double>> values(specs[t].variables.size());
      for (std::size_t v = 0; v < values.size(); ++v)
        for (std::size_t s = 0; s < rows; ++s)
          for (std::size_t c = 0; c < specs[t].node_ids.size(); ++c)
            if (specs[t].owner(c, size) == rank)
              values[v].push_back(trace_value(v, first_sample + s, c, specs[t].shift));
      file.append_traces(handles[t], times, values);
    }
    first_sample += rows;
  }
  file.write_run_stats(run_stats());
}

// ---- Reading back (rank 0, serial HDF5). ----------------------------------------------------

void check_meta(hid_t f) {
  const RunInfo info = run_info();
  EXPECT_EQ(read_attribute<int>(f, "/meta", "complete", H5T_NATIVE_INT), 1);
  EXPECT_EQ(read_string_attribute(f, "/meta", "config"), info.config_text);
  EXPECT_EQ(read_string_attribute(f, "/meta", "overrides"),
            "simulation.seed=7\npopulation.exc.size=800");
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/meta", "seed", H5T_NATIVE_UINT64), info.seed);
  EXPECT_EQ(test::attribute_class(f, "/meta", "seed"), H5T_INTEGER);
  EXPECT_EQ(read_string_attribute(f, "/meta", "version"), "0.3.1");
  EXPECT_EQ(read_string_attribute(f, "/meta", "git_sha"), "0123abcd");
  EXPECT_EQ(read_attribute<int>(f, "/meta", "ranks", H5T_NATIVE_INT), 3);
  EXPECT_EQ(read_attribute<int>(f, "/meta", "threads", H5T_NATIVE_INT), 2);
  EXPECT_EQ(read_attribute<double>(f, "/meta", "dt", H5T_NATIVE_DOUBLE), 0.1);
  EXPECT_EQ(read_attribute<double>(f, "/meta", "t_stop", H5T_NATIVE_DOUBLE), 250.0);
  EXPECT_EQ(read_attribute<double>(f, "/meta", "min_delay", H5T_NATIVE_DOUBLE), 1.5);
  EXPECT_EQ(read_dataset<std::uint64_t>(f, "/meta/neurons_per_rank", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{400, 300, 300}));
  EXPECT_EQ(read_dataset<std::uint64_t>(f, "/meta/synapses_per_rank", H5T_NATIVE_UINT64),
            (std::vector<std::uint64_t>{9000, 8000, 7000}));
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/meta", "edge_cut", H5T_NATIVE_UINT64), 1234U);
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/meta", "total_synapses", H5T_NATIVE_UINT64), 24000U);
  EXPECT_EQ(test::shape(f, "/meta/phase_times"), (std::vector<hsize_t>{3, 3}));
  EXPECT_EQ(read_dataset<double>(f, "/meta/phase_times", H5T_NATIVE_DOUBLE),
            (std::vector<double>{0.5, 1.0, 0.25, 0.75, 2.0, 0.125, 0.625, 1.5, 0.375}));
  EXPECT_EQ(read_string_attribute(f, "/meta/phase_times", "phases"), "build,update,exchange");
  EXPECT_EQ(read_dataset<double>(f, "/meta/peak_rss_mb", H5T_NATIVE_DOUBLE),
            (std::vector<double>{10.5, 20.25, 30.0}));
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/meta", "total_spikes", H5T_NATIVE_UINT64), 100050U);
  EXPECT_EQ(read_attribute<double>(f, "/meta", "wall_time", H5T_NATIVE_DOUBLE), 3.5);
  EXPECT_EQ(read_dataset<double>(f, "/meta/exchange_wait_s", H5T_NATIVE_DOUBLE),
            (std::vector<double>{0.01, 0.5, 0.02}));
  EXPECT_EQ(read_dataset<double>(f, "/meta/exchange_transfer_s", H5T_NATIVE_DOUBLE),
            (std::vector<double>{0.1, 0.2, 0.3}));
  EXPECT_EQ(read_dataset<double>(f, "/meta/bytes_sent", H5T_NATIVE_DOUBLE),
            (std::vector<double>{800.0, 1600.0, 2400.0}));
  EXPECT_EQ(read_attribute<double>(f, "/meta", "bytes_per_epoch", H5T_NATIVE_DOUBLE), 4800.0);
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/meta", "epochs", H5T_NATIVE_UINT64), 250U);
  EXPECT_EQ(read_string_attribute(f, "/meta", "job_id"), "4242");
  EXPECT_EQ(read_string_attribute(f, "/meta", "launcher"), "srun");
}

void check_projections(hid_t f) {
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/projections/ring", "n_synapses", H5T_NATIVE_UINT64),
            16000U);
  EXPECT_EQ(read_attribute<double>(f, "/projections/ring", "clustering", H5T_NATIVE_DOUBLE), 0.375);
  EXPECT_EQ(read_attribute<double>(f, "/projections/ring", "mean_path_length", H5T_NATIVE_DOUBLE),
            4.5);
  EXPECT_EQ(read_attribute<std::uint32_t>(f, "/projections/ring", "clustering_vertices",
                                          H5T_NATIVE_UINT32),
            800U);
  EXPECT_EQ(read_attribute<std::uint32_t>(f, "/projections/ring", "path_length_sources",
                                          H5T_NATIVE_UINT32),
            64U);
  EXPECT_EQ(read_attribute<std::uint64_t>(f, "/projections/feed", "n_synapses", H5T_NATIVE_UINT64),
            12345U);
  for (const char* absent :
       {"clustering", "mean_path_length", "clustering_vertices", "path_length_sources"})
    EXPECT_FALSE(test::has_attribute(f, "/projections/feed", absent)) << absent;
}

void check_spikes(hid_t f) {
  for (std::size_t p = 0; p < 2; ++p) {
    const std::string group = p == 0 ? "/spikes/exc" : "/spikes/inh";
    EXPECT_EQ(read_string_attribute(f, group, "sorting"), "by_time");
    EXPECT_EQ(read_attribute<std::uint64_t>(f, group, "size", H5T_NATIVE_UINT64),
              population_sizes[p]);
    EXPECT_EQ(read_string_attribute(f, group + "/timestamps", "units"), "ms");
    for (const char* name : {"/node_ids", "/timestamps"}) {
      std::vector<hsize_t> max;
      test::shape(f, group + name, &max);
      EXPECT_EQ(max, (std::vector<hsize_t>{H5S_UNLIMITED})) << group << name;
      EXPECT_TRUE(test::chunked(f, group + name)) << group << name;
    }
    std::size_t total = 0;
    for (const std::size_t n : spike_counts[p]) total += n;
    const auto ids = read_dataset<std::uint64_t>(f, group + "/node_ids", H5T_NATIVE_UINT64);
    const auto times = read_dataset<double>(f, group + "/timestamps", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(ids.size(), total) << group;
    ASSERT_EQ(times.size(), total) << group;
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < total; ++i)
      wrong += ids[i] != spike_id(p, i) || times[i] != spike_time(i) ? 1 : 0;
    EXPECT_EQ(wrong, 0U) << group;
  }
}

void check_traces(hid_t f) {
  std::size_t samples = 0;
  for (const std::size_t n : trace_rows) samples += n;
  for (const TraceSpec& t : trace_specs()) {
    const std::string group = "/traces/" + t.population;
    EXPECT_EQ(read_attribute<double>(f, group, "interval", H5T_NATIVE_DOUBLE), t.interval);
    EXPECT_EQ(read_dataset<std::uint64_t>(f, group + "/node_ids", H5T_NATIVE_UINT64), t.node_ids);
    const auto times = read_dataset<double>(f, group + "/times", H5T_NATIVE_DOUBLE);
    ASSERT_EQ(times.size(), samples) << group;
    for (std::size_t s = 0; s < samples; ++s)
      EXPECT_EQ(times[s], static_cast<double>(s) * 0.5) << group << " sample " << s;
    EXPECT_EQ(read_string_attribute(f, group + "/times", "units"), "ms");
    const std::size_t columns = t.node_ids.size();
    for (std::size_t v = 0; v < t.variables.size(); ++v) {
      const std::string set = group + "/" + t.variables[v];
      std::vector<hsize_t> max;
      EXPECT_EQ(test::shape(f, set, &max), (std::vector<hsize_t>{samples, columns})) << set;
      EXPECT_EQ(max[0], H5S_UNLIMITED) << set;
      EXPECT_TRUE(test::chunked(f, set));
      EXPECT_EQ(read_string_attribute(f, set, "units"), t.variables[v] == "V_m" ? "mV" : "pA");
      const auto values = read_dataset<double>(f, set, H5T_NATIVE_DOUBLE);
      ASSERT_EQ(values.size(), samples * columns) << set;
      std::size_t wrong = 0;
      for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t c = 0; c < columns; ++c)
          wrong += values[s * columns + c] != trace_value(v, s, c, t.shift) ? 1 : 0;
      EXPECT_EQ(wrong, 0U) << set;
    }
  }
}

std::string format_number(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

void check_description(const std::string& path) {
  const std::string text = describe_result_file(path);
  const auto has = [&](const std::string& part) {
    EXPECT_NE(text.find(part), std::string::npos) << "missing '" << part << "' in\n" << text;
  };
  has(path + "\n");
  has("complete     yes");
  has("myelin 0.3.1 (git 0123abcd) on 3 rank(s) x 2 thread(s)");
  has("dt 0.1 ms, t_stop 250 ms, min delay 1.5 ms, seed 9223372036854775813");
  has("exc: 100024 spikes from 800 neurons, mean rate " + format_number(100024.0 / 800 / 0.25) +
      " Hz");
  has("inh: 7 spikes from 200 neurons, mean rate " + format_number(7.0 / 200 / 0.25) + " Hz");
  has("exc/V_m: 10004 samples x 7 neurons, every 0.5 ms, in mV");
  has("exc/I_syn: 10004 samples x 7 neurons");
  has("inh/V_m: 10004 samples x 10 neurons, every 0.25 ms");
  has("none/V_m: 10004 samples x 0 neurons");
  has("ring: 16000 synapses, clustering 0.375 (800 vertices), mean path length 4.5 (64 sources)");
  has("feed: 12345 synapses\n");
  has("build 0.75 s, update 2 s, exchange 0.375 s");
  has("100050 spikes, wall time 3.5 s, peak RSS 30 MB");
}

TEST(ResultFile, EveryRankSliceLandsInOrderAndReadsBackExactly) {
  const std::string path = shared_path("full");
  const test::RemovedAtExit remove_file(path);
  {
    MpiCommunicator world(MPI_COMM_WORLD);
    ResultFile file(path, world);
    write_everything(file);
    file.mark_complete();
    EXPECT_THROW(file.mark_complete(), std::logic_error);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) {
    {
      const H5Handle f = open_serial(path);
      for (const char* group : {"/meta", "/spikes", "/traces", "/projections"})
        EXPECT_TRUE(test::exists(f, group)) << group;
      check_meta(f);
      check_projections(f);
      check_spikes(f);
      check_traces(f);
    }
    check_description(path);
  }
  EXPECT_EQ(test::open_hdf5_objects(), 0);
  MPI_Barrier(MPI_COMM_WORLD);
}

}  // namespace
}  // namespace myelin
