#include "util/toml.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <toml++/toml.h>

namespace hooktool::util {

bool TomlValue::is_table() const noexcept {
  const auto* other = std::get_if<Other>(&data);
  return other != nullptr && other->type == "table";
}

std::string_view TomlValue::type_name() const noexcept {
  static constexpr std::string_view names[] = {"string", "integer", "float", "boolean", "array"};
  if (const auto* other = std::get_if<Other>(&data))
    return other->type;
  return names[data.index()];
}

std::string toml_key_name(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) {
    if (!out.empty())
      out += '.';
    out += part;
  }
  return out;
}

std::string quote_capped(std::string_view text) {
  return capped(text, kMaxQuoted);
}

namespace {

// toml++ says "Error while parsing WHAT: REASON[, saw 'X']". REASON is kept, in hooktool's
// words where they help; "saw 'X'" is dropped (X is the start of an unquoted value, which may
// be a secret), a quoted number is not repeated, and a quoted key is capped.
std::string describe(std::string_view description) {
  std::string_view what;
  std::string_view reason = description;
  constexpr std::string_view prefix = "Error while parsing ";
  if (reason.starts_with(prefix)) {
    reason.remove_prefix(prefix.size());
    const auto colon = reason.find(": ");
    if (colon != std::string_view::npos) {
      what = reason.substr(0, colon);
      reason.remove_prefix(colon + 2);
    }
  }
  if (const auto saw = reason.rfind("saw '"); saw != std::string_view::npos) {
    reason = reason.substr(0, saw);
    while (!reason.empty() && (reason.back() == ' ' || reason.back() == ','))
      reason.remove_suffix(1);
  }
  if (reason == "could not determine value type")
    return "not a TOML value (strings need quotes: KEY = \"VALUE\")";
  std::string out;
  if (reason.starts_with('\'')) {
    // "'99999999999999999999' is not representable in 64 bits": the number may be a secret.
    const auto close = reason.find('\'', 1);
    out = what.empty() ? "the value" : std::string(what);
    reason.remove_prefix(close == std::string_view::npos ? reason.size() : close + 1);
  }
  // Quoted spans left are toml++'s own words or a key name: cap them.
  while (!reason.empty()) {
    const auto open = reason.find('\'');
    const auto close = open == std::string_view::npos ? open : reason.find('\'', open + 1);
    if (open == std::string_view::npos) {
      out += printable(reason);
      break;
    }
    if (close == std::string_view::npos) { // toml++ cut a long message short
      out += printable(reason.substr(0, open + 1)) + quote_capped(reason.substr(open + 1)) + "'";
      break;
    }
    out += printable(reason.substr(0, open + 1));
    out += quote_capped(reason.substr(open + 1, close - open - 1));
    out += '\'';
    reason.remove_prefix(close + 1);
  }
  if (!what.empty() && !out.starts_with(what))
    out.append(" (in ").append(what).append(")");
  return out;
}

std::size_t line_of(const toml::source_region& region) noexcept {
  return static_cast<std::size_t>(region.begin.line);
}
std::size_t column_of(const toml::source_region& region) noexcept {
  return static_cast<std::size_t>(region.begin.column);
}

TomlValue to_value(const toml::node& node) {
  switch (node.type()) {
  case toml::node_type::string:
    return {std::string(node.as_string()->get())};
  case toml::node_type::integer:
    return {node.as_integer()->get()};
  case toml::node_type::floating_point:
    return {node.as_floating_point()->get()};
  case toml::node_type::boolean:
    return {node.as_boolean()->get()};
  case toml::node_type::array: {
    TomlValue::Array items;
    for (const auto& item : *node.as_array())
      items.push_back(to_value(item));
    return {std::move(items)};
  }
  case toml::node_type::date:
    return {TomlValue::Other{"date"}};
  case toml::node_type::time:
    return {TomlValue::Other{"time"}};
  case toml::node_type::date_time:
    return {TomlValue::Other{"date-time"}};
  case toml::node_type::table:
  case toml::node_type::none:
    break;
  }
  return {TomlValue::Other{"table"}};
}

// Appends an entry for every non-table value under table, depth first.
void flatten(const toml::table& table, std::vector<std::string>& path,
             std::vector<TomlEntry>& out) {
  for (const auto& [key, node] : table) {
    path.emplace_back(key.str());
    const auto* sub = node.as_table();
    if (sub != nullptr && !sub->empty()) {
      flatten(*sub, path, out);
    } else {
      const auto& where = key.source().begin.line != 0 ? key.source() : node.source();
      out.push_back({path, to_value(node), line_of(where), column_of(where)});
    }
    path.pop_back();
  }
}

} // namespace

std::vector<TomlEntry> parse_toml(std::string_view text, std::string_view origin) {
  toml::table doc;
  try {
    doc = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& at = e.source();
    throw usage_error(std::string(origin) + ":" + std::to_string(line_of(at)) + ":" +
                      std::to_string(column_of(at)) + ": " + describe(e.description()));
  }
  std::vector<TomlEntry> entries;
  std::vector<std::string> path;
  flatten(doc, path, entries);
  // toml++ keeps keys sorted by name: report them (and their mistakes) in document order.
  std::stable_sort(entries.begin(), entries.end(), [](const TomlEntry& a, const TomlEntry& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  return entries;
}

} // namespace hooktool::util
