#include "model/url.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstddef>
#include <cstdint>
#include <curl/curl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using hooktool::Error;
using hooktool::model::add_query_param;
using hooktool::model::parse_target;

// The reference for the differential tests below: parse_target as it was when it used libcurl's
// URL parser (CURLU), copied from src/model/url.cpp at commit 7dcc3b7, unchanged but for this
// namespace. It calls libcurl through the shim (src/model/curl_shim.cpp), which loads libcurl
// into this test process: fine here, and why the test that hooktool does not load libcurl is an
// end-to-end one (tests/e2e/no_libcurl_test.cpp).
namespace hooktool::url_test_reference {

using model::Url;

namespace {

Error bad_url(std::string_view text, std::string_view why) {
  return usage_error("invalid URL '" + util::printable(text) + "': " + std::string(why));
}

// Owns a CURLU handle.
struct CurluFree {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
using CurluPtr = std::unique_ptr<CURLU, CurluFree>;

// One part of a parsed URL, or nullopt when the URL has none.
std::optional<std::string> url_part(CURLU* url, CURLUPart part) {
  char* text = nullptr;
  if (curl_url_get(url, part, &text, 0) != CURLUE_OK || text == nullptr)
    return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
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

// hooktool's shorthands, spelled out as an absolute URL for curl.
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

// The host and port texts of an absolute URL's authority, as written.
struct Authority {
  std::string_view host;  // brackets included for IPv6
  std::string_view port;  // after ':', may be empty
  bool has_colon = false; // a ':' after the host
};

Authority split_authority(std::string_view text, std::string_view url) {
  auto rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos)
    throw bad_url(text, "credentials in the URL are not supported; use --header");
  Authority out;
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

int checked_port(std::string_view text, const Authority& authority, CURLU* url) {
  if (!authority.has_colon)
    return 0;
  if (authority.port.empty())
    throw bad_url(text, "missing port after ':'");
  long long port = 0;
  const auto parsed = url_part(url, CURLUPART_PORT);
  if (!parsed || !util::parse_int64(*parsed, port) || port < 1 || port > 65535)
    throw bad_url(text, "port must be a number from 1 to 65535");
  return static_cast<int>(port);
}

} // namespace

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
  // The host is checked first, on the text as written: curl reads some hosts its own way
  // ("3000" as 0.0.11.184, "127.1" as 127.0.0.1) and would report a bad host as a bad port.
  const auto authority = split_authority(text, full);
  Url url;
  url.host = checked_host(text, authority.host);

  const CurluPtr handle(curl_url());
  if (!handle)
    throw std::bad_alloc();
  if (const auto rc = curl_url_set(handle.get(), CURLUPART_URL, full.c_str(),
                                   CURLU_PATH_AS_IS | CURLU_NON_SUPPORT_SCHEME);
      rc != CURLUE_OK)
    throw bad_url(text, util::to_lower(curl_url_strerror(rc)));
  url.scheme = util::to_lower(url_part(handle.get(), CURLUPART_SCHEME).value_or(scheme));
  url.port = checked_port(text, authority, handle.get());
  url.path = url_part(handle.get(), CURLUPART_PATH).value_or("/");
  if (url.path.empty() || url.path.front() != '/')
    url.path.insert(url.path.begin(), '/');
  url.query = url_part(handle.get(), CURLUPART_QUERY).value_or("");
  return url;
}

} // namespace hooktool::url_test_reference

TEST(Url, ShortFormsBecomeAbsolute) {
  EXPECT_EQ(parse_target("localhost:3000").str(), "http://localhost:3000/");
  EXPECT_EQ(parse_target(":3000").str(), "http://localhost:3000/");
  EXPECT_EQ(parse_target(":3000/webhooks").str(), "http://localhost:3000/webhooks");
  EXPECT_EQ(parse_target("localhost:3000/webhooks?x=1").str(),
            "http://localhost:3000/webhooks?x=1");
  EXPECT_EQ(parse_target("https://example.com").str(), "https://example.com/");
  EXPECT_EQ(parse_target("HTTP://[::1]:8080/a").str(), "http://[::1]:8080/a");
  EXPECT_EQ(parse_target("example.com?x").str(), "http://example.com/?x");
}

TEST(Url, PartsAndPorts) {
  const auto u = parse_target("https://api.example.com/hooks/in?a=1#frag");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "api.example.com");
  EXPECT_EQ(u.port, 0);
  EXPECT_EQ(u.effective_port(), 443);
  EXPECT_EQ(u.path, "/hooks/in");
  EXPECT_EQ(u.query, "a=1");
  EXPECT_EQ(parse_target("[::1]:9000").host, "::1");
}

