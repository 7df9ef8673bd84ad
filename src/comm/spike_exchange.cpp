// The exchange implementations: one rank (a copy, no collective), and MPI's allgatherv and
// alltoallv, each blocking or overlapped by the same state machine (headers, then payload).

#include "comm/spike_exchange.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <iterator>

#include "comm/mpi_communicator.hpp"
#include "comm/spike_wire.hpp"

namespace myelin {

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One rank: nothing to send, so the exchange is a copy. The counters are what the wire would
// have carried; the offsets are already quantised (the contract of start), so the copy is
// what a round trip through the wire format gives. Directed (alltoallv on an MPI communicator
// of one rank), it keeps only the spikes the destination table names, as MPI would.
class LocalSpikeExchange final : public SpikeExchange {
 public:
  LocalSpikeExchange(const char* name, bool directed, DestinationTable table)
      : name_(name), directed_(directed), table_(std::move(table)) {}

  void start(std::span<const Spike> local, Step epoch_begin, const Health& health) override {
    spikes_.clear();
    if (directed_) {
      for (const Spike& s : local)
        if (std::binary_search(table_.gids.begin(), table_.gids.end(), s.gid)) spikes_.push_back(s);
    } else {
      spikes_.assign(local.begin(), local.end());
    }
    health_ = health;
    const std::size_t bytes = encoded_size(spikes_, epoch_begin);
    counters_.spikes_sent += spikes_.size();
    counters_.bytes_sent += bytes;
    counters_.bytes_received += bytes;
    ++counters_.epochs;
  }
  void finish(std::vector<Spike>& received, Health& health) override {
    received.swap(spikes_);
    spikes_.clear();
    counters_.spikes_received += received.size();
    health = health_;
  }
  const char* name() const override { return name_; }

 private:
  const char* name_;
  bool directed_;
  DestinationTable table_;
  std::vector<Spike> spikes_;
  Health health_;
};

// What every rank tells every other one per epoch besides the spikes.
struct Header {
  std::int64_t bytes;
  std::int64_t failed;
  std::int64_t step;
  std::int64_t gid;
  std::int64_t variable;
  std::int64_t population;
  double value;
  std::int64_t stop_signal;
  std::int64_t flush_wanted;
};

Header header_of(std::size_t bytes, const Health& h) {
  return {static_cast<std::int64_t>(bytes),
          h.failed ? 1 : 0,
          h.step,
          static_cast<std::int64_t>(h.gid),
          static_cast<std::int64_t>(h.variable),
          static_cast<std::int64_t>(h.population),
          h.value,
          static_cast<std::int64_t>(h.stop_signal),
          h.flush_wanted ? 1 : 0};
}

Health health_of(const Header& w) {
  Health h;
  h.failed = w.failed != 0;
  h.step = w.step;
  h.gid = static_cast<Gid>(w.gid);
  h.variable = static_cast<std::uint32_t>(w.variable);
  h.population = static_cast<std::uint32_t>(w.population);
  h.value = w.value;
  h.stop_signal = static_cast<int>(w.stop_signal);
  h.flush_wanted = w.flush_wanted != 0;
  return h;
}

class MpiSpikeExchange final : public SpikeExchange {
 public:
  MpiSpikeExchange(MPI_Comm comm, bool directed, DestinationTable table)
      : comm_(comm), directed_(directed), table_(std::move(table)) {
    check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    const auto n = static_cast<std::size_t>(size_);
    headers_out_.resize(directed_ ? n : 1);
    headers_in_.resize(n);
    send_counts_.resize(n);
    send_displs_.resize(n);
    recv_counts_.resize(n);
    recv_displs_.resize(n);
    per_rank_.resize(n);
  }

  const char* name() const override { return directed_ ? "alltoallv" : "allgatherv"; }

