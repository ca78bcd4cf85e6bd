// The listener's request reader (src/net/request_reader.*): exact bytes, strict RFC 9112
// framing, limits, pipelining, and byte-at-a-time arrival giving the same result.

#include "net/request_reader.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using hooktool::net::server::ParsedRequest;
using hooktool::net::server::ReaderLimits;
using hooktool::net::server::RequestReader;

// Feeds the whole input; every complete request is collected; error status or 0.
struct Outcome {
  std::vector<ParsedRequest> requests;
  int error = 0;
  std::size_t consumed = 0;
};

Outcome read_all(const std::string& input, ReaderLimits limits = {}, std::size_t step = 0) {
  RequestReader r(limits);
  Outcome o;
  std::string_view rest = input;
  while (!rest.empty()) {
    const auto piece = step == 0 ? rest : rest.substr(0, step);
    const auto used = r.feed(piece);
    o.consumed += used;
    rest.remove_prefix(used);
    if (r.failed()) {
      o.error = r.error().status;
      return o;
    }
    if (r.complete())
      o.requests.push_back(r.take());
    else if (used < piece.size())
      break; // cannot happen: the reader takes everything until complete
  }
  return o;
}

int status_of(const std::string& input, ReaderLimits limits = {}) {
  return read_all(input, limits).error;
}

TEST(RequestReader, KeepsHeadersExactlyInArrivalOrder) {
  const std::string req = "POST /hook?a=%2B HTTP/1.1\r\nhost: x\r\nX-Sig: v1=ab%2Bcd\r\n"
                          "x-b: %0d%0a\r\nX-A:  spaced value \t\r\nContent-Length: 3\r\n\r\nabc";
  for (std::size_t step : {0u, 1u, 7u}) {
    const auto o = read_all(req, {}, step);
    ASSERT_EQ(o.error, 0);
    ASSERT_EQ(o.requests.size(), 1u);
    const auto& r = o.requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/hook?a=%2B");
    ASSERT_EQ(r.headers.size(), 5u);
    EXPECT_EQ(r.headers[0].name, "host");
    EXPECT_EQ(r.headers[1].value, "v1=ab%2Bcd");
    EXPECT_EQ(r.headers[2].name, "x-b");
    EXPECT_EQ(r.headers[2].value, "%0d%0a");
    EXPECT_EQ(r.headers[3].value, "spaced value");
    EXPECT_EQ(r.body, "abc");
  }
}

