#pragma once

#include <string>
#include <string_view>

namespace hooktool::model {

// An absolute http(s) URL split into the parts hooktool needs.
struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // without brackets for IPv6
  int port = 0;           // 0 when the URL names none
  std::string path = "/"; // always starts with '/'
  std::string query;      // without '?'; empty when absent

  // Port in effect: the explicit one, else the scheme's default.
  [[nodiscard]] int effective_port() const noexcept;
  // scheme://host[:port]path[?query], host bracketed when it is IPv6; a path that does not
  // start with '/' gets one, so it can never extend the host ("@evil/" stays a path).
  [[nodiscard]] std::string str() const;
};

// Parses what --to accepts: "3000" and ":3000" (a port on localhost), "localhost:3000",
// "host:port/path", and "http(s)://...". The host must be a DNS name (letters, digits, '-' and
// '_' in labels of 1-63, not all-numeric at the end), a dotted-decimal IPv4 address or a
// bracketed IPv6 address (inet_pton's, no zone id), and is kept as written; the port is decimal
// digits, 1-65535; only http and https; no credentials; no spaces or control characters; at
// most 8000000 bytes; the path is kept as written (no dot-segment removal, no re-encoding), the
// query too; a fragment is dropped. Its own code, without libcurl (so that send --dry-run, and
// listen when it does not forward, never load it), with the results it had when it parsed with
// libcurl's URL parser (CURLU; the differential test in tests/unit/url_test.cpp). Throws a
// usage error naming the input.
Url parse_target(std::string_view text);
// Appends name=value (already encoded) to the URL's query.
std::string add_query_param(std::string_view url, std::string_view name, std::string_view value);

} // namespace hooktool::model
