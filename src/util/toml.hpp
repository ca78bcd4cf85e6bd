#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hooktool::util {

// A TOML value as hooktool's config reader sees it. Tables are flattened into entries (see
// parse_toml); what hooktool has no use for (dates, times, tables inside arrays, empty
// tables) is kept only as its type name, for error messages.
struct TomlValue {
  using Array = std::vector<TomlValue>;
  struct Other {
    std::string type; // "date", "time", "date-time" or "table"
  };
  std::variant<std::string, std::int64_t, double, bool, Array, Other> data;

  [[nodiscard]] bool is_string() const noexcept { return data.index() == 0; }
  [[nodiscard]] bool is_integer() const noexcept { return data.index() == 1; }
  [[nodiscard]] bool is_float() const noexcept { return data.index() == 2; }
  [[nodiscard]] bool is_bool() const noexcept { return data.index() == 3; }
  [[nodiscard]] bool is_array() const noexcept { return data.index() == 4; }
  // An empty table (`[t]` with no keys, `t = {}`) or a table inside an array.
  [[nodiscard]] bool is_table() const noexcept;
  // "string", "integer", "float", "boolean", "array", "date", "time", "date-time" or "table".
  [[nodiscard]] std::string_view type_name() const noexcept;
};

// One `key = value`, with the tables it sits in and where it was written.
struct TomlEntry {
  std::vector<std::string> path; // table names then the key: [listen] port = 1 -> {"listen","port"}
  TomlValue value;
  std::size_t line = 0;   // 1-based, of the key
  std::size_t column = 0; // 1-based, of the key
};

// Reads a TOML 1.0 document (toml++) and flattens it: every key that holds a value other than
// a table becomes one entry, in document order; `[t]`, `t.k = v` and `t = {k = v}` all give
// {"t","k"}; an empty table gives one entry of type "table". Throws hooktool::Error (usage)
// "ORIGIN:LINE:COLUMN: reason" on invalid TOML (a key defined twice included). The reason
// never quotes a value (an unquoted secret must not reach the terminal) and quotes at most
// kMaxQuoted characters of a key.
std::vector<TomlEntry> parse_toml(std::string_view text, std::string_view origin);

// The longest key text an error message quotes; longer names end in "…".
inline constexpr std::size_t kMaxQuoted = 60;

// The dotted name of a path, for messages: {"listen","port"} -> "listen.port".
std::string toml_key_name(const std::vector<std::string>& path);

// text made safe to quote in a one-line message: control characters replaced, cut after
// kMaxQuoted characters (on a UTF-8 boundary) with "…".
std::string quote_capped(std::string_view text);

} // namespace hooktool::util
