#include "config/toml_reader.hpp"

#include <cmath>
#include <sstream>

#include "myelin/errors.hpp"

namespace myelin {

namespace {

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::string describe(const toml::node& node) {
  std::ostringstream s;
  s << std::boolalpha;  // true, false: as written in TOML
  if (const auto* str = node.as_string()) {
    s << '"' << str->get() << '"';
  } else if (const auto* t = node.as_table()) {
    s << toml::toml_formatter(*t, toml::format_flags::none);
  } else if (const auto* a = node.as_array()) {
    s << toml::toml_formatter(*a, toml::format_flags::none);
  } else {
    node.visit([&](const auto& v) {
      if constexpr (toml::is_value<decltype(v)>) s << v.get();
    });
  }
  std::string out = s.str();
  for (char& c : out)
    if (c == '\n') c = ' ';
  return out;
}

const toml::node* TableReader::node(const std::string& name) {
  used_.insert(name);
  return table_.get(name);
}

std::optional<double> TableReader::number(const std::string& name) {
  const toml::node* n = node(name);
  if (!n) return std::nullopt;
  double v = 0.0;
  if (const auto* f = n->as_floating_point()) {
    v = f->get();
  } else if (const auto* i = n->as_integer()) {
    v = static_cast<double>(i->get());
  } else {
    throw input_error(key(name), describe(*n), "must be a number");
  }
  if (!std::isfinite(v)) throw input_error(key(name), describe(*n), "must be finite");
  return v;
}

std::optional<std::int64_t> TableReader::integer(const std::string& name) {
  const toml::node* n = node(name);
  if (!n) return std::nullopt;
  if (const auto* i = n->as_integer()) return i->get();
  throw input_error(key(name), describe(*n), "must be an integer");
}

std::optional<bool> TableReader::boolean(const std::string& name) {
  const toml::node* n = node(name);
  if (!n) return std::nullopt;
  if (const auto* b = n->as_boolean()) return b->get();
  throw input_error(key(name), describe(*n), "must be true or false");
}

std::optional<std::string> TableReader::string(const std::string& name) {
  const toml::node* n = node(name);
  if (!n) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  throw input_error(key(name), describe(*n), "must be a string");
}

std::optional<ParamValue> TableReader::param(const std::string& name) {
  const toml::node* n = node(name);
  if (!n) return std::nullopt;
  if (n->is_number()) return ParamValue::constant(*number(name));
  const auto* t = n->as_table();
  const bool bounds = t && t->contains("normal") && (t->contains("min") || t->contains("max"));
  if (bounds) return bounded_normal(name, *n, *t);
  if (!t || t->size() != 1)
    throw input_error(key(name), describe(*n),
                      "must be a number, { uniform = [a, b] } or { normal = [mean, sd] } (a "
                      "normal may add min = .., max = ..)");
  const auto first = t->begin();
  const std::string kind(first->first.str());
  const auto* a = first->second.as_array();
  const bool pair = a && a->size() == 2 && (*a)[0].is_number() && (*a)[1].is_number();
  if ((kind != "uniform" && kind != "normal") || !pair)
    throw input_error(key(name), describe(*n),
                      "must be a number, { uniform = [a, b] } or { normal = [mean, sd] }");
  const double x = (*a)[0].value<double>().value_or(NAN);
  const double y = (*a)[1].value<double>().value_or(NAN);
  if (!std::isfinite(x) || !std::isfinite(y))
    throw input_error(key(name), describe(*n), "bounds must be finite");
  if (kind == "uniform") {
    if (x > y) throw input_error(key(name), describe(*n), "uniform needs low <= high");
    return ParamValue{ParamValue::Kind::uniform, x, y};
  }
  if (y < 0.0) throw input_error(key(name), describe(*n), "normal needs sd >= 0");
  return ParamValue{ParamValue::Kind::normal, x, y};
}

// { normal = [mean, sd], min = .., max = .. }: the normal truncated to [min, max] by redrawing.
ParamValue TableReader::bounded_normal(const std::string& name, const toml::node& n,
                                       const toml::table& t) {
  for (const auto& [k, v] : t) {
    const std::string field(k.str());
    if (field != "normal" && field != "min" && field != "max")
      throw input_error(key(name) + "." + field, describe(v),
                        "unknown key of a bounded normal (known: normal, min, max)");
  }
  const auto* pair = t.get("normal")->as_array();
  if (!pair || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number())
    throw input_error(key(name), describe(n),
                      "expected { normal = [mean, sd], min = .., max = .. }");
  ParamValue v{ParamValue::Kind::normal, (*pair)[0].value<double>().value_or(NAN),
               (*pair)[1].value<double>().value_or(NAN)};
  if (!std::isfinite(v.a) || !std::isfinite(v.b))
    throw input_error(key(name), describe(n), "mean and sd must be finite");
  if (v.b < 0.0) throw input_error(key(name), describe(n), "normal needs sd >= 0");
  TableReader bound(t, key(name));
  bound.used_.insert("normal");
  if (auto lo = bound.number("min")) v.min = *lo;
  if (auto hi = bound.number("max")) v.max = *hi;
  if (!(v.min < v.max))
    throw input_error(key(name), describe(n), "a bounded normal needs min < max");
  // The mass inside [min, max]: redrawing is only sensible when it is not tiny.
  const double mass = v.b == 0.0 ? (v.a >= v.min && v.a <= v.max ? 1.0 : 0.0)
                                 : 0.5 * (std::erfc((v.a - v.max) / (v.b * std::sqrt(2.0))) -
                                          std::erfc((v.a - v.min) / (v.b * std::sqrt(2.0))));
  if (!(mass >= 0.01))
    throw input_error(
        key(name), describe(n),
        "[min, max] holds " + number_text(mass) + " of the normal; redrawing needs at least 0.01");
  return v;
}

const toml::table* TableReader::table(const std::string& name) {
  const toml::node* n = node(name);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  if (n->is_array_of_tables())
    throw input_error(key(name), "[[" + key(name) + "]]",
                      "write one table per item, [" + key(name) + ".NAME]");
  throw input_error(key(name), describe(*n), "must be a table");
}

void TableReader::finish() const {
  for (const auto& [k, v] : table_) {
    const std::string name(k.str());
    if (used_.count(name)) continue;
    std::string known;
    for (const auto& u : used_) known += (known.empty() ? "" : ", ") + u;
    throw input_error(key(name), describe(v),
                      "unknown key" + (known.empty() ? std::string() : " (known: " + known + ")"));
  }
}

void require_range(const std::string& key, double value, double min, bool min_exclusive, double max,
                   const std::string& unit) {
  const std::string u = unit.empty() ? "" : " [" + unit + "]";
  if (min_exclusive ? !(value > min) : !(value >= min))
    throw input_error(
        key, number_text(value),
        std::string("must be ") + (min_exclusive ? "> " : ">= ") + number_text(min) + u);
  if (!(value <= max))
    throw input_error(key, number_text(value), "must be <= " + number_text(max) + u);
}

}  // namespace myelin
