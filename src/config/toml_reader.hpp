#pragma once

// Typed, checked access to one TOML table: every read names the full dotted key in its error,
// and `finish()` rejects the keys nobody asked for.

#include <toml++/toml.h>

#include <cctype>
#include <optional>
#include <set>
#include <string>

#include "config/config.hpp"
#include "myelin/errors.hpp"

namespace myelin {

std::string describe(const toml::node& node);

class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix)
      : table_(table), prefix_(std::move(prefix)) {}

  std::string key(const std::string& name) const {
    return prefix_.empty() ? name : prefix_ + "." + name;
  }
  bool has(const std::string& name) const { return table_.contains(name); }
  const toml::node* node(const std::string& name);

  std::optional<double> number(const std::string& name);
  std::optional<std::int64_t> integer(const std::string& name);
  std::optional<bool> boolean(const std::string& name);
  std::optional<std::string> string(const std::string& name);
  // A number, { uniform = [a, b] }, { normal = [mean, sd] } or a bounded normal
  // { normal = [mean, sd], min = .., max = .. } (either bound may be left out).
  std::optional<ParamValue> param(const std::string& name);
  const toml::table* table(const std::string& name);

  // Throws for the first key that was never read.
  void finish() const;

 private:
  const toml::table& table_;
  ParamValue bounded_normal(const std::string& name, const toml::node& n, const toml::table& t);

  std::string prefix_;
  std::set<std::string> used_;
};

// Range checks that produce the canonical message.
void require_range(const std::string& key, double value, double min, bool min_exclusive, double max,
                   const std::string& unit);

// Population and projection names: [A-Za-z_][A-Za-z0-9_]*.
inline bool valid_name(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  for (const char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// The value of a required key, or InputError naming it.
template <typename T>
T required(std::optional<T> v, const TableReader& r, const std::string& name) {
  if (!v) throw input_error(r.key(name), "(missing)", "required");
  return *v;
}

}  // namespace myelin
