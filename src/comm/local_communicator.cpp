#include "comm/communicator.hpp"

namespace myelin {

void LocalCommunicator::exchange(std::span<const Spike> local, Step, Step, std::vector<Spike>& all,
                                 Health&) {
  all.assign(local.begin(), local.end());
  ++counters_.epochs;
}

}  // namespace myelin
