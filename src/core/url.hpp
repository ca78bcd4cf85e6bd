#pragma once

#include <string>
#include <string_view>

namespace hooktool::core {

// An absolute http(s) URL split into the parts hooktool needs.
struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // without brackets for IPv6
  int port = 0;           // 0 when the URL names none
  std::string path = "/"; // always starts with '/'
  std::string query;      // without '?'; empty when absent

  // Port in effect: the explicit one, else the scheme's default.
  [[nodiscard]] int effective_port() const noexcept;
  // scheme://host[:port]path[?query], host bracketed when it is IPv6.
  [[nodiscard]] std::string str() const;
};

// Parses what --to accepts: "localhost:3000", ":3000", "host:port/path", "http(s)://...".
// Throws a usage error naming the input when it is not a usable URL.
Url parse_target(std::string_view text);
// Appends name=value (already encoded) to the URL's query.
std::string add_query_param(std::string_view url, std::string_view name, std::string_view value);

} // namespace hooktool::core
