#pragma once

namespace myelin {

// Peak resident set size of this process so far [MiB].
double peak_rss_mb();

}  // namespace myelin