TEST(Url, BadInputIsAUsageError) {
  for (const char* bad :
       {"", "ftp://x", "http://[::1", "localhost:", "localhost:99999", "localhost:abc",
        "http://user:pw@host/", "http://a b/", "http://[::1]x"}) {
    SCOPED_TRACE(bad);
    try {
      (void)parse_target(bad);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), hooktool::ExitCode::usage);
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

TEST(Url, ABareNumberIsAPortOnLocalhost) {
  EXPECT_EQ(parse_target("3000").str(), "http://localhost:3000/");
  EXPECT_EQ(parse_target("3000").port, 3000);
  EXPECT_THROW((void)parse_target("70000"), Error);
  EXPECT_THROW((void)parse_target("0"), Error);
}

TEST(Url, HostsMustBeNamesOrAddresses) {
  EXPECT_EQ(parse_target("api.example.com:8443/x").host, "api.example.com");
  EXPECT_EQ(parse_target("my_app:3000").host, "my_app"); // Docker Compose service names
  EXPECT_EQ(parse_target("example.com.:80").host, "example.com.");
  EXPECT_EQ(parse_target("10.0.0.255:1").host, "10.0.0.255");
  EXPECT_EQ(parse_target("http://[fe80::1:2]/").host, "fe80::1:2");
  EXPECT_EQ(parse_target("https://xn--bcher-kva.example/").host, "xn--bcher-kva.example");
  EXPECT_EQ(parse_target("localhost:3000/cb?next=http://x/").query, "next=http://x/");
}

std::string url_error(std::string_view text) {
  try {
    (void)parse_target(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), hooktool::ExitCode::usage);
    return e.what();
  }
  return "no error";
}

