// HttpClient's plain path (net/plain_http) against a raw loopback server that records the bytes
// it receives and answers scripted bytes: it must send what the libcurl path sends for the same
// request, byte for byte, and report every answer and failure as the libcurl path does.
#include "model/url.hpp"
#include "net/plain_http.hpp"
#include "net/transfer.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <gtest/gtest.h>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace hooktool;

namespace plain_http_test {

using Clock = std::chrono::steady_clock;

// One accepted connection, seen from the server.
class RawConn {
public:
  explicit RawConn(int fd) : fd_(fd) {}
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  ~RawConn() { close(); }

  // The next request's bytes: its head and, when it says Content-Length, its body. nullopt
  // when the client closes or resets the connection, or nothing whole comes within `limit`.
  std::optional<std::string>
  read_request(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto deadline = Clock::now() + limit;
    std::size_t need = std::string::npos;
    for (;;) {
      if (need == std::string::npos) {
        const auto end = pending_.find("\r\n\r\n");
        if (end != std::string::npos)
          need = end + 4 + content_length(pending_.substr(0, end + 2));
      }
      if (need != std::string::npos && pending_.size() >= need) {
        auto request = pending_.substr(0, need);
        pending_.erase(0, need);
        return request;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (fd_ < 0 || left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0)
        return std::nullopt;
      char buf[65536];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return std::nullopt;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
  }
  void write(const std::string& bytes) {
    std::size_t off = 0;
    while (fd_ >= 0 && off < bytes.size()) {
      const auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      off += static_cast<std::size_t>(n);
    }
  }
  // Waits (bounded) until the client closes its end.
  void wait_for_close() {
    while (read_request(std::chrono::seconds(5))) {
    }
  }
  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }
  // Closes with a RST instead of a FIN.
  void reset() {
    const linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close();
  }
  [[nodiscard]] int fd() const { return fd_; }

private:
  static std::size_t content_length(const std::string& head) {
    std::size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string::npos) {
      pos += 2;
      const auto eol = head.find("\r\n", pos);
      const auto line = head.substr(pos, eol - pos);
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon == 14 &&
          ::strncasecmp(line.c_str(), "content-length", 14) == 0)
        return std::stoul(line.substr(colon + 1));
    }
    return 0;
  }

  int fd_;
  std::string pending_;
};

// A loopback server: every connection runs `handler` on a thread of its own; what it reads
// with `take` is recorded, in order.
class RawServer {
public:
  using Handler = std::function<void(RawConn&, RawServer&, int connection)>;

  explicit RawServer(Handler handler, int family = AF_INET) : handler_(std::move(handler)) {
    listener_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    }
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listener_);
      listener_ = -1;
      return;
    }
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;
  ~RawServer() {
    stop_ = true;
    if (acceptor_.joinable())
      acceptor_.join();
    {
      const std::lock_guard lock(mutex_);
      for (const int fd : open_)
        ::shutdown(fd, SHUT_RDWR); // ends a handler waiting for a request
    }
    for (auto& t : handlers_)
      t.join();
    if (listener_ >= 0)
      ::close(listener_);
  }

  [[nodiscard]] bool ok() const { return listener_ >= 0; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  // The connection's next request, recorded.
  std::optional<std::string> take(RawConn& c) {
    auto r = c.read_request();
    if (r) {
      const std::lock_guard lock(mutex_);
      requests_.push_back(*r);
    }
    return r;
  }
  [[nodiscard]] std::vector<std::string> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  // The last request recorded, and forgets every one.
  std::string last() {
    const std::lock_guard lock(mutex_);
    auto r = requests_.empty() ? std::string() : requests_.back();
    requests_.clear();
    return r;
  }
  [[nodiscard]] int connections() const { return connections_; }

private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      const int n = ++connections_;
      const std::lock_guard lock(mutex_);
      open_.push_back(fd);
      handlers_.emplace_back([this, fd, n] {
        RawConn c(fd);
        handler_(c, *this, n);
        const std::lock_guard done(mutex_);
        std::erase(open_, fd);
        c.close();
      });
    }
  }

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> handlers_;
  std::vector<int> open_;
  std::vector<std::string> requests_;
};

// Answers every request on every connection with `answer`, keeping the connection.
RawServer::Handler answer_all(std::string answer) {
  return [answer = std::move(answer)](RawConn& c, RawServer& s, int) {
    while (s.take(c))
      c.write(answer);
  };
}

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