TEST(RequestReader, AnyMethodToken) {
  for (const std::string m : {"TRACE", "PROPFIND", "QUERY", "X-CUSTOM!", "get"}) {
    const auto o = read_all(m + " / HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(o.requests.size(), 1u) << m;
    EXPECT_EQ(o.requests[0].method, m);
  }
  EXPECT_EQ(status_of("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
}

TEST(RequestReader, ChunkedBodyIsDechunkedOnly) {
  const std::string req = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "5;ext=1\r\nhe\r\nl\r\n0a\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (std::size_t step : {0u, 1u, 3u}) {
    const auto o = read_all(req, {}, step);
    ASSERT_EQ(o.error, 0) << step;
    ASSERT_EQ(o.requests.size(), 1u);
    EXPECT_EQ(o.requests[0].body, "he\r\nl0123456789");
  }
}

TEST(RequestReader, AmbiguousFramingIs400) {
  const std::string h = "POST / HTTP/1.1\r\nHost: x\r\n";
  EXPECT_EQ(status_of(h + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(status_of(h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
                          "Content-Length: 5\r\n\r\n"),
            400);
  EXPECT_EQ(status_of(h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(status_of(h + "Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\n"), 400);
  EXPECT_EQ(status_of(h + "Transfer-Encoding: gzip, chunked\r\n\r\n"), 400);
  EXPECT_EQ(status_of(h + "Transfer-Encoding: xchunked\r\n\r\n"), 400);
  for (const std::string cl : {"+2", "2abc", "2, 2", "0x10", "-1", "", " ", "1 2"})
    EXPECT_EQ(status_of(h + "Content-Length: " + cl + "\r\n\r\nab"), 400) << "'" << cl << "'";
  EXPECT_EQ(status_of(h + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nabc"), 400);
  // Identical repeats are one length (RFC 9112 §6.3).
  const auto same = read_all(h + "Content-Length: 2\r\nContent-Length: 02\r\n\r\nab");
  ASSERT_EQ(same.requests.size(), 1u);
  EXPECT_EQ(same.requests[0].body, "ab");
  EXPECT_EQ(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
}

TEST(RequestReader, MalformedHeadsAre400) {
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n"), 400);
  EXPECT_EQ(status_of(std::string("POST / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 34)), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\nX: a\r\n\r\n"), 400);         // bare LF
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nX : a\r\n\r\n"), 400);      // space before :
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n"), 400); // folding
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\n\r\n"), 400); // no Host
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/2.0\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(read_all("POST / HTTP/1.7\r\nHost: x\r\n\r\n").requests.at(0).minor_version, 1);
  EXPECT_EQ(status_of("POST / HTTX/1.1\r\nHost: x\r\n\r\n"), 400);
  const std::string chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(status_of(chunked + "zz\r\n"), 400);
  EXPECT_EQ(status_of(chunked + "2\r\nabc\r\n"), 400); // data longer than its size
  EXPECT_EQ(status_of(chunked + "2 x\r\nab\r\n"), 400);
}

TEST(RequestReader, LimitsGive431And413) {
  ReaderLimits small;
  small.max_head_bytes = 100;
  small.max_headers = 3;
  small.max_body = 10;
  // An endless header line stops at the cap without waiting for its end.
  RequestReader r(small);
  const std::string start = "POST / HTTP/1.1\r\nHost: x\r\nX-Long: ";
  (void)r.feed(start);
  EXPECT_FALSE(r.failed());
  (void)r.feed(std::string(200, 'a'));
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.error().status, 431);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", small), 431);
  // A declared oversize length is refused at the end of the head, before any body byte.
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", small), 413);
  EXPECT_EQ(
      status_of("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                small),
      413);
  // Chunked: refused as soon as a chunk size would take the body over the cap.
  const std::string chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(status_of(chunked + "6\r\nabcdef\r\n5\r\n", small), 413);
  EXPECT_EQ(status_of(chunked + "ffffffffffffffffffffffff\r\n", small), 413);
  const auto ok = read_all(chunked + "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n", small);
  ASSERT_EQ(ok.requests.size(), 1u);
  EXPECT_EQ(ok.requests[0].body, "abcdefghij");
}

TEST(RequestReader, PipelinedRequestsComeOutInOrder) {
  std::string in;
  for (int i = 0; i < 3; ++i)
    in += "POST /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" +
          std::to_string(i);
  const auto o = read_all(in);
  ASSERT_EQ(o.error, 0);
  ASSERT_EQ(o.requests.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(o.requests[static_cast<std::size_t>(i)].target, "/" + std::to_string(i));
    EXPECT_EQ(o.requests[static_cast<std::size_t>(i)].body, std::to_string(i));
  }
  EXPECT_EQ(o.consumed, in.size());
}

TEST(RequestReader, KeepAliveAndContinue) {
  EXPECT_FALSE(
      read_all("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").requests.at(0).keep_alive);
  EXPECT_FALSE(read_all("GET / HTTP/1.0\r\n\r\n").requests.at(0).keep_alive);
  EXPECT_TRUE(
      read_all("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").requests.at(0).keep_alive);
  RequestReader r;
  (void)r.feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_TRUE(r.take_continue());
  EXPECT_FALSE(r.take_continue());
  (void)r.feed("ab");
  ASSERT_TRUE(r.complete());
  // Leading empty lines before a request are ignored (RFC 9112 §2.2).
  EXPECT_EQ(read_all("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").requests.size(), 1u);
}

} // namespace