  void start(std::span<const Spike> local, Step epoch_begin, const Health& health) override {
    epoch_begin_ = epoch_begin;
    send_.clear();
    if (directed_) {
      for (auto& list : per_rank_) list.clear();
      for (const Spike& s : local) {
        const auto it = std::lower_bound(table_.gids.begin(), table_.gids.end(), s.gid);
        if (it == table_.gids.end() || *it != s.gid) continue;
        const auto i = static_cast<std::size_t>(it - table_.gids.begin());
        for (std::uint32_t k = table_.begin[i]; k < table_.begin[i + 1]; ++k)
          per_rank_[table_.ranks[k]].push_back(s);
      }
      for (std::size_t r = 0; r < per_rank_.size(); ++r) {
        const std::size_t before = send_.size();
        encode_spikes(per_rank_[r], epoch_begin, send_);
        send_displs_[r] = static_cast<int>(before);
        send_counts_[r] = static_cast<int>(send_.size() - before);
        headers_out_[r] = header_of(send_.size() - before, health);
        counters_.spikes_sent += per_rank_[r].size();
      }
      check_mpi(MPI_Ialltoall(headers_out_.data(), sizeof(Header), MPI_BYTE, headers_in_.data(),
                              sizeof(Header), MPI_BYTE, comm_, &request_),
                "MPI_Ialltoall");
    } else {
      encode_spikes(local, epoch_begin, send_);
      headers_out_[0] = header_of(send_.size(), health);
      counters_.spikes_sent += local.size();
      check_mpi(MPI_Iallgather(headers_out_.data(), sizeof(Header), MPI_BYTE, headers_in_.data(),
                               sizeof(Header), MPI_BYTE, comm_, &request_),
                "MPI_Iallgather");
    }
    counters_.bytes_sent += send_.size();
    ++counters_.epochs;
    phase_ = Phase::headers;
    started_at_ = now();
    completed_at_ = 0.0;
  }