TEST(Url, NotAHostIsAUsageErrorNamingTheInput) {
  EXPECT_EQ(url_error("stirpe:invoice.*=localhost:3000"),
            "invalid URL 'stirpe:invoice.*=localhost:3000': 'stirpe:invoice.*=localhost' is not a "
            "host name or IP address (a forward filter is PROVIDER[:EVENT-GLOB]=URL with a known "
            "provider)");
  EXPECT_EQ(url_error("http://3000/"),
            "invalid URL 'http://3000/': '3000' is not a host name or IP address");
  const std::vector<std::string> bad_urls{"http://127.1/",
                                          "http://0x7f.0.0.1/",
                                          "http://010.0.0.1/",
                                          "http://256.0.0.1/",
                                          "http://1.2.3.4.5/",
                                          "http://-a.com/",
                                          "http://a-.com/",
                                          "http://a..b/",
                                          "http://a%2eb/",
                                          "http://[1.2.3.4]/",
                                          "http://[::1%25eth0]/",
                                          "bücher.example",
                                          "http://:3000/",
                                          "http://x:3000:4000/",
                                          "ftp://x",
                                          "file:///etc/passwd",
                                          "javascript://x",
                                          "http://" + std::string(64, 'a') + ".com/",
                                          "http://" + std::string(254, 'a') + "/"};
  for (const auto& bad : bad_urls) {
    SCOPED_TRACE(bad);
    const auto e = url_error(bad);
    EXPECT_EQ(e.rfind("invalid URL '", 0), 0U) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_NE(url_error("bücher.example").find("xn--"), std::string::npos);
}

// Where libcurl refused (curl_url_strerror's words before), the parser says why itself.
TEST(Url, BadPortsAndTooLongUrlsSayWhy) {
  for (const char* bad : {"localhost:abc", "localhost:99999", "http://h:65536/", "http://h:+80/",
                          "http://h:80x/", "http://[::1]:0x50/", "0"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(url_error(bad),
              "invalid URL '" + std::string(bad) + "': port must be a number from 1 to 65535");
  }
  EXPECT_EQ(url_error("localhost:"), "invalid URL 'localhost:': missing port after ':'");
  EXPECT_EQ(parse_target("http://h:0080/").port, 80); // leading zeros, as libcurl read them
  EXPECT_EQ(parse_target("http://h:80/").str(), "http://h:80/"); // a default port stays
  const std::string longest = "http://h/" + std::string(8'000'000 - 9, 'a');
  EXPECT_EQ(parse_target(longest).path.size(), 8'000'000U - 8);
  const auto e = url_error(longest + "a");
  EXPECT_TRUE(e.ends_with("': it is longer than 8000000 bytes")) << e.substr(e.size() - 80);
}

TEST(Url, PathsAreKeptAsWritten) {
  EXPECT_EQ(parse_target("http://x/a/../b/./c%2F?q=%20").str(), "http://x/a/../b/./c%2F?q=%20");
  EXPECT_EQ(parse_target("http://x/?").str(), "http://x/");
  EXPECT_EQ(parse_target("http://x/p#frag").str(), "http://x/p");
  const auto u = parse_target("http://x/p?q#f?g");
  EXPECT_EQ(u.path, "/p");
  EXPECT_EQ(u.query, "q"); // '#' ends the query; a '?' after it is the fragment's
  EXPECT_EQ(parse_target("http://x?q").str(), "http://x/?q");
  EXPECT_EQ(parse_target("http://x/a\\b").path, "/a\\b");
}

TEST(Url, StrNeverLetsAPathExtendTheHost) {
  auto url = parse_target("http://localhost:3000");
  url.path = "@127.0.0.1:9/internal";
  EXPECT_EQ(url.str(), "http://localhost:3000/@127.0.0.1:9/internal");
  EXPECT_EQ(parse_target(url.str()).host, "localhost");
}

TEST(Url, AddQueryParam) {
  EXPECT_EQ(add_query_param("http://x/", "a", "1"), "http://x/?a=1");
  EXPECT_EQ(add_query_param("http://x/?b=2", "a", "1"), "http://x/?b=2&a=1");
  EXPECT_EQ(add_query_param("http://x/?", "a", "1"), "http://x/?a=1");
}

// The differential tests: the new parse_target against the reference above, on hand-written
// inputs and on generated ones. Agreeing means both refuse (with the same message, unless the
// reference's came from libcurl's curl_url_strerror: those the new parser words itself) or both
// accept with equal fields.
namespace url_test_differential {

using hooktool::ExitCode;
using hooktool::model::Url;

// What one parser made of one input.
struct Outcome {
  bool accepted = false;
  Url url;
  std::string error; // what() of the usage error when refused
  ExitCode code = ExitCode::usage;
};

template <typename Parse> Outcome outcome(Parse parse, std::string_view text) {
  Outcome out;
  try {
    out.url = parse(text);
    out.accepted = true;
  } catch (const Error& e) {
    out.error = e.what();
    out.code = e.code();
  }
  return out;
}

// The input for a failure message: bytes outside printable ASCII as \xNN, long ones cut.
std::string shown(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text.substr(0, 160)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7F || c == '\\') {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    } else {
      out += c;
    }
  }
  if (text.size() > 160)
    out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::string fields(const Url& u) {
  return "scheme=" + shown(u.scheme) + " host=" + shown(u.host) +
         " port=" + std::to_string(u.port) + " path=" + shown(u.path) + " query=" + shown(u.query);
}

// Every reason libcurl's curl_url_strerror gives, lower-cased as the reference wrote it.
const std::set<std::string>& curl_reasons() {
  static const std::set<std::string> reasons = [] {
    std::set<std::string> out;
    for (int rc = CURLUE_OK + 1; rc < CURLUE_LAST; ++rc)
      out.insert(hooktool::util::to_lower(curl_url_strerror(static_cast<CURLUcode>(rc))));
    return out;
  }();
  return reasons;
}

// The reasons the new parser gives where the reference passed on libcurl's.
const std::set<std::string>& own_reasons() {
  static const std::set<std::string> reasons{"port must be a number from 1 to 65535",
                                             "it is longer than 8000000 bytes"};
  return reasons;
}

// The reason in "invalid URL '<text>': <reason>", or the whole message when it is not one.
std::string reason(std::string_view text, const std::string& message) {
  const auto prefix = "invalid URL '" + hooktool::util::printable(text) + "': ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

// How the two disagree on text; empty when they agree.
std::string disagreement(std::string_view text, const Outcome& was, const Outcome& now) {
  if (was.accepted != now.accepted)
    return was.accepted ? "the reference accepts (" + fields(was.url) +
                              "), the new parser refuses: " + now.error
                        : "the reference refuses (" + was.error +
                              "), the new parser accepts: " + fields(now.url);
  if (was.accepted) {
    if (fields(was.url) != fields(now.url))
      return "reference " + fields(was.url) + "\n      new       " + fields(now.url);
    if (was.url.str() != now.url.str())
      return "str() differs: " + was.url.str() + " vs " + now.url.str();
    return {};
  }
  if (was.code != now.code || now.code != ExitCode::usage)
    return "exit codes differ";
  const auto was_reason = reason(text, was.error);
  const auto now_reason = reason(text, now.error);
  if (curl_reasons().contains(was_reason)) {
    if (!own_reasons().contains(now_reason))
      return "libcurl's refusal '" + was_reason + "' became '" + now.error + "'";
    return {};
  }
  if (was.error != now.error)
    return "messages differ:\n      reference " + was.error + "\n      new       " + now.error;
  return {};
}

// How many inputs the reference accepted and refused: a corpus of refusals only would prove
// little.
struct Tally {
  std::size_t accepted = 0;
  std::size_t refused = 0;
  std::size_t refused_by_curl = 0; // the reference's refusal came from libcurl
};

// Checks every input, failing with the first disagreements.
Tally expect_agreement(const std::vector<std::string>& inputs) {
  Tally tally;
  std::size_t disagreements = 0;
  std::string report;
  for (const auto& text : inputs) {
    const auto was = outcome(hooktool::url_test_reference::parse_target, text);
    const auto now = outcome(parse_target, text);
    if (was.accepted)
      ++tally.accepted;
    else
      ++tally.refused;
    if (!was.accepted && curl_reasons().contains(reason(text, was.error)))
      ++tally.refused_by_curl;
    const auto why = disagreement(text, was, now);
    if (why.empty())
      continue;
    if (++disagreements <= 20)
      report += "\n  '" + shown(text) + "': " + why;
  }
  EXPECT_EQ(disagreements, 0U) << disagreements << " of " << inputs.size()
                               << " inputs parse differently:" << report;
  return tally;
}

// Hand-written inputs: each shorthand, host, port, path, query and fragment rule, and what
// libcurl did with the odd ones (noted where it surprises).
std::vector<std::string> tricky_inputs() {
  std::vector<std::string> out{
      // shorthands
      "3000", ":3000", "localhost:3000", "localhost:3000/webhooks?x=1", ":3000/webhooks", "0", "00",
      "0080", "65535", "65536", "70000", "99999999999999999999999", ":", ":0", ":abc", "::1",
      ":::1", ":3000:4000", "localhost", "localhost:", "localhost:/", "localhost:/x",
      "example.com?x", "example.com#x", "example.com/", "h:80", "h:443", "[::1]:9000", "[::1]",
      "[::1]:", "-3000", "+3000", "3000/x", "3000?x", "3000#x", "1e3", "0x50",
      // schemes
      "http://h/", "https://h/", "HTTP://h/", "HtTpS://h/", "HTTP://[::1]:8080/a", "ftp://x",
      "file:///etc/passwd", "javascript://x", "ws://h/", "h+t.p://h/", "1http://h/", "http:/host",
      "http:host", "http:", "http:/", "http://", "http:///path", "http:////path", "//h/", "://h",
      "http:\\\\h\\", "http://\\h", "https:/h:443/x", "http//h", "http:://h",
      // hosts
      "http://localhost/", "http://LOCALHOST/", "http://Example.COM/", "http://example.com./",
      "http://example.com../", "http://./", "http://../", "http://a./", "http://.a/",
      "http://a..b/", "http://-a.com/", "http://a-.com/", "http://a_b/", "http://_/",
      "http://my_app:3000/", "http://xn--bcher-kva.example/",
      "http://b\xc3\xbc"
      "cher.example/",
      "b\xc3\xbc"
      "cher.example",
      "http://\xff/", "http://a%2eb/", "http://%61/", "http://a=b/",
      "stirpe:invoice.*=localhost:3000", "http://a!b/", "http://a~b/", "http://a*b/", "http://a'b/",
      "http://a;b/", "http://a,b/", "http://a$b/", "http://a&b/", "http://a(b)/", "http://a+b/",
      "http://a\\b/", "http://a\\@b/", "http://a{b}/", "http://a|b/", "http://a^b/", "http://a`b/",
      "http://a<b>/", "http://a\"b/", "http://3000/", "http://0/", "http://a.3000/",
      "http://3000.a/", "http://1a/", "http://a1/", "http://" + std::string(63, 'a') + ".com/",
      "http://" + std::string(64, 'a') + ".com/", "http://" + std::string(253, 'a') + "/",
      "http://" + std::string(254, 'a') + "/",
      "http://" + std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') +
          "." + std::string(61, 'd') + "/",
      "http://" + std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') +
          "." + std::string(62, 'd') + "/",
      "http://" + std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') +
          "." + std::string(61, 'd') + "./",
      // IPv4, and the forms libcurl would have normalised (127.1 -> 127.0.0.1)
      "http://127.0.0.1/", "http://10.0.0.255:1/", "http://255.255.255.255/", "http://0.0.0.0/",
      "http://256.0.0.1/", "http://1.2.3.4.5/", "http://1.2.3/", "http://1.2/", "http://127.1/",
      "http://010.0.0.1/", "http://0x7f.0.0.1/", "http://0x7f.1/", "http://2130706433/",
      "http://0x7f000001/", "http://017700000001/", "http://1.0x7f/", "http://0x7f/", "http://0x/",
      "http://0xg/", "http://1.2.3.0x4/", "http://1.2.3.4./", "http://1.2.3.04/",
      "http://01.2.3.4/", "http://1.2.3.-4/", "http://1.2.3.4a/", "http://a1.2.3.4/",
      "http://1.2.3.4:80/", "http://4294967295/", "http://4294967296/",
      "http://0xffffffffffffffffffff/", "http://1.0xffffffff/", "http://00x7f/",
      // IPv6 (kept as written; libcurl would have shortened some)
      "http://[::1]/", "http://[::]/", "http://[::1]:8080/", "http://[fe80::1:2]/",
      "http://[FE80::1:2]/", "http://[0:0:0:0:0:0:0:1]/", "http://[0000:0000::0001]/",
      "http://[::ffff:1.2.3.4]/", "http://[::FFFF:1.2.3.4]/", "http://[::1.2.3.4]/",
      "http://[1:2:3:4:5:6:7:8]/", "http://[1:2:3:4:5:6:7:8:9]/", "http://[1::2::3]/",
      "http://[:::]/", "http://[::g]/", "http://[12345::]/", "http://[1.2.3.4]/",
      "http://[::1%25eth0]/", "http://[::1%eth0]/", "http://[fe80::1%251]/", "http://[::1",
      "http://[::1]x/", "http://[::1]]/", "http://[[::1]]/", "http://[::1]:80]/", "http://[]/",
      "http://[/", "http://]/", "http://[::1]:/", "http://[::1]:0/", "http://[::1]:65536/",
      "http://::1/", "http://[::1]a:80/", "http://[ ::1]/", "http://[v1.x]/", "[::1]x",
      "http://[::1]@h/", "http://h@[::1]/",
      "http://[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]/",
      "http://[0000:0000:0000:0000:0000:0000:0000:0000]:1/", "http://[::ffff:01.2.3.4]/",
      "http://[00000::]/", "http://[::1]:08/", "[::1]:80/x?y#z", "http://[::ffff:1.2.3]/",
      "http://[::ffff:1.2.3.256]/",
      // ports
      "http://h:80/", "http://h:443/", "https://h:443/", "https://h:80/", "http://h:0/",
      "http://h:00/", "http://h:1/", "http://h:01/", "http://h:0080/", "http://h:65535/",
      "http://h:065535/", "http://h:65536/", "http://h:99999/", "http://h:99999999999999999999999/",
      "http://h:" + std::string(40, '0') + "80/", "http://h:/", "http://h:", "http://h:?x",
      "http://h:#x", "http://h::80/", "http://h:80:80/", "http://h:+80/", "http://h:-80/",
      "http://h:80x/", "http://h:x80/", "http://h:0x50/", "http://h:8%30/", "http://h:\xd9\xa0/",
      "http://h:80\\/", "localhost:99999", "localhost:abc",
      // credentials
      "http://user:pw@host/", "http://user@host/", "http://@host/", "http://:@host/",
      "http://host/@evil", "http://a@b@c/", "user@host", "http://u%40@h/", "http://h/?@",
      "http://h/#@x", "http://h?@x/", "http://h#@x/",
      // paths, queries and fragments, kept as written
      "http://h", "http://h?x", "http://h?", "http://h#", "http://h#f", "http://h/?", "http://h/#",
      "http://h/?#", "http://h/#?", "http://h/p?q#f", "http://h/p#f?q", "http://h/p?q?r",
      "http://h/p?q#f#g", "http://h/p?q#f?g", "http://h/p#f#g", "http://h/a/../b/./c%2F?q=%20",
      "http://h/.", "http://h/..", "http://h/./a/", "http://h//a", "http://h///", "http://h/%",
      "http://h/%zz", "http://h/%00", "http://h/%2e%2e/", "http://h/a\\b", "http://h/\\",
      "http://h\\a", "http://h/a:b", "http://h/@127.0.0.1:9/x",
      "http://h/\xc3\xa4?\xc3\xbc#\xc3\xb6", "http://h/\xff\xfe", "http://h/\x80", "http://h/a;b=c",
      "http://h/[x]", "http://h/{x}", "http://h/a|b", "http://h/a^b", "http://h/a`b",
      "http://h/a\"b", "http://h/<x>", "http://h/a'b", "http://h/~u", "http://h/?q=a+b&c=d",
      "http://h/?next=http://x/", "localhost:3000/cb?next=http://x/", "http://h/?a=%",
      "http://h/p?%zz", "http://h/p?#", "http://h/p?q#", "http://h/p%23?%3F", "http://h/http://x",
      "http://h/?://", "http://h/a?b/c#d/e",
      // spaces and control bytes, inside and around
      "", " ", "\t", "\n", " http://h/ ", "\thttp://h/\n", "\r\nhttp://h/\r\n", "http://a b/",
      "http://h/a b", "http://h/?a b", "http://h/#a b", "http://h/\t", "http://h/\x01",
      "http://h/\x7f", "http://h/\x1f", "http://h/a\nb", "http://h/a\rb",
      std::string("http://h\0/", 10), std::string("http://h/\0", 10),
      std::string("http://h/\0x", 11), std::string("\0", 1), "\xc2\xa0http://h/",
      "http://h/\xc2\xa0", "\x0bhttp://h/", "\x0chttp://h/"};
  // Around libcurl's input limit (CURL_MAX_INPUT_LENGTH, 8000000 bytes, the short forms
  // spelled out): the longest accepted and the shortest refused, with and without a scheme.
  const std::size_t limit = 8'000'000;
  const std::string absolute = "http://h/";
  const std::string bare = "h/";
  out.push_back(absolute + std::string(limit - absolute.size(), 'a'));
  out.push_back(absolute + std::string(limit - absolute.size() + 1, 'a'));
  out.push_back(bare + std::string(limit - bare.size() - 7, 'a'));
  out.push_back(bare + std::string(limit - bare.size() - 6, 'a'));
  out.push_back("http://h:0" + std::string(limit - 10, 'a')); // a bad port, and too long
  out.push_back("http://h:" + std::string(limit - 9, '0'));   // port 0 in 8000000 bytes
  out.push_back("http://h:" + std::string(limit - 8, '0'));
  return out;
}

// Random inputs from the pieces a URL is made of, good and bad, with random bytes inserted.
class Generator {
public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  std::string next() {
    std::string url;
    const auto shape = below(20);
    if (shape == 0) {
      url = digits(1 + below(6)); // "3000"
    } else if (shape == 1) {
      url = ":" + port_text() + tail(); // ":3000/x"
    } else {
      url = pick(kSchemes);
      if (chance(15))
        url += pick(kUserinfo);
      url += host();
      if (chance(50))
        url += ":" + port_text();
      url += tail();
    }
    if (chance(15))
      mutate(url);
    if (chance(5))
      url = pick(kSpaces) + url + pick(kSpaces);
    return url;
  }

private:
  static constexpr const char* kSchemes[] = {
      "http://",  "https://", "",         "",           "",         "HTTP://",
      "hTTps://", "ftp://",   "http:/",   "http:",      "http:///", "//",
      "ws://",    "h+t.p://", "1http://", "https:\\\\", "http://\\"};
  static constexpr const char* kUserinfo[] = {"user@", "user:pass@", "@", ":@", "u%40@", "[::1]@"};
  static constexpr const char* kSpaces[] = {" ", "\t", "\n", "\r\n", "", "\x0b", "\xc2\xa0"};
  static constexpr const char* kPieces[] = {
      "a",    "B",    "0",         "9",    "-",    "_",   ".", "..", "%",  "%2F", "%2e",
      "%zz",  "%00",  "?",         "#",    "@",    ":",   "/", "//", "\\", " ",   "\t",
      "\x01", "\x7f", "\xc3\xa4",  "\xff", "\x80", ";",   "=", "&",  "+",  "~",   "!",
      "$",    "'",    "(",         "*",    ",",    "[",   "]", "{",  "|",  "^",   "`",
      "\"",   "<",    "http://x/", "://",  "%20",  "a=1", "x"};
  static constexpr const char* kOddHosts[] = {"",
                                              "localhost",
                                              "LOCALHOST",
                                              "xn--bcher-kva.example",
                                              "b\xc3\xbc"
                                              "cher.example",
                                              "a\\b",
                                              "[",
                                              "]",
                                              "[]",
                                              "a]b",
                                              "a[b",
                                              "127.0.0.1.",
                                              "0x7f",
                                              "1.0x7f",
                                              "0",
                                              "3000",
                                              "a%2eb",
                                              "%61",
                                              "stirpe:invoice.*=localhost",
                                              "a=b",
                                              ".",
                                              "..",
                                              "a..b",
                                              "-a",
                                              "a-",
                                              "_",
                                              "a b",
                                              "a@b",
                                              "4294967295",
                                              "0xffffffffffffffffffffff",
                                              "1.0xffffffff",
                                              "::1",
                                              "[::1]x",
                                              "[::1"};

  std::uint32_t below(std::uint32_t n) {
    return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng_);
  }
  bool chance(std::uint32_t percent) { return below(100) < percent; }
  template <std::size_t N> std::string pick(const char* const (&list)[N]) {
    return list[below(static_cast<std::uint32_t>(N))];
  }
  std::string digits(std::uint32_t n) {
    std::string out;
    for (std::uint32_t i = 0; i < n; ++i)
      out += static_cast<char>('0' + below(10));
    return out;
  }
  std::string from(std::string_view alphabet, std::uint32_t n) {
    std::string out;
    for (std::uint32_t i = 0; i < n; ++i)
      out += alphabet[below(static_cast<std::uint32_t>(alphabet.size()))];
    return out;
  }

  std::string label() {
    const auto r = below(40);
    if (r == 0)
      return std::string(63, 'x');
    if (r == 1)
      return std::string(64, 'y');
    if (r < 5)
      return digits(1 + below(3));
    if (r < 7)
      return "0x" + from("0123456789abcdefABCDEF", 1 + below(4));
    if (r < 9)
      return from("abc-_019%!*~+=$',;&()\xc3\xa4", 1 + below(6)); // often not a label
    return from("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_", 1 + below(10));
  }

  std::string dns_name() {
    std::string out = label();
    const auto more = below(4);
    for (std::uint32_t i = 0; i < more; ++i)
      out += "." + label();
    if (chance(10))
      out += ".";
    if (chance(2))
      out = std::string(240 + below(20), 'a') + "." + out;
    return out;
  }

  std::string ipv4_part() {
    const auto r = below(10);
    if (r < 6)
      return std::to_string(below(256));
    if (r == 6)
      return std::to_string(256 + below(100));
    if (r == 7)
      return "0" + std::to_string(below(256));
    if (r == 8)
      return "0x" + from("0123456789abcdefABCDEF", 1 + below(3));
    return std::to_string(below(4'000'000'000U));
  }

  std::string ipv4() {
    const auto parts = below(8) == 0 ? 1 + below(5) : 4;
    std::string out = ipv4_part();
    for (std::uint32_t i = 1; i < parts; ++i)
      out += "." + ipv4_part();
    if (chance(5))
      out += ".";
    return out;
  }

  std::string hex_group() {
    if (chance(3))
      return from("0123456789abcdefABCDEFg", 5);
    return from("0123456789abcdefABCDEF", 1 + below(4));
  }

  std::string ipv6() {
    // 8 groups, a run of them left out as "::" or not, now and then an IPv4 tail or a zone id.
    const bool v4_tail = chance(15);
    const std::uint32_t groups = (v4_tail ? 6 : 8) + (chance(5) ? 1 : 0) - (chance(5) ? 1 : 0);
    std::vector<std::string> g;
    for (std::uint32_t i = 0; i < groups; ++i)
      g.push_back(hex_group());
    std::string out;
    if (chance(70)) {
      const auto from_group = below(groups + 1);
      const auto count = below(groups + 1 - from_group);
      for (std::uint32_t i = 0; i < from_group; ++i)
        out += (i ? ":" : "") + g[i];
      out += "::";
      for (std::uint32_t i = from_group + count; i < groups; ++i)
        out += g[i] + (i + 1 < groups ? ":" : "");
    } else {
      for (std::uint32_t i = 0; i < groups; ++i)
        out += (i ? ":" : "") + g[i];
    }
    if (v4_tail)
      out += (out.ends_with(':') ? "" : ":") + ipv4();
    if (chance(5))
      out += pick(kZones);
    return out;
  }
  static constexpr const char* kZones[] = {"%25eth0", "%eth0", "%251", "%", "%25"};

  std::string host() {
    const auto r = below(20);
    if (r < 8)
      return dns_name();
    if (r < 12)
      return ipv4();
    if (r < 16) {
      std::string out = "[" + ipv6();
      if (!chance(3))
        out += "]";
      if (chance(3))
        out += pick(kPieces);
      return out;
    }
    if (r < 19)
      return pick(kOddHosts);
    return from("abc.:[]@%\\0123\xc3", 1 + below(8));
  }

  std::string port_text() {
    const auto r = below(20);
    if (r < 8)
      return std::to_string(below(65536));
    if (r < 10)
      return std::to_string(65536 + below(100'000));
    if (r < 12)
      return std::string(1 + below(30), '0') + std::to_string(below(70'000));
    if (r < 13)
      return "";
    if (r < 14)
      return "0";
    if (r < 15)
      return digits(15 + below(15));
    return std::to_string(below(70'000)) + pick(kPieces) + (chance(50) ? digits(2) : "");
  }

  std::string pieces(std::uint32_t max) {
    std::string out;
    const auto n = below(max + 1);
    for (std::uint32_t i = 0; i < n; ++i)
      out += pick(kPieces);
    return out;
  }

  // What follows the authority: path, query, fragment, each present or not.
  std::string tail() {
    std::string out;
    if (chance(75))
      out += "/" + pieces(6);
    if (chance(35))
      out += "?" + pieces(5);
    if (chance(20))
      out += "#" + pieces(4);
    return out;
  }

  void mutate(std::string& url) {
    const auto times = 1 + below(3);
    for (std::uint32_t i = 0; i < times; ++i) {
      const auto at = below(static_cast<std::uint32_t>(url.size() + 1));
      const auto r = below(3);
      if (r == 0 && at < url.size())
        url.erase(at, 1);
      else if (r == 1 && at < url.size())
        url[at] = pick(kPieces).front();
      else
        url.insert(at, pick(kPieces));
    }
  }

  std::mt19937 rng_;
};

// The inputs the URL fuzz target starts from (tests/fuzz/corpus/url), each whole and, when it
// is "url\0name\0value", its URL part and add_query_param's result.
std::vector<std::string> fuzz_seeds() {
  std::vector<std::string> out;
  const std::filesystem::path dir =
      std::filesystem::path(HOOKTOOL_SOURCE_DIR) / "tests/fuzz/corpus/url";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    out.push_back(text);
    const auto first = text.find('\0');
    if (first == std::string::npos)
      continue;
    const auto rest = text.substr(first + 1);
    const auto second = rest.find('\0');
    out.push_back(text.substr(0, first));
    out.push_back(add_query_param(text.substr(0, first), rest.substr(0, second),
                                  second == std::string::npos ? "" : rest.substr(second + 1)));
  }
  return out;
}

} // namespace url_test_differential

TEST(UrlDifferential, TrickyInputsParseAsWithLibcurl) {
  const auto tally =
      url_test_differential::expect_agreement(url_test_differential::tricky_inputs());
  EXPECT_GT(tally.accepted, 100U);
  EXPECT_GT(tally.refused, 100U);
  EXPECT_GT(tally.refused_by_curl, 10U);
}

TEST(UrlDifferential, FuzzSeedsParseAsWithLibcurl) {
  (void)url_test_differential::expect_agreement(url_test_differential::fuzz_seeds());
}

TEST(UrlDifferential, GeneratedInputsParseAsWithLibcurl) {
  url_test_differential::Generator generator(20240611);
  std::vector<std::string> inputs;
  constexpr std::size_t kCount = 100'000;
  inputs.reserve(kCount);
  for (std::size_t i = 0; i < kCount; ++i)
    inputs.push_back(generator.next());
  // What the accepted ones print (Url::str()) parses the same way too.
  std::vector<std::string> printed;
  for (const auto& text : inputs) {
    try {
      printed.push_back(hooktool::url_test_reference::parse_target(text).str());
    } catch (const Error&) {
    }
  }
  inputs.insert(inputs.end(), printed.begin(), printed.end());
  const auto tally = url_test_differential::expect_agreement(inputs);
  // Enough of each kind to mean something.
  EXPECT_GT(tally.accepted, inputs.size() / 5);
  EXPECT_GT(tally.refused, inputs.size() / 5);
  EXPECT_GT(tally.refused_by_curl, 1000U);
}
