#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hooktool::util {

// A value of the TOML subset hooktool's config files use.
struct TomlValue {
  using Array = std::vector<TomlValue>;
  std::variant<std::string, std::int64_t, double, bool, Array> data;

  [[nodiscard]] bool is_string() const noexcept { return data.index() == 0; }
  [[nodiscard]] bool is_integer() const noexcept { return data.index() == 1; }
  [[nodiscard]] bool is_float() const noexcept { return data.index() == 2; }
  [[nodiscard]] bool is_bool() const noexcept { return data.index() == 3; }
  [[nodiscard]] bool is_array() const noexcept { return data.index() == 4; }
  // "string", "integer", "float", "boolean" or "array", for error messages.
  [[nodiscard]] std::string_view type_name() const noexcept;
};

// One `key = value`, with the table it sits in and where it was written.
struct TomlEntry {
  std::vector<std::string> path; // table names then the key: [listen] port = 1 -> {"listen","port"}
  TomlValue value;
  std::size_t line = 0; // 1-based
};

// Reads a TOML document restricted to: comments, [tables] (dotted, bare or quoted names),
// key = value with dotted keys, basic and literal strings, integers, floats, booleans and
// arrays of those (may span lines). Multi-line strings, inline tables, arrays of tables and
// dates are refused by name. Throws hooktool::Error (usage) "ORIGIN:LINE: reason" on anything
// else, including a key defined twice.
std::vector<TomlEntry> parse_toml(std::string_view text, std::string_view origin);

// The dotted name of a path, for messages: {"listen","port"} -> "listen.port".
std::string toml_key_name(const std::vector<std::string>& path);

} // namespace hooktool::util