  void progress() override {
    if (phase_ == Phase::idle || phase_ == Phase::done) return;
    int done = 0;
    check_mpi(MPI_Test(&request_, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (!done) return;
    if (phase_ == Phase::headers) {
      post_payload();
    } else {
      phase_ = Phase::done;
      completed_at_ = now();
    }
  }

  void finish(std::vector<Spike>& received, Health& health) override {
    const double entered = now();
    if (phase_ == Phase::headers) {
      const double t = now();
      check_mpi(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
      counters_.wait_seconds += now() - t;
      post_payload();
    }
    if (phase_ == Phase::payload) {
      const double t = now();
      check_mpi(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
      counters_.transfer_seconds += now() - t;
      phase_ = Phase::done;
    }
    counters_.hidden_seconds += (completed_at_ > 0.0 ? completed_at_ : entered) - started_at_;
    phase_ = Phase::idle;
    health = Health{};
    decoded_.clear();
    run_ends_.clear();
    for (int r = 0; r < size_; ++r) {
      const auto i = static_cast<std::size_t>(r);
      health.merge(health_of(headers_in_[i]));
      decode_spikes(
          std::span<const std::uint8_t>(receive_).subspan(
              static_cast<std::size_t>(recv_displs_[i]), static_cast<std::size_t>(recv_counts_[i])),
          epoch_begin_, decoded_);
      run_ends_.push_back(decoded_.size());
    }
    counters_.bytes_received += receive_.size();
    counters_.spikes_received += decoded_.size();
    // Each rank's block is sorted (the contract of start): merge them, no sort.
    runs_.clear();
    std::size_t from = 0;
    for (const std::size_t to : run_ends_) {
      runs_.emplace_back(decoded_.data() + from, to - from);
      from = to;
    }
    merge_sorted_spikes(runs_, received);
  }

 private:
  enum class Phase { idle, headers, payload, done };

  void post_payload() {
    std::size_t total = 0;
    for (std::size_t r = 0; r < headers_in_.size(); ++r) {
      recv_counts_[r] = static_cast<int>(headers_in_[r].bytes);
      recv_displs_[r] = static_cast<int>(total);
      total += static_cast<std::size_t>(headers_in_[r].bytes);
    }
    receive_.resize(total);
    if (directed_) {
      check_mpi(MPI_Ialltoallv(send_.data(), send_counts_.data(), send_displs_.data(), MPI_BYTE,
                               receive_.data(), recv_counts_.data(), recv_displs_.data(), MPI_BYTE,
                               comm_, &request_),
                "MPI_Ialltoallv");
    } else {
      check_mpi(
          MPI_Iallgatherv(send_.data(), static_cast<int>(send_.size()), MPI_BYTE, receive_.data(),
                          recv_counts_.data(), recv_displs_.data(), MPI_BYTE, comm_, &request_),
          "MPI_Iallgatherv");
    }
    phase_ = Phase::payload;
  }

  MPI_Comm comm_;
  bool directed_;
  DestinationTable table_;
  int rank_ = 0;
  int size_ = 1;
  Phase phase_ = Phase::idle;
  MPI_Request request_ = MPI_REQUEST_NULL;
  Step epoch_begin_ = 0;
  double started_at_ = 0.0;
  double completed_at_ = 0.0;
  // Reused between epochs so the exchange allocates nothing in steady state.
  std::vector<std::uint8_t> send_, receive_;
  std::vector<Header> headers_out_, headers_in_;
  std::vector<int> send_counts_, send_displs_, recv_counts_, recv_displs_;
  std::vector<std::vector<Spike>> per_rank_;
  std::vector<Spike> decoded_;  // every rank's block, in rank order
  std::vector<std::size_t> run_ends_;
  std::vector<std::span<const Spike>> runs_;
};

}  // namespace

void merge_sorted_spikes(std::span<const std::span<const Spike>> runs, std::vector<Spike>& out) {
  out.clear();
  std::size_t total = 0;
  for (const auto& run : runs) total += run.size();
  out.reserve(total);
  // The common cases of short epochs: one run, or two (two threads, two ranks).
  std::size_t non_empty = 0;
  const std::span<const Spike>* a = nullptr;
  const std::span<const Spike>* b = nullptr;
  for (const auto& run : runs) {
    if (run.empty()) continue;
    (non_empty == 0 ? a : b) = &run;
    if (++non_empty > 2) break;
  }
  if (non_empty == 0) return;
  if (non_empty == 1) {
    out.insert(out.end(), a->begin(), a->end());
    return;
  }
  if (non_empty == 2) {
    std::merge(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(out));
    return;
  }
  // A min-heap of run heads: log(runs) comparisons a spike.
  struct Head {
    const Spike* at;
    const Spike* end;
  };
  std::vector<Head> heap;
  heap.reserve(runs.size());
  for (const auto& run : runs)
    if (!run.empty()) heap.push_back({run.data(), run.data() + run.size()});
  const auto later = [](const Head& x, const Head& y) { return *y.at < *x.at; };
  std::make_heap(heap.begin(), heap.end(), later);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    Head& h = heap.back();
    out.push_back(*h.at);
    if (++h.at == h.end)
      heap.pop_back();
    else
      std::push_heap(heap.begin(), heap.end(), later);
  }
}

std::unique_ptr<SpikeExchange> make_spike_exchange(ExchangeAlgorithm algorithm, Communicator& comm,
                                                   DestinationTable destinations) {
  const bool directed = algorithm == ExchangeAlgorithm::alltoallv;
  auto* mpi = dynamic_cast<MpiCommunicator*>(&comm);
  if (mpi == nullptr)
    return std::make_unique<LocalSpikeExchange>("local", false, DestinationTable{});
  if (comm.size() == 1)
    return std::make_unique<LocalSpikeExchange>(directed ? "alltoallv" : "allgatherv", directed,
                                                std::move(destinations));
  return std::make_unique<MpiSpikeExchange>(mpi->native(), directed, std::move(destinations));
}

}  // namespace myelin
