#include "config/overrides.hpp"

#include <string>

#include "myelin/errors.hpp"

namespace myelin {

void apply_override(toml::table& root, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw input_error("--set", text, "expected KEY=VALUE with a dotted KEY");
  const std::string path = text.substr(0, eq);
  const std::string value_text = text.substr(eq + 1);

  // The value is TOML when it parses as TOML, else a plain string (so paths need no quotes).
  toml::node_view<toml::node> parsed;
  toml::table holder;
  try {
    holder = toml::parse("v = " + value_text);
  } catch (const toml::parse_error&) {
    holder.insert_or_assign("v", value_text);
  }

  toml::table* table = &root;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) throw input_error("--set", text, "empty component in the key");
    if (dot == std::string::npos) {
      table->insert_or_assign(part, *holder.get("v"));
      return;
    }
    toml::node* next = table->get(part);
    if (!next) {
      table->insert_or_assign(part, toml::table{});
      next = table->get(part);
    }
    if (!next->is_table())
      throw input_error("--set", text, "'" + path.substr(0, dot) + "' is not a table");
    table = next->as_table();
    start = dot + 1;
  }
}

}  // namespace myelin