net::HttpResponse via_libcurl(const model::HttpRequest& req, const net::ClientOptions& o = {}) {
  net::detail::Transfer t(o);
  t.prepare(req);
  return t.finish(curl_easy_perform(t.handle()));
}

net::HttpResponse via_plain(const model::HttpRequest& req, const net::ClientOptions& o = {}) {
  net::detail::PlainClient c(o);
  return c.send(req, model::parse_target(req.url));
}

model::HttpRequest request(std::string method, std::string url, model::Headers headers = {},
                           std::string body = {}) {
  model::HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

// The proxy variables libcurl reads are unset for each test (and put back after it).
class PlainHttp : public ::testing::Test {
protected:
  void SetUp() override {
    for (const char* name : kProxyVars) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }
  static constexpr const char* kProxyVars[] = {"http_proxy", "HTTP_PROXY", "all_proxy",
                                               "ALL_PROXY",  "no_proxy",   "NO_PROXY"};

private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// What the two paths gave for one scripted answer, side by side.
void expect_same(const net::HttpResponse& curl, const net::HttpResponse& plain,
                 const std::string& what) {
  EXPECT_EQ(plain.status, curl.status) << what;
  EXPECT_EQ(plain.headers, curl.headers) << what;
  EXPECT_EQ(plain.body, curl.body) << what;
  EXPECT_EQ(plain.body_size, curl.body_size) << what;
  EXPECT_EQ(plain.error, curl.error) << what << ": plain says '" << plain.error_message
                                     << "', libcurl '" << curl.error_message << "'";
  EXPECT_EQ(plain.refused, curl.refused) << what;
  EXPECT_EQ(net::failure_kind(plain), net::failure_kind(curl)) << what;
  EXPECT_EQ(plain.remote, curl.remote) << what;
}

} // namespace plain_http_test

namespace hooktool::model {
// Readable failures: a header as "Name: value".
void PrintTo(const Header& h, std::ostream* os) {
  *os << '"' << h.name << ": " << h.value << '"';
}
} // namespace hooktool::model

using namespace plain_http_test;

TEST_F(PlainHttp, SendsTheBytesLibcurlSends) {
  RawServer server(answer_all(kOk));
  ASSERT_TRUE(server.ok());
  const auto port = std::to_string(server.port());
  const std::string json = R"({"action":"opened","n":1})";
  const std::vector<model::HttpRequest> cases = {
      request("POST", server.url("/hooks/in"),
              {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", "sha256=ab"}}, json),
      request("POST", server.url("/"), {}, ""),
      request("POST", server.url("/"), {}, std::string("a\0b\r\n\xff", 6)),
      request("GET", server.url("/status")),
      request("GET", server.url("/search"), {{"Content-Type", "text/plain"}}, "with a body"),
      request("HEAD", server.url("/")),
      request("HEAD", server.url("/"), {}, "a body HEAD does not send"),
      request("PUT", server.url("/put")),
      request("DELETE", server.url("/item/7")),
      request("PATCH", server.url("/p"), {}, "x"),
      request("PURGE", server.url("/cache"), {{"X-Why", "custom method"}}, "b"),
      request("get", server.url("/lower")),
      request("POST", server.url("/"), {{"X-Empty", ""}, {"X-Blank", "  "}, {"X-Tab", "\t"}}),
      request("POST", server.url("/"), {{"X-Lead", "  spaced "}, {"x-lower", "v"}}),
      request("POST", server.url("/"), {{"B", "2"}, {"A", "1"}, {"B", "3"}, {"a", "4"}}),
      request("POST", server.url("/"),
              {{"X-Before", "1"}, {"host", "example.test"}, {"X-After", "2"}}),
      request("POST", server.url("/"), {{"Host", "first.test"}, {"HOST", "second.test"}}),
      request("POST", server.url("/"), {{"Host", ""}}),
      request("POST", server.url("/"), {{"Content-Length", "3"}}, "abc"),
      request("GET", server.url("/"), {{"content-length", "0"}}),
      request("POST", server.url("/"),
              {{"Accept", "application/json"},
               {"Accept-Encoding", "gzip"},
               {"User-Agent", "GitHub-Hookshot/abc"},
               {"Connection", "keep-alive"}}),
      request("POST", server.url("/q?a=1&b=%2F&c=x%20y")),
      request("POST", server.url("/a/../b")),
      request("POST", server.url("/a/./c/")),
      request("POST", server.url("/x%2Fy%2e%2E")),
      request("POST", server.url("//double//slash")),
      request("POST", server.url("/p?")),
      request("POST", server.url("/?")),
      request("POST", server.url("/p?#f?g")),
      request("POST", server.url("?x=1")),
      request("POST", server.url("/frag#part")),
      request("POST", server.url("")),
      request("POST", "http://localhost:" + port + "/by-name"),
      request("POST", "http://LocalHost:" + port + "/by-name"),
      request("POST", server.url("/last"), {}, "the bytes after any request above show here"),
  };
  // One client of each kind for all of them, as a command sends: the connection is kept, so a
  // byte too many after a request would come out at the start of the next one.
  net::detail::Transfer curl({});
  net::detail::PlainClient plain({});
  for (const auto& req : cases) {
    const auto what = req.method + " " + req.url + " (" + std::to_string(req.headers.size()) +
                      " headers, " + std::to_string(req.body.size()) + " body bytes)";
    curl.prepare(req);
    const auto by_curl = curl.finish(curl_easy_perform(curl.handle()));
    ASSERT_EQ(by_curl.error, net::TransportError::none) << what << ": " << by_curl.error_message;
    const auto curl_bytes = server.last();
    const auto by_plain = plain.send(req, model::parse_target(req.url));
    ASSERT_EQ(by_plain.error, net::TransportError::none) << what << ": " << by_plain.error_message;
    EXPECT_EQ(server.last(), curl_bytes) << what;
    EXPECT_EQ(by_plain.status, 200) << what;
  }
}

TEST_F(PlainHttp, ReadsEveryAnswerAsLibcurlDoes) {
  struct Case {
    std::string name;
    std::string method;
    std::string answer;
    enum class Then { keep, close, reset } then = Then::keep;
  };
  using Then = Case::Then;
  const std::vector<Case> cases = {
      {"Content-Length", "POST",
       "HTTP/1.1 201 Created\r\nServer: raw\r\nX-Two:  a b \r\nContent-Length: 5\r\n\r\nhello"},
      {"chunked with extensions and trailers", "POST",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
       "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"},
      {"close-delimited", "POST", "HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the end", Then::close},
      {"HTTP/1.0 close-delimited", "POST", "HTTP/1.0 200 OK\r\n\r\nold", Then::close},
      {"HEAD with a length", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\n"},
      {"HEAD chunked", "HEAD", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
      {"204", "POST", "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"},
      {"304", "GET", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 9\r\n\r\n"},
      {"interim 100 then 200", "POST",
       "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
       "HTTP/1.1 200 OK\r\nX-Final: 1\r\nContent-Length: 2\r\n\r\nok"},
      {"103 then 404", "POST",
       "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"},
      {"no reason phrase, bare LF", "POST", "HTTP/1.1 500\nX-A: 1\nContent-Length: 1\n\nx"},
      {"folded header, empty value, odd spacing", "POST",
       "HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b: c\r\nX-Empty:\r\nX-Spaced :  v  \r\n"
       "Content-Length: 0\r\n\r\n"},
      {"binary body", "POST",
       std::string("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\0\xff\r\n", 42)},
      {"Connection: close with a length", "POST",
       "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", Then::close},
      {"closed mid-body", "POST", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", Then::close},
      {"closed mid-chunk", "POST", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
       Then::close},
      {"reset mid-body", "POST", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", Then::reset},
      {"closed before any byte", "POST", "", Then::close},
      {"reset before any byte", "POST", "", Then::reset},
      {"header line without a colon", "POST",
       "HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 2\r\n\r\nok", Then::close},
      {"malformed status line", "POST", "HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
       Then::close},
  };
  for (const auto& c : cases) {
    RawServer server([&c](RawConn& conn, RawServer& s, int) {
      if (!s.take(conn))
        return;
      conn.write(c.answer);
      if (c.then == Then::close)
        conn.close();
      else if (c.then == Then::reset) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the answer is read first
        conn.reset();
      } else
        conn.wait_for_close();
    });
    ASSERT_TRUE(server.ok());
    net::ClientOptions options;
    options.timeout = std::chrono::seconds(5);
    const auto req = request(c.method, server.url("/"), {}, c.method == "POST" ? "{}" : "");
    const auto by_curl = via_libcurl(req, options);
    const auto by_plain = via_plain(req, options);
    expect_same(by_curl, by_plain, c.name);
    if (by_plain.error != net::TransportError::none) {
      EXPECT_FALSE(by_plain.error_message.empty()) << c.name;
      EXPECT_EQ(by_plain.error_message.find('\n'), std::string::npos) << c.name;
    }
  }
}

// Where the plain path is stricter than libcurl 7.88: a connection closed in the middle of the
// header block is a failure (libcurl reports the status and the headers so far as an answer).
TEST_F(PlainHttp, AConnectionClosedMidHeadersIsAFailure) {
  RawServer server([](RawConn& c, RawServer& s, int) {
    if (s.take(c))
      c.write("HTTP/1.1 200 OK\r\nX-A: 1\r\n");
  });
  const auto r = via_plain(request("POST", server.url("/"), {}, "{}"));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, net::TransportError::other);
  EXPECT_EQ(r.error_message, "the server closed the connection mid-response");
  EXPECT_TRUE(r.headers.empty());
}

TEST_F(PlainHttp, AMalformedAnswerFailsWithOneLine) {
  for (const std::string answer :
       {"HTTP/1.1 2OO OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n"}) {
    RawServer server([&](RawConn& c, RawServer& s, int) {
      if (s.take(c)) {
        c.write(answer);
        c.close();
      }
    });
    const auto r = via_plain(request("POST", server.url("/"), {}, "{}"));
    EXPECT_EQ(r.status, 0) << answer;
    EXPECT_EQ(r.error, net::TransportError::other) << answer;
    EXPECT_FALSE(r.error_message.empty()) << answer;
    EXPECT_EQ(r.error_message.find('\n'), std::string::npos) << r.error_message;
  }
}

TEST_F(PlainHttp, KeepsTheFirstBytesOfABodyOverTheLimitAndCountsThemAll) {
  const std::string body(100000, 'x');
  RawServer server(answer_all("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body));
  ASSERT_TRUE(server.ok());
  net::ClientOptions options;
  options.max_response_body = 1000;
  const auto req = request("POST", server.url("/"));
  const auto by_plain = via_plain(req, options);
  EXPECT_EQ(by_plain.status, 200);
  EXPECT_EQ(by_plain.body, body.substr(0, 1000));
  EXPECT_EQ(by_plain.body_size, 100000u);
  expect_same(via_libcurl(req, options), by_plain, "over the limit");

  RawServer chunked(answer_all("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"));
  options.max_response_body = 8;
  const auto by_plain_chunked = via_plain(request("POST", chunked.url("/")), options);
  EXPECT_EQ(by_plain_chunked.body, "abcdefgh");
  EXPECT_EQ(by_plain_chunked.body_size, 12u);
}

TEST_F(PlainHttp, AServerThatNeverAnswersTimesOutWithTheLibcurlMessage) {
  RawServer server([](RawConn& c, RawServer& s, int) {
    if (s.take(c))
      c.wait_for_close(); // reads the request, answers nothing
  });
  ASSERT_TRUE(server.ok());
  net::ClientOptions options;
  options.timeout = std::chrono::milliseconds(300);
  options.timeout_option = "--forward-timeout";
  const auto req = request("POST", server.url("/slow"), {}, "{}");
  const auto before = Clock::now();
  const auto by_plain = via_plain(req, options);
  const auto took = Clock::now() - before;
  EXPECT_EQ(by_plain.error, net::TransportError::timeout);
  EXPECT_EQ(net::failure_kind(by_plain), "timeout");
  EXPECT_EQ(by_plain.error_message, "timed out after 0.3 s (--forward-timeout)");
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::milliseconds(2000));
  EXPECT_GE(by_plain.duration_ms, 290);
  const auto by_curl = via_libcurl(req, options);
  EXPECT_EQ(by_plain.error_message, by_curl.error_message);
  expect_same(by_curl, by_plain, "timeout");
}

TEST_F(PlainHttp, ARefusedPortNamesHostAndPortAsLibcurlDoes) {
  int port = 0;
  {
    RawServer gone(answer_all(kOk));
    port = gone.port();
  }
  const auto req = request("POST", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "{}");
  const auto by_plain = via_plain(req);
  EXPECT_EQ(by_plain.error, net::TransportError::connect);
  EXPECT_TRUE(by_plain.refused);
  EXPECT_EQ(net::failure_kind(by_plain), "refused");
  EXPECT_EQ(by_plain.error_message,
            "nothing is listening on 127.0.0.1:" + std::to_string(port) + " (connection refused)");
  const auto by_curl = via_libcurl(req);
  EXPECT_EQ(by_plain.error_message, by_curl.error_message);
  expect_same(by_curl, by_plain, "refused");
}

TEST_F(PlainHttp, ANameThatDoesNotResolveIsADnsFailure) {
  const auto req = request("POST", "http://no-such-host.invalid:8080/", {}, "{}");
  const auto by_plain = via_plain(req);
  EXPECT_EQ(by_plain.error, net::TransportError::resolve);
  EXPECT_EQ(net::failure_kind(by_plain), "dns");
  EXPECT_EQ(by_plain.error_message, "Could not resolve host: no-such-host.invalid");
  const auto by_curl = via_libcurl(req);
  EXPECT_EQ(by_plain.error_message, by_curl.error_message);
  expect_same(by_curl, by_plain, "unresolved");
}

TEST_F(PlainHttp, ReportsTimeAndTheAddressItWentTo) {
  RawServer v4(answer_all(kOk));
  const auto r = via_plain(request("POST", v4.url("/")));
  EXPECT_EQ(r.remote, "127.0.0.1:" + std::to_string(v4.port()));
  EXPECT_GT(r.duration_us, 0);
  EXPECT_EQ(r.duration_ms, r.duration_us / 1000);

  RawServer v6(answer_all(kOk), AF_INET6);
  if (!v6.ok())
    GTEST_SKIP() << "no IPv6 loopback";
  const auto req = request("POST", "http://[::1]:" + std::to_string(v6.port()) + "/v6");
  const auto by_plain = via_plain(req);
  ASSERT_EQ(by_plain.error, net::TransportError::none) << by_plain.error_message;
  EXPECT_EQ(by_plain.remote, "[::1]:" + std::to_string(v6.port()));
  const auto plain_bytes = v6.last();
  EXPECT_NE(plain_bytes.find("\r\nHost: [::1]:" + std::to_string(v6.port()) + "\r\n"),
            std::string::npos);
  const auto by_curl = via_libcurl(req);
  EXPECT_EQ(v6.last(), plain_bytes);
  expect_same(by_curl, by_plain, "IPv6");
}

TEST_F(PlainHttp, KeepAliveCarriesTheNextRequestOnTheSameConnection) {
  RawServer server(answer_all("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  net::detail::PlainClient client({});
  const auto req = request("POST", server.url("/one"), {}, "{}");
  const auto url = model::parse_target(req.url);
  EXPECT_EQ(client.send(req, url).status, 200);
  EXPECT_EQ(client.send(req, url).status, 200);
  EXPECT_EQ(client.send(req, url).body, "ok");
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.connections(), 1);

  // An answer that ends the connection (Connection: close, HTTP/1.0, a close-delimited body)
  // is not reused: the next request opens a new one.
  RawServer closing([](RawConn& c, RawServer& s, int) {
    if (s.take(c))
      c.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  net::detail::PlainClient again({});
  const auto to_closing = request("POST", closing.url("/"));
  const auto closing_url = model::parse_target(to_closing.url);
  EXPECT_EQ(again.send(to_closing, closing_url).status, 200);
  EXPECT_EQ(again.send(to_closing, closing_url).status, 200);
  EXPECT_EQ(closing.connections(), 2);
}

TEST_F(PlainHttp, AKeptConnectionTheServerClosedIsReplacedAndTheRequestSentAgainOnce) {
  // Each connection answers its first request, then reads the next and ends without an answer
  // (closes on odd connections, resets on even ones), as a server whose idle timeout fires
  // while the request is on its way.
  RawServer server([](RawConn& c, RawServer& s, int n) {
    if (!s.take(c))
      return;
    c.write(kOk);
    if (!s.take(c))
      return;
    if (n % 2 == 0)
      c.reset();
    else
      c.close();
  });
  net::detail::PlainClient client({});
  const auto req = request("POST", server.url("/"), {}, "{}");
  const auto url = model::parse_target(req.url);
  for (int i = 1; i <= 3; ++i) {
    const auto r = client.send(req, url);
    EXPECT_EQ(r.error, net::TransportError::none) << i << ": " << r.error_message;
    EXPECT_EQ(r.status, 200) << i;
  }
  EXPECT_EQ(server.connections(), 3);
  EXPECT_EQ(server.requests().size(), 5u); // 1, 2 (lost) + 2 again, 3 (lost) + 3 again

  // The server closing a kept connection while it is idle: a new one, without a lost request.
  RawServer idle_close([](RawConn& c, RawServer& s, int) {
    if (s.take(c))
      c.write(kOk);
  });
  net::detail::PlainClient second({});
  const auto to_idle = request("POST", idle_close.url("/"));
  const auto idle_url = model::parse_target(to_idle.url);
  EXPECT_EQ(second.send(to_idle, idle_url).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(second.send(to_idle, idle_url).status, 200);
  EXPECT_EQ(idle_close.connections(), 2);
  EXPECT_EQ(idle_close.requests().size(), 2u);
}

TEST_F(PlainHttp, ANewConnectionThatFailsIsNotSentAgain) {
  RawServer server([](RawConn& c, RawServer& s, int) {
    if (s.take(c))
      c.close();
  });
  const auto r = via_plain(request("POST", server.url("/"), {}, "{}"));
  EXPECT_EQ(r.error, net::TransportError::connect);
  EXPECT_EQ(net::failure_kind(r), "connect");
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(PlainHttp, OnlyWhatNeedsNothingOfLibcurlTakesThePlainPath) {
  const auto eligible = [](const model::HttpRequest& req, const net::ClientOptions& o = {}) {
    return net::detail::plain_eligible(req, model::parse_target(req.url), o);
  };
  const auto plain = request("POST", "http://127.0.0.1:9/hook", {{"X-A", "1"}}, "{}");
  EXPECT_TRUE(eligible(plain));
  EXPECT_TRUE(eligible(request("GET", "HTTP://127.0.0.1:9/")));
  EXPECT_FALSE(eligible(request("POST", "https://127.0.0.1:9/hook")));
  net::ClientOptions follow;
  follow.follow_redirects = true;
  EXPECT_FALSE(eligible(plain, follow));
  net::ClientOptions decode;
  decode.decode_answer = true;
  EXPECT_FALSE(eligible(plain, decode));
  EXPECT_FALSE(eligible(request("POST", "http://127.0.0.1:9/", {{"expect", "100-continue"}})));
  EXPECT_FALSE(eligible(request("POST", "http://127.0.0.1:9/", {{"Expect", ""}})));
  EXPECT_FALSE(
      eligible(request("POST", "http://127.0.0.1:9/", {{"Transfer-Encoding", "chunked"}})));
  // A URL that is not spelled http:// (a shorthand parse_target reads) stays with libcurl.
  model::HttpRequest shorthand = request("POST", "127.0.0.1:9/");
  EXPECT_FALSE(net::detail::plain_eligible(shorthand, model::parse_target("http://127.0.0.1:9/"),
                                           net::ClientOptions{}));

  // The proxy variables libcurl reads for http:// (not HTTP_PROXY: libcurl ignores it).
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    ::setenv(name, "http://127.0.0.1:3128", 1);
    EXPECT_FALSE(eligible(plain)) << name;
    ::setenv(name, "", 1);
    EXPECT_TRUE(eligible(plain)) << name << " empty";
    ::unsetenv(name);
  }
  ::setenv("HTTP_PROXY", "http://127.0.0.1:3128", 1);
  EXPECT_TRUE(eligible(plain)) << "HTTP_PROXY";
  ::unsetenv("HTTP_PROXY");
  EXPECT_TRUE(eligible(plain));
}

TEST_F(PlainHttp, HttpClientStillRefusesUnsafeRequestsWithoutSending) {
  RawServer server(answer_all(kOk));
  net::HttpClient client({});
  const auto r =
      client.send(request("POST", server.url("/"), {{"X-Bad", "a\r\nInjected: 1"}}, "{}"));
  EXPECT_EQ(r.error, net::TransportError::other);
  EXPECT_NE(r.error_message.find("X-Bad"), std::string::npos);
  EXPECT_EQ(server.connections(), 0);
  const auto ok = client.send(request("POST", server.url("/"), {}, "{}"));
  EXPECT_EQ(ok.status, 200);
}
