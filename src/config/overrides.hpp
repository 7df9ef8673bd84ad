#pragma once

#include <toml++/toml.h>

#include <string>

namespace myelin {

// Applies one --set DOTTED.KEY=VALUE to the TOML tree, creating tables on the way.
void apply_override(toml::table& root, const std::string& text);

}  // namespace myelin
