// Fuzzes the capture-line reader (core::parse_capture_line). A line that parses must survive a
// round trip through to_capture_line: the re-parsed record has the same request (method, path,
// query, url, headers, body bytes), and serialising it again gives the same line. What it
// read can be sent as it is (#18 item 6): the method and every header name are HTTP tokens,
// no header value, path or query holds CR, LF or NUL (value_base64 included).
#include "core/capture.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, const std::string& line) {
  std::fprintf(stderr, "fuzz_capture: %s\nre-serialised line: %s\n", what, line.c_str());
  std::abort();
}

bool is_token(std::string_view s) {
  if (s.empty())
    return false;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(ch) == std::string_view::npos)
      return false;
  }
  return true;
}

bool breaks_lines(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hooktool;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  core::CaptureRecord record;
  try {
    record = core::parse_capture_line(input);
  } catch (const Error&) {
    return 0; // not a record: an expected outcome
  }
  if (!is_token(record.method))
    fail("a method that is not a token was read", record.method);
  for (const auto& h : record.headers) {
    if (!is_token(h.name))
      fail("a header name that is not a token was read", h.name);
    if (breaks_lines(h.value))
      fail("a header value holding CR, LF or NUL was read", h.value);
  }
  if (breaks_lines(record.path) || breaks_lines(record.query))
    fail("a path or query holding CR, LF or NUL was read", record.path + "?" + record.query);
  const auto line = core::to_capture_line(record);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1)
    fail("to_capture_line did not produce exactly one line", line);
  core::CaptureRecord again;
  try {
    again = core::parse_capture_line(line);
  } catch (const Error& e) {
    std::fprintf(stderr, "fuzz_capture: re-parse failed: %s\n", e.what());
    fail("a record that parsed does not parse after to_capture_line", line);
  }
  if (again.method != record.method)
    fail("method changed in the round trip", line);
  if (again.path != record.path)
    fail("path changed in the round trip", line);
  if (again.query != record.query)
    fail("query changed in the round trip", line);
  if (again.url != record.url)
    fail("url changed in the round trip", line);
  if (again.headers != record.headers)
    fail("headers changed in the round trip", line);
  if (again.body != record.body)
    fail("body bytes changed in the round trip", line);
  if (core::to_capture_line(again) != line)
    fail("serialising the re-parsed record gives another line", line);
  return 0;
}
