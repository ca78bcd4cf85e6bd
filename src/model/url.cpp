#include "model/url.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstddef>

namespace hooktool::model {

namespace {

// The longest URL (the short forms spelled out) parse_target takes: libcurl's
// CURL_MAX_INPUT_LENGTH, which refused longer ones when it parsed them.
constexpr std::size_t kMaxUrlLength = 8'000'000;

Error bad_url(std::string_view text, std::string_view why) {
  return usage_error("invalid URL '" + util::printable(text) + "': " + std::string(why));
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// "name://" at the start: RFC 3986's scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool has_scheme(std::string_view text) noexcept {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0 || !is_alpha(text.front()))
    return false;
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(sep), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
  });
}

// hooktool's shorthands, spelled out as an absolute URL.
std::string absolute(std::string_view input) {
  if (all_digits(input))
    return "http://localhost:" + std::string(input); // "3000": a port, as in Stripe CLI
  if (input.front() == ':')
    return "http://localhost" + std::string(input);
  if (has_scheme(input))
    return std::string(input);
  return "http://" + std::string(input);
}

// Four dot-separated decimal numbers 0-255 without leading zeros ("127.1" and "0x7f.0.0.1"
// are not: libc and curl would each read them their own way).
bool is_ipv4(std::string_view host) noexcept {
  const auto parts = util::split(host, '.');
  return parts.size() == 4 && std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
           if (!all_digits(p) || p.size() > 3 || (p.size() > 1 && p.front() == '0'))
             return false;
           int value = 0;
           for (const char c : p)
             value = value * 10 + (c - '0');
           return value <= 255;
         });
}

bool is_label(std::string_view label) noexcept {
  const auto ok = [](char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
  };
  return !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
         std::all_of(label.begin(), label.end(), ok);
}

// LDH labels ('_' too: Docker Compose service names), at most 253 characters, a trailing dot
// allowed, the last label not all digits (that would be a mistyped number, not a name).
bool is_dns_name(std::string_view host) noexcept {
  if (host.size() > 1 && host.back() == '.')
    host.remove_suffix(1);
  if (host.size() > 253)
    return false;
  const auto labels = util::split(host, '.');
  return std::all_of(labels.begin(), labels.end(), is_label) && !all_digits(labels.back());
}

bool is_ipv6(const std::string& host) noexcept {
  in6_addr addr{};
  return ::inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

// The host and port texts of an absolute URL's authority, as written, and what follows it.
struct Authority {
  std::string_view host;  // brackets included for IPv6
  std::string_view port;  // after ':', may be empty
  bool has_colon = false; // a ':' after the host
  std::string_view after; // from the first '/', '?' or '#' after "://" on (path, query, fragment)
};

Authority split_authority(std::string_view text, std::string_view url) {
  auto rest = url.substr(url.find("://") + 3);
  const auto end = std::min(rest.find_first_of("/?#"), rest.size());
  Authority out;
  out.after = rest.substr(end);
  rest = rest.substr(0, end);
  if (rest.find('@') != std::string_view::npos)
    throw bad_url(text, "credentials in the URL are not supported; use --header");
  const auto host_end = rest.starts_with('[') ? rest.find(']') : rest.rfind(':');
  if (host_end == std::string_view::npos) {
    out.host = rest;
    return out;
  }
  out.host = rest.substr(0, rest.starts_with('[') ? host_end + 1 : host_end);
  const auto after = rest.substr(out.host.size());
  if (!after.empty() && after.front() != ':')
    throw bad_url(text, "unexpected text after ']'");
  out.has_colon = !after.empty();
  out.port = after.empty() ? after : after.substr(1);
  return out;
}

// The host as Url keeps it (IPv6 without brackets), or a usage error naming it.
std::string checked_host(std::string_view text, std::string_view host) {
  if (host.starts_with('[')) {
    std::string inner(host.substr(1, host.size() - 2));
    if (host.back() != ']' || !is_ipv6(inner))
      throw bad_url(text, "'" + util::printable(host) + "' is not an IPv6 address");
    return inner;
  }
  if (is_ipv4(host) || is_dns_name(host))
    return std::string(host);
  std::string why = "'" + util::printable(host) + "' is not a host name or IP address";
  if (std::any_of(host.begin(), host.end(), [](char c) { return (c & 0x80) != 0; }))
    why += " (write an international name in its xn-- form)";
  else if (host.find('=') != std::string_view::npos)
    why += " (a forward filter is PROVIDER[:EVENT-GLOB]=URL with a known provider)";
  throw bad_url(text, why);
}

// The port after ':' as libcurl read it: decimal digits only (no sign, any number of leading
// zeros: "0080" is 80), at most 65535; then hooktool's own rules, not empty and not 0.
int checked_port(std::string_view text, const Authority& authority) {
  if (!authority.has_colon)
    return 0;
  if (authority.port.empty())
    throw bad_url(text, "missing port after ':'");
  const auto bad_port = [&] {
    return bad_url(text, "port must be a number from 1 to 65535");
  };
  if (!all_digits(authority.port))
    throw bad_port();
  int port = 0;
  for (const char c : authority.port) {
    port = port * 10 + (c - '0');
    if (port > 65535)
      throw bad_port();
  }
  if (port < 1)
    throw bad_port();
  return port;
}

} // namespace

int Url::effective_port() const noexcept {
  if (port != 0)
    return port;
  return scheme == "https" ? 443 : 80;
}

std::string Url::str() const {
  std::string out = scheme + "://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0)
    out += ":" + std::to_string(port);
  if (path.empty() || path.front() != '/')
    out += '/';
  out += path;
  if (!query.empty())
    out += "?" + query;
  return out;
}

Url parse_target(std::string_view text) {
  const auto input = util::trim(text);
  if (input.empty())
    throw bad_url(text, "it is empty");
  for (const char c : input)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F)
      throw bad_url(text, "it contains spaces or control characters");
  const auto full = absolute(input);

  const auto scheme = util::to_lower(full.substr(0, full.find("://")));
  if (scheme != "http" && scheme != "https")
    throw bad_url(text, "only http and https are supported");
  // The host is checked first, on the text as written, and kept as written (no lower-casing, no
  // IPv4 or IPv6 normalisation).
  const auto authority = split_authority(text, full);
  Url url;
  url.host = checked_host(text, authority.host);
  if (full.size() > kMaxUrlLength)
    throw bad_url(text, "it is longer than " + std::to_string(kMaxUrlLength) + " bytes");
  url.scheme = scheme;
  url.port = checked_port(text, authority);

  // The path up to the first '?' or '#', the query from that '?' to the first '#' (a '?' after
  // it is the fragment's), the fragment dropped; all as written.
  const auto before_fragment = authority.after.substr(0, authority.after.find('#'));
  const auto question = before_fragment.find('?');
  url.path = std::string(before_fragment.substr(0, question));
  if (url.path.empty())
    url.path = "/";
  if (question != std::string_view::npos)
    url.query = std::string(before_fragment.substr(question + 1));
  return url;
}

std::string add_query_param(std::string_view url, std::string_view name, std::string_view value) {
  std::string out(url);
  const auto hash = out.find('#');
  std::string fragment;
  if (hash != std::string::npos) {
    fragment = out.substr(hash);
    out.resize(hash);
  }
  const auto q = out.find('?');
  if (q == std::string::npos)
    out += '?';
  else if (q + 1 != out.size() && out.back() != '&')
    out += '&';
  out.append(name).append("=").append(value);
  return out + fragment;
}

} // namespace hooktool::model
