#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::model {

// One header as sent or received: name case and order are kept.
struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};

// Ordered header list; names compare case-insensitively, repeats are allowed.
using Headers = std::vector<Header>;

// First value of the header named name (case-insensitive), if any.
std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);
// Every value of the header named name, in order.
std::vector<std::string_view> find_headers(const Headers& headers, std::string_view name);
// Replaces every header named name with one header, keeping the first one's position.
void set_header(Headers& headers, std::string name, std::string value);
// Removes every header named name; returns how many were removed.
std::size_t remove_header(Headers& headers, std::string_view name);
// True when the Content-Type header names an application/x-www-form-urlencoded body.
bool is_form(const Headers& headers);
// Headers that describe one hop (RFC 9110 §7.6.1, plus Host and Content-Length): a request
// sent again (forward, replay) gets its own, never the captured ones (listen's --forward-to
// may keep Host, see listen::HostHeader).
bool is_hop_by_hop(std::string_view name) noexcept;
// Parses "Name: value" as given to --header; nullopt when there is no ':' or no name.
std::optional<Header> parse_header_line(std::string_view line);

// The request model every subcommand shares: what is sent, received, captured and replayed.
struct HttpRequest {
  std::string method = "POST";
  std::string url; // absolute URL (send/replay) or path with query (listen)
  Headers headers;
  std::string body; // exact bytes
};

} // namespace hooktool::model
