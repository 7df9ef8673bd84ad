#pragma once

// The state behind ResultFile, shared by the files that implement it (result_file.cpp: the
// file, spikes, traces, run information; result_file_weights.cpp: plastic weights). Private to
// src/io.

#include <mpi.h>  // MPI_Comm for HDF5's MPI-IO driver; the calls go through Communicator
#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/h5_handle.hpp"
#include "io/result_file.hpp"

namespace myelin {

// Arguments that differ from rank to rank are checked by each rank, then agreed: all ranks
// throw together rather than one throwing while the others wait in the next collective call.
inline void agree_arguments(Communicator& comm, bool ok_here, const char* call) {
  const int first = comm.first_failed_rank(!ok_here);
  if (first >= 0)
    throw std::invalid_argument(std::string("ResultFile::") + call + ": invalid arguments on " +
                                (ok_here ? "rank " + std::to_string(first) : "this rank"));
}

// Every column in [0, limit), strictly ascending: each belongs to one rank, none is written twice.
inline bool strictly_ascending_below(const std::vector<std::uint32_t>& columns, std::size_t limit) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] >= limit || (i > 0 && columns[i] <= columns[i - 1])) return false;
  return true;
}

// The rows of one group of datasets that grow together, as a killed run can trust them. HDF5
// writes the metadata of a flush (each dataset's extent, its chunk index) in an order of its own,
// so a kill during H5Fflush can leave one dataset of a group longer than another, or an extent
// whose last chunks are not indexed yet (they read as zeros). The group's attribute
// `intact_rows` therefore lags one flush behind: it says what the last *completed* flush wrote.
struct IntactRows {
  hsize_t durable = 0;   // rows on disk as of the last completed H5Fflush
  hsize_t recorded = 0;  // the value of the attribute (as HDF5 holds it, not yet on disk)
};

struct ResultFile::Impl {
  struct Spikes {
    H5Handle group;
    H5Handle node_ids;
    H5Handle timestamps;
    hsize_t rows = 0;
    IntactRows intact;
  };
  struct Traces {
    H5Handle group;
    std::vector<H5Handle> variables;
    H5Handle times;
    hsize_t rows = 0;
    IntactRows intact;
    hsize_t columns = 0;
    std::vector<std::uint32_t> my_columns;
  };

  Communicator* comm = nullptr;
  MPI_Comm native = MPI_COMM_NULL;  // for H5Pset_fapl_mpio only
  int rank = 0;
  std::string path;
  bool appending = false;  // opened by the AppendAt constructor: create_* open what exists
  // Members are destroyed bottom-up: datasets and groups close before the file, which the MPI-IO
  // driver requires.
  H5Handle file;
  H5Handle transfer;  // collective data transfer
  H5Handle meta;
  struct Weights {
    H5Handle group, stats_group;
    H5Handle times, weight, stats_times, mean, sd, min, max, histogram;
    hsize_t snapshots = 0;
    hsize_t stats = 0;
    IntactRows snapshots_intact, stats_intact;
    hsize_t columns = 0;
    std::uint32_t bins = 0;
    std::vector<std::uint32_t> my_columns;
  };
  std::vector<Spikes> spikes;
  std::vector<Traces> traces;
  std::vector<Weights> weights;

  // A write that fails on one rank must not make that rank skip a collective call the others
  // make: each append is attempted, its failure kept, and the ranks agree at the next flush.
  std::string write_failure;  // this rank's first failed write since the run began
  template <typename F>
  void attempt(F&& write) {
    try {
      write();
    } catch (const std::runtime_error& e) {
      if (write_failure.empty()) write_failure = e.what();
    }
  }
  // Collective: when a write failed on any rank, every rank throws IoError with the lowest
  // failing rank's message, `cannot write <path>: <OS reason>`.
  void agree_on_writes();

  // f(group, rows, intact) for every group of datasets that grow by rows together.
  template <typename F>
  void for_each_row_group(F&& f) {
    for (Spikes& s : spikes) f(s.group, s.rows, s.intact);
    for (Traces& t : traces) f(t.group, t.rows, t.intact);
    for (Weights& w : weights) {
      f(w.group, w.snapshots, w.snapshots_intact);
      f(w.stats_group, w.stats, w.stats_intact);
    }
  }
  // Sets every group's `intact_rows` attribute to what the last completed flush wrote (the
  // same values on every rank: the attribute writes are collective).
  void record_intact_rows();
  // Collective: extends the file on disk past HDF5's end of allocated space before a flush.
  // H5Fflush can write the superblock, which names that end, before the metadata just below it
  // reaches the disk (space allocated since the last flush, written only by this one): a kill in
  // between left a file shorter than its superblock says, which HDF5 refuses to open
  // ("truncated file: eof = 12528, stored_eof = 15296"; about 1 in 60 kills aimed at a flush, at
  // 2 ranks). A longer file opens. HDF5 cannot tell the end of allocated space under MPI-IO
  // (H5Fget_filesize needs an end of file that the driver leaves undefined after a write;
  // H5Fget_eoa wants a SWMR driver), so the file grows by end_of_file_reserve, a sparse hole,
  // and the flush's own truncate to that end trims it again whenever the end moved.
  static constexpr off_t end_of_file_reserve = off_t{1} << 20;
  off_t reserved_end = -1;  // rank 0: the size the last reservation gave the file
  void reserve_end_of_file();
  // Collective, after H5Fclose: rank 0 cuts what is left of the reserve (the file's own end is
  // the one its superblock names). Best effort: a file that keeps its reserve still opens.
  void release_end_of_file_reserve();
  // H5Fflush, after which every row appended so far is durable; collective, and throws IoError
  // (agree_on_writes) when a write failed on any rank.
  void sync();

  // InputError `--append = <path>: <reason>` (the file does not have the run's layout).
  [[noreturn]] void refuse_append(const std::string& reason) const;
  // Append mode's create_*: open the existing datasets, check them, continue at their rows.
  void open_spike_groups(const std::vector<std::string>& populations,
                         const std::vector<std::uint64_t>& sizes);
  std::size_t open_traces(const std::string& population, const std::vector<std::string>& variables,
                          const std::vector<std::uint64_t>& node_ids, double interval_ms,
                          const std::vector<std::uint32_t>& columns);
  std::size_t open_weights(const WeightRecording& header);

  void require_open(const char* call) const {
    if (!file.valid())
      throw std::logic_error(std::string("ResultFile::") + call + ": " + path +
                             " is already closed");
  }
};

}  // namespace myelin
