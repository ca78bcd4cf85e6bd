// Fuzzes the listener's request reader (net::server::RequestReader). The first byte picks the
// limits and how the rest is cut into arrivals; the rest is the byte stream of a connection.
// Checks: the reader always makes progress; whatever arrives in one piece or byte by byte
// gives the same requests and the same error; a request it accepts holds only what RFC 9112
// allows (token method and names, no CR/LF/NUL/CTL in values, body within the cap); and a
// request written back with Content-Length framing reads back the same.
#include "net/request_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using hooktool::net::server::ParsedRequest;
using hooktool::net::server::ReaderLimits;
using hooktool::net::server::RequestReader;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_request: %s\n", what);
  std::abort();
}

struct Result {
  std::vector<ParsedRequest> requests;
  int error = 0;
};

bool same(const ParsedRequest& a, const ParsedRequest& b) {
  return a.method == b.method && a.target == b.target && a.minor_version == b.minor_version &&
         a.headers == b.headers && a.body == b.body && a.keep_alive == b.keep_alive;
}

Result read(std::string_view input, const ReaderLimits& limits, std::size_t step) {
  RequestReader reader(limits);
  Result out;
  while (!input.empty()) {
    const auto piece = step == 0 ? input : input.substr(0, step);
    const auto used = reader.feed(piece);
    if (used > piece.size())
      fail("consumed more than it was given");
    input.remove_prefix(used);
    if (reader.failed()) {
      out.error = reader.error().status;
      if (out.error != 400 && out.error != 413 && out.error != 431 && out.error != 505)
        fail("unexpected error status");
      return out;
    }
    if (reader.complete()) {
      out.requests.push_back(reader.take());
      if (out.requests.size() > 64)
        return out;
    } else if (used != piece.size()) {
      fail("stopped before the end of a piece without a request or an error");
    }
  }
  return out;
}

void check_request(const ParsedRequest& r, const ReaderLimits& limits) {
  if (r.method.empty() || r.target.empty())
    fail("empty method or target");
  for (const char ch : r.method)
    if (!hooktool::net::server::is_tchar(static_cast<unsigned char>(ch)))
      fail("method is not a token");
  for (const char ch : r.target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f)
      fail("space or control byte in the target");
  }
  if (r.headers.size() > limits.max_headers)
    fail("more headers than the cap");
  for (const auto& h : r.headers) {
    if (h.name.empty())
      fail("empty header name");
    for (const char ch : h.name)
      if (!hooktool::net::server::is_tchar(static_cast<unsigned char>(ch)))
        fail("header name is not a token");
    for (const char ch : h.value) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        fail("control byte in a header value");
    }
    if (!h.value.empty() && (h.value.front() == ' ' || h.value.front() == '\t' ||
                             h.value.back() == ' ' || h.value.back() == '\t'))
      fail("header value not trimmed");
  }
  if (r.body.size() > limits.max_body)
    fail("body over the cap");
}

// The request written back with Content-Length framing (Transfer-Encoding and Content-Length
// dropped); must read back the same.
void check_round_trip(const ParsedRequest& r) {
  std::string wire =
      r.method + " " + r.target + (r.minor_version == 1 ? " HTTP/1.1" : " HTTP/1.0") + "\r\n";
  ParsedRequest want = r;
  want.headers.clear();
  for (const auto& h : r.headers) {
    const auto lower = [](std::string s) {
      for (auto& c : s)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      return s;
    }(h.name);
    if (lower == "content-length" || lower == "transfer-encoding")
      continue;
    wire += h.name + ": " + h.value + "\r\n";
    want.headers.push_back(h);
  }
  if (!r.body.empty()) {
    wire += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    want.headers.push_back({"Content-Length", std::to_string(r.body.size())});
  }
  wire += "\r\n" + r.body;
  ReaderLimits roomy;
  roomy.max_head_bytes = 1u << 20;
  roomy.max_headers = 1000;
  roomy.max_body = 1u << 20;
  const auto back = read(wire, roomy, 0);
  if (back.error != 0 || back.requests.size() != 1)
    fail("a request written back does not read back");
  if (!same(back.requests[0], want))
    fail("a request written back reads back different");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto control = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  ReaderLimits limits;
  if ((control & 0x80) != 0) { // small caps, so the fuzzer reaches them
    limits.max_head_bytes = 64 + (control & 0x0f) * 16;
    limits.max_headers = 1 + ((control >> 4) & 0x07);
    limits.max_body = (control & 0x0f) * 8;
  }
  const auto whole = read(input, limits, 0);
  const auto bytewise = read(input, limits, 1);
  const auto chunked = read(input, limits, 1 + (control & 0x07));
  for (const auto* other : {&bytewise, &chunked}) {
    if (other->error != whole.error || other->requests.size() != whole.requests.size())
      fail("the result depends on how the bytes arrived");
    for (std::size_t i = 0; i < whole.requests.size(); ++i)
      if (!same(other->requests[i], whole.requests[i]))
        fail("a request depends on how the bytes arrived");
  }
  for (const auto& r : whole.requests) {
    check_request(r, limits);
    check_round_trip(r);
  }
  return 0;
}
