// Fuzzes --to parsing (model::parse_target) and model::add_query_param. Input: the --to text, or
// "url\0name\0value" for add_query_param.
#include "model/url.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_url: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

void check_target(std::string_view text) {
  using namespace hooktool;
  model::Url url;
  try {
    url = model::parse_target(text);
  } catch (const Error&) {
    return;
  }
  if (url.scheme != "http" && url.scheme != "https")
    fail("scheme is neither http nor https", url.scheme);
  if (url.path.empty() || url.path.front() != '/')
    fail("path does not start with '/'", url.path);
  if (url.host.empty())
    fail("empty host", text);
  if (url.port < 0 || url.port > 65535)
    fail("port out of range", text);
  const auto port = url.effective_port();
  if (port < 1 || port > 65535)
    fail("effective port out of range", text);
  // What str() prints must parse back to the same URL.
  const auto printed = url.str();
  model::Url again;
  try {
    again = model::parse_target(printed);
  } catch (const Error& e) {
    std::fprintf(stderr, "fuzz_url: re-parse of '%s' failed: %s\n", printed.c_str(), e.what());
    fail("Url::str() of a parsed URL does not parse", text);
  }
  if (again.scheme != url.scheme || again.host != url.host || again.port != url.port ||
      again.path != url.path || again.query != url.query)
    fail("Url::str() round trip changed the URL", printed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hooktool;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_target(input);
  const auto first = input.find('\0');
  if (first == std::string_view::npos)
    return 0;
  const auto rest = input.substr(first + 1);
  const auto second = rest.find('\0');
  const auto name = rest.substr(0, second);
  const auto value =
      second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);
  const auto base = input.substr(0, first);
  const auto out = model::add_query_param(base, name, value);
  if (out.size() < base.size() + name.size() + value.size() + 1)
    fail("add_query_param lost text", out);
  if (out.find(std::string(name) + "=" + std::string(value)) == std::string::npos)
    fail("add_query_param did not add name=value", out);
  check_target(out);
  return 0;
}
