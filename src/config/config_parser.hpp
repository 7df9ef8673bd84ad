#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace myelin {

// Parses and validates a config; `overrides` are --set KEY=VALUE strings applied to the TOML
// tree first. Throws InputError with one message naming key, value and reason.
Config parse_config(std::string_view text, const std::vector<std::string>& overrides);

// Reads the file, then parse_config. An unreadable file is an InputError on key CONFIG.
Config load_config(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace myelin
