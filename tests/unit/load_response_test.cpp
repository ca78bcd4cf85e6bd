// The load engine's incremental response parser: every way a response can be split, framed
// or broken.
#include "net/load_response.hpp"

#include <gtest/gtest.h>
#include <string>

using hooktool::net::ResponseParser;
using State = ResponseParser::State;

namespace {

// Feeds text in pieces of `step` bytes; returns the bytes used in total.
std::size_t feed_in_pieces(ResponseParser& p, const std::string& text, std::size_t step) {
  std::size_t used = 0;
  for (std::size_t i = 0; i < text.size() && p.state() == State::incomplete; i += step)
    used += p.feed(std::string_view(text).substr(i, step));
  return used;
}

const std::string kChunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";

} // namespace

TEST(LoadResponse, ContentLengthBodyInOneRead) {
  ResponseParser p;
  const std::string r = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello";
  EXPECT_EQ(p.feed(r), r.size());
  EXPECT_EQ(p.state(), State::complete);
  EXPECT_EQ(p.status(), 201);
  EXPECT_TRUE(p.keep_alive());
  EXPECT_EQ(p.body_bytes(), 5);
}

TEST(LoadResponse, EverySplitPointGivesTheSameResult) {
  const std::string r = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 11\r\n\r\nhello world";
  for (std::size_t step = 1; step <= r.size(); ++step) {
    ResponseParser p;
    EXPECT_EQ(feed_in_pieces(p, r, step), r.size()) << step;
    EXPECT_EQ(p.state(), State::complete) << step;
    EXPECT_EQ(p.status(), 200) << step;
    EXPECT_EQ(p.body_bytes(), 11) << step;
  }
}

TEST(LoadResponse, ChunkedBodyWithExtensionsAndTrailersAtAnySplit) {
  for (std::size_t step = 1; step <= kChunked.size(); ++step) {
    ResponseParser p;
    EXPECT_EQ(feed_in_pieces(p, kChunked, step), kChunked.size()) << step;
    EXPECT_EQ(p.state(), State::complete) << step;
    EXPECT_EQ(p.body_bytes(), 11) << step;
    EXPECT_TRUE(p.keep_alive());
  }
}

TEST(LoadResponse, StopsAtTheEndOfOneResponse) {
  ResponseParser p;
  const std::string one = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(p.feed(one + "HTTP/1.1 200 OK\r\n"), one.size());
  EXPECT_EQ(p.state(), State::complete);
  EXPECT_EQ(p.status(), 204);
  p.reset();
  EXPECT_EQ(p.state(), State::incomplete);
  EXPECT_FALSE(p.started());
}

TEST(LoadResponse, InterimResponsesAreSkipped) {
  ResponseParser p;
  const std::string r =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(feed_in_pieces(p, r, 7), r.size());
  EXPECT_EQ(p.state(), State::complete);
  EXPECT_EQ(p.status(), 202);
  EXPECT_EQ(p.body_bytes(), 2);
}

TEST(LoadResponse, SwitchingProtocolsFails) {
  ResponseParser p;
  p.feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
  EXPECT_EQ(p.state(), State::failed);
  EXPECT_NE(p.error().find("101"), std::string::npos) << p.error();
}

TEST(LoadResponse, ConnectionCloseAndHttp10EndKeepAlive) {
  ResponseParser a;
  a.feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(a.state(), State::complete);
  EXPECT_FALSE(a.keep_alive());
  ResponseParser b;
  b.feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(b.state(), State::complete);
  EXPECT_FALSE(b.keep_alive());
  ResponseParser c;
  c.feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(c.keep_alive());
  ResponseParser d;
  d.feed("HTTP/1.1 200 OK\r\nConnection: upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(d.keep_alive());
}

TEST(LoadResponse, BodyWithoutLengthEndsWithTheConnection) {
  ResponseParser p;
  p.feed("HTTP/1.1 200 OK\r\n\r\nsome bytes");
  EXPECT_EQ(p.state(), State::incomplete);
  p.feed(" more");
  p.on_eof();
  EXPECT_EQ(p.state(), State::complete);
  EXPECT_FALSE(p.keep_alive());
  EXPECT_EQ(p.body_bytes(), 15);
}

TEST(LoadResponse, ClosingMidResponseFails) {
  ResponseParser a;
  a.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  a.on_eof();
  EXPECT_EQ(a.state(), State::failed);
  EXPECT_NE(a.error().find("3 of 10"), std::string::npos) << a.error();
  ResponseParser b;
  b.feed("HTTP/1.1 200 OK\r\nContent-");
  b.on_eof();
  EXPECT_EQ(b.state(), State::failed);
  EXPECT_TRUE(b.started());
  ResponseParser c;
  c.feed(kChunked.substr(0, 60));
  c.on_eof();
  EXPECT_EQ(c.state(), State::failed);
  ResponseParser d;
  d.on_eof();
  EXPECT_EQ(d.state(), State::failed);
  EXPECT_FALSE(d.started());
  EXPECT_NE(d.error().find("without answering"), std::string::npos) << d.error();
}

TEST(LoadResponse, MalformedResponsesFail) {
  for (const std::string bad : {
           "HTTP/2 200 OK\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 200OK\r\n\r\n",
           "SMTP ready\r\n",
           "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
       }) {
    ResponseParser p;
    p.feed(bad);
    EXPECT_EQ(p.state(), State::failed) << bad;
    EXPECT_FALSE(p.error().empty()) << bad;
    EXPECT_FALSE(p.keep_alive()) << bad;
  }
}

TEST(LoadResponse, OversizedHeadersFail) {
  ResponseParser a;
  a.feed("HTTP/1.1 200 OK\r\nX-Long: " + std::string(ResponseParser::kMaxLine, 'a'));
  EXPECT_EQ(a.state(), State::failed);
  ResponseParser b;
  b.feed("HTTP/1.1 200 OK\r\n");
  for (int i = 0; i < 100 && b.state() == State::incomplete; ++i)
    b.feed("X-Many: " + std::string(1000, 'b') + "\r\n");
  EXPECT_EQ(b.state(), State::failed);
  EXPECT_NE(b.error().find("header block"), std::string::npos) << b.error();
}

TEST(LoadResponse, ResetReusesTheParser) {
  ResponseParser p;
  for (int i = 0; i < 3; ++i) {
    p.reset();
    const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
    EXPECT_EQ(feed_in_pieces(p, r, 3), r.size());
    EXPECT_EQ(p.state(), State::complete);
  }
}
