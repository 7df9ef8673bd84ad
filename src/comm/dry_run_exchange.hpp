#pragma once

// The spike exchange of a dry run (`myelin run --dry-run-ranks R`): one process plays rank 0 of
// an R-rank job whose other ranks are translated images of it. Rank q's neurons are this
// rank's moved by q shares along the gids, and so are its spikes. The exchange does on this
// rank everything the real one does, on the volume the real one would carry at R ranks: it
// encodes this rank's spikes (once, or once per destination), and decodes, merges and hands
// to delivery what the other ranks would have sent. Only the wire is missing: the README's
// cost model adds it. Making the other ranks' blocks is bookkeeping of the dry run, timed
// apart (ExchangeCounters::synthesis_seconds) so it can be taken out of the cost.

#include <memory>
#include <vector>

#include "comm/spike_exchange.hpp"

namespace myelin {

struct DryRunShape {
  int ranks = 1;
  Gid share = 0;     // neurons per rank
  Gid n_global = 0;  // ranks x share
};

// Rank 0's destination table from the sources it needs (`needed`, ascending): rank q needs
// the images of rank 0's needs moved by q shares, so source g of rank q seen from rank 0 tells
// that rank 0's neuron g - q * share has destination R - q.
DestinationTable mirrored_destination_table(const std::vector<Gid>& needed, DryRunShape shape);

std::unique_ptr<SpikeExchange> make_dry_run_exchange(ExchangeAlgorithm algorithm, DryRunShape shape,
                                                     DestinationTable destinations);

}  // namespace myelin
