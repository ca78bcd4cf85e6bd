// Robustness suite (issue 7, items 3-5 and 7): network faults seen by `send` and
// `listen --forward-to`, hostile input to `listen`, and captures under faults (SIGKILL,
// SIGTERM, full disk, unwritable path). Loopback only; every wait is bounded.

#include "../e2e/background.hpp"
#include "../e2e/listen_fixture.hpp"
#include "../e2e/process.hpp"
#include "../e2e/receiver.hpp"
#include "../e2e/temp_dir.hpp"
#include "raw_socket.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <httplib.h>
#include <iostream>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <regex>
#include <string>
#include <sys/mount.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_robustness {

using namespace std::chrono_literals;
using e2e::Stream;

namespace {

constexpr const char* kSecret = "whsec_robustness_test_secret";
using Clock = std::chrono::steady_clock;
using raw::connect_loopback;
using raw::loopback_listener;
using raw::response_count;
using raw::send_all;

// ---------------------------------------------------------------- sockets

// A loopback port on which nothing listens (bound, then closed).
int dead_port() {
  int port = 0;
  const int fd = loopback_listener(port);
  ::close(fd);
  return port;
}

// Reads until EOF, error, timeout, or `until(buffer)` holds.
std::string read_some(int fd, std::chrono::milliseconds timeout,
                      const std::function<bool(const std::string&)>& until) {
  std::string buf;
  bool closed = false;
  raw::read_until(fd, buf, Clock::now() + timeout, until, closed);
  return buf;
}

bool has_head(const std::string& b) {
  return b.find("\r\n\r\n") != std::string::npos;
}

// "HTTP/1.1 413 ..." -> 413; -1 when no status line arrived (closed / reset).
int status_of(const std::string& response) {
  static const std::regex re(R"(^HTTP/1\.[01] ([0-9]{3}))");
  std::smatch m;
  if (std::regex_search(response, m, re))
    return std::stoi(m[1].str());
  return -1;
}

// True when the server closes (or resets) the connection within timeout; bytes it still
// sends are read and dropped.
bool peer_closes(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    char tmp[4096];
    const auto r = ::recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
      return true;
  }
}

// The answer to one raw request and whether the server then closed the connection.
struct RawAnswer {
  std::string bytes;
  bool closed = false;
};
RawAnswer raw_exchange_then_close(int port, const std::string& request,
                                  std::chrono::milliseconds timeout = 5s) {
  RawAnswer out;
  const int fd = connect_loopback(port);
  if (fd < 0)
    return out;
  (void)send_all(fd, request, Clock::now() + timeout);
  out.bytes = read_some(fd, timeout, has_head);
  out.closed = peer_closes(fd, timeout);
  ::close(fd);
  return out;
}

// Sends raw bytes to 127.0.0.1:port and returns whatever answer came back (bounded).
std::string raw_exchange(int port, const std::string& request,
                         std::chrono::milliseconds timeout = 5s) {
  const int fd = connect_loopback(port);
  if (fd < 0)
    return {};
  (void)send_all(fd, request, Clock::now() + timeout);
  auto r = read_some(fd, timeout, has_head);
  ::close(fd);
  return r;
}

// A raw TCP server on loopback: each accepted connection is handed to `handler` on the
// server thread. Stops (bounded) on destruction.
class RawServer {
public:
  explicit RawServer(std::function<void(int)> handler) : handler_(std::move(handler)) {
    fd_ = loopback_listener(port_);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
          continue;
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0)
          continue;
        ++accepted_;
        handler_(c);
      }
    });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int accepted() const { return accepted_; }
  [[nodiscard]] std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::atomic<bool> stop_{false};

private:
  std::function<void(int)> handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

// Reads a request's head (bounded) so that the client is past sending.
std::string read_request_head(int c) {
  return read_some(c, 3s, has_head);
}

void reset_close(int c) {
  linger l{1, 0};
  ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(c);
}

// ---------------------------------------------------------------- hooktool helpers

std::vector<std::string> send_args(const std::string& to, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"send", "stripe", "invoice.paid", "--to", to, "--secret", kSecret};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// Exactly one non-empty stderr line, prefixed "hooktool:".
::testing::AssertionResult one_error_line(const std::string& err) {
  const auto lines = e2e::lines_of(err);
  if (lines.size() != 1)
    return ::testing::AssertionFailure()
           << "expected one stderr line, got " << lines.size() << ":\n"
           << err;
  if (lines[0].rfind("hooktool:", 0) != 0)
    return ::testing::AssertionFailure() << "stderr line lacks 'hooktool:' prefix: " << lines[0];
  return ::testing::AssertionSuccess();
}

// A normal delivery from an independent client; its status, or -1 for no answer.
int normal_post(int port, std::chrono::milliseconds* took = nullptr) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2, 0);
  cli.set_read_timeout(5, 0);
  cli.set_write_timeout(5, 0);
  const auto start = Clock::now();
  auto res = cli.Post("/hook", R"({"id":"evt_normal","type":"ping"})", "application/json");
  if (took)
    *took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return res ? res->status : -1;
}

struct CaptureLines {
  std::vector<nlohmann::json> complete; // lines ending in '\n' that parse
  std::size_t bad_complete = 0;         // lines ending in '\n' that do not parse
  std::string torn;                     // bytes after the last '\n'
};

CaptureLines read_capture(const std::string& path) {
  CaptureLines c;
  std::string text;
  try {
    text = e2e::read_file(path);
  } catch (...) {
    return c;
  }
  std::size_t pos = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', pos)) {
    const auto line = text.substr(pos, nl - pos);
    pos = nl + 1;
    try {
      c.complete.push_back(nlohmann::json::parse(line));
    } catch (...) {
      ++c.bad_complete;
    }
  }
  c.torn = text.substr(pos);
  return c;
}

std::string base64_decode(const std::string& in) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0;
  int bits = -8;
  for (const char ch : in) {
    const auto p = chars.find(ch);
    if (p == std::string::npos)
      continue; // '=' padding
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

} // namespace

// ================================================================ A. network faults: send

TEST(NetworkFaults, ConnectionRefusedIsOneLineExit1) {
  const auto r = e2e::hooktool(send_args("127.0.0.1:" + std::to_string(dead_port())), 15s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(one_error_line(r.err));
  EXPECT_NE(r.err.find("connect"), std::string::npos) << r.describe();
}

TEST(NetworkFaults, ResetMidResponseIsOneLineExit1) {
  RawServer srv([](int c) {
    (void)read_request_head(c);
    (void)send_all(c, "HTTP/1.1 2", Clock::now() + 2s);
    reset_close(c);
  });
  const auto r = e2e::hooktool(send_args(srv.url()), 15s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(one_error_line(r.err));
  EXPECT_GE(srv.accepted(), 1);
}

TEST(NetworkFaults, GarbageAnswerIsOneLineExit1) {
  RawServer srv([](int c) {
    (void)read_request_head(c);
    (void)send_all(c, "NOT HTTP\r\n\r\n", Clock::now() + 2s);
    ::close(c);
  });
  const auto r = e2e::hooktool(send_args(srv.url(), {"--json"}), 15s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto lines = e2e::json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_TRUE(lines[0]["status"].is_null()) << r.describe();
  EXPECT_TRUE(lines[0].contains("error")) << r.describe();
  // Without --json: exactly one error line on stderr.
  const auto p = e2e::hooktool(send_args(srv.url()), 15s);
  EXPECT_EQ(p.exit_code, 1) << p.describe();
  EXPECT_TRUE(one_error_line(p.err));
}

TEST(NetworkFaults, HugeResponseBodyTerminates) {
  constexpr std::size_t kTotal = 200u << 20; // 200 MiB
  std::atomic<std::size_t> written{0};
  RawServer srv([&](int c) {
    (void)read_request_head(c);
    const auto deadline = Clock::now() + 30s;
    if (!send_all(c,
                  "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                      std::to_string(kTotal) + "\r\nConnection: close\r\n\r\n",
                  deadline)) {
      ::close(c);
      return;
    }
    const std::string chunk(1u << 20, 'x');
    for (std::size_t sent = 0; sent < kTotal; sent += chunk.size()) {
      if (!send_all(c, chunk, deadline))
        break; // the client stopped reading (a cap): fine
      written += chunk.size();
    }
    ::close(c);
  });
  const auto r = e2e::hooktool(send_args(srv.url(), {"--json", "--timeout", "40"}), 45s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  // Either the whole answer was read and counted as 200, or the read was capped with a clear error.
  if (r.exit_code == 0) {
    const auto lines = e2e::json_lines(r.out);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["status"], 200);
  } else {
    EXPECT_EQ(r.exit_code, 1) << r.describe();
  }
  std::cout << "[figures] huge response: server wrote " << (written.load() >> 20)
            << " MiB, send exit=" << r.exit_code << " in " << r.elapsed.count() << " ms\n";
}

TEST(NetworkFaults, RedirectIsNotFollowed) {
  std::atomic<int> requests{0};
  int port = 0;
  RawServer srv([&](int c) {
    const auto head = read_request_head(c);
    if (head.empty()) {
      ::close(c);
      return;
    }
    ++requests;
    (void)send_all(c,
                   "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + std::to_string(port) +
                       "/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                   Clock::now() + 2s);
    ::close(c);
  });
  port = srv.port();
  const auto r = e2e::hooktool(send_args(srv.url(), {"--json"}), 15s);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto lines = e2e::json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_EQ(lines[0]["status"], 302) << r.describe();
  EXPECT_EQ(requests.load(), 1) << "redirect was followed";
  const auto p = e2e::hooktool(send_args(srv.url()), 15s);
  EXPECT_EQ(p.exit_code, 1) << p.describe();
  EXPECT_TRUE(one_error_line(p.err));
  EXPECT_NE(p.err.find("302"), std::string::npos) << p.describe();
}

TEST(NetworkFaults, RedirectIsFollowedWithLocationKeepingMethodAndBody) {
  std::mutex mu;
  std::vector<std::string> heads;
  int port = 0;
  RawServer srv([&](int c) {
    const auto head = read_request_head(c);
    if (head.empty()) {
      ::close(c);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      heads.push_back(head.substr(0, head.find("\r\n")));
    }
    const bool first = head.rfind("POST /hook ", 0) == 0;
    (void)send_all(
        c,
        first ? "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + std::to_string(port) +
                    "/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
              : std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: "
                            "close\r\n\r\nok"),
        Clock::now() + 2s);
    ::close(c);
  });
  port = srv.port();
  // Without --location the error says what happened and how to follow it.
  const auto plain = e2e::hooktool(send_args(srv.url()), 15s);
  EXPECT_EQ(plain.exit_code, 1) << plain.describe();
  EXPECT_NE(plain.err.find("/elsewhere, not followed"), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("--location"), std::string::npos) << plain.err;
  const auto r = e2e::hooktool(send_args(srv.url(), {"--json", "--location"}), 15s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = e2e::json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_EQ(lines[0]["status"], 200) << r.describe();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(heads.size(), 3u);
  EXPECT_EQ(heads[2], "POST /elsewhere HTTP/1.1") << "the POST (and its body) is re-sent";
}

TEST(NetworkFaults, DnsFailureIsOneLineExit1) {
  const auto r = e2e::hooktool(send_args("http://nonexistent.invalid/"), 5s);
  if (r.timed_out)
    GTEST_SKIP() << "the resolver hangs on .invalid (5 s); not a hooktool fault";
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(one_error_line(r.err));
  EXPECT_NE(r.err.find("resolve"), std::string::npos) << r.describe();
}

TEST(NetworkFaults, TlsSelfSignedWithoutInsecureFails) {
  auto l = e2e::start_listen({"--tls", "--quiet"});
  const std::string url = "https://127.0.0.1:" + std::to_string(l->port()) + "/hook";
  const auto r = e2e::hooktool(send_args(url), 15s);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(one_error_line(r.err));
  static const std::regex tls_words("certificate|ssl|tls", std::regex::icase);
  EXPECT_TRUE(std::regex_search(r.err, tls_words)) << r.describe();
  // and with --insecure the same listener answers
  const auto ok = e2e::hooktool(send_args(url, {"--insecure"}), 15s);
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
}

// ================================================================ A. forward faults

namespace {
struct ForwardCase {
  int status = -1;
  CaptureLines capture;
  std::string body;
};

ForwardCase forward_once(const std::string& target, const std::vector<std::string>& extra = {}) {
  e2e::TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  std::vector<std::string> args{"--quiet", "--capture", cap, "--forward-to", target};
  args.insert(args.end(), extra.begin(), extra.end());
  auto l = e2e::start_listen(args);
  ForwardCase fc;
  httplib::Client cli("127.0.0.1", l->port());
  cli.set_read_timeout(10, 0);
  auto res = cli.Post("/hook", R"({"id":"evt_fwd","type":"invoice.paid"})", "application/json");
  if (res) {
    fc.status = res->status;
    fc.body = res->body;
  }
  fc.capture = read_capture(cap);
  return fc;
}
} // namespace

TEST(ForwardFaults, SlowHandlerGives504AndCaptureKept) {
  e2e::Receiver slow;
  slow.hold_path("/hook", 5s);
  const auto start = Clock::now();
  const auto fc = forward_once(slow.url("/hook"), {"--forward-timeout", "0.3"});
  slow.release();
  EXPECT_EQ(fc.status, 504) << fc.body;
  EXPECT_LT(Clock::now() - start, 5s);
  ASSERT_EQ(fc.capture.complete.size(), 1u);
  EXPECT_TRUE(fc.capture.complete[0].contains("forward"));
  EXPECT_EQ(fc.capture.complete[0]["response"]["status"], 504);
}

TEST(ForwardFaults, DownHandlerGives502AndCaptureKept) {
  const auto fc = forward_once("http://127.0.0.1:" + std::to_string(dead_port()) + "/hook");
  EXPECT_EQ(fc.status, 502) << fc.body;
  ASSERT_EQ(fc.capture.complete.size(), 1u);
  EXPECT_EQ(fc.capture.complete[0]["response"]["status"], 502);
}

TEST(ForwardFaults, ResettingHandlerGives502AndCaptureKept) {
  RawServer srv([](int c) {
    (void)read_request_head(c);
    (void)send_all(c, "HTTP/1.1 2", Clock::now() + 2s);
    reset_close(c);
  });
  const auto fc = forward_once(srv.url("/hook"), {"--forward-timeout", "5"});
  EXPECT_EQ(fc.status, 502) << fc.body;
  ASSERT_EQ(fc.capture.complete.size(), 1u);
  EXPECT_EQ(fc.capture.complete[0]["response"]["status"], 502);
}

// ================================================================ B. hostile input to listen

class HostileInput : public ::testing::Test {
protected:
  void SetUp() override {
    listener = e2e::start_listen({"--json", "--capture", dir.file("cap.jsonl")});
    port = listener->port();
    ASSERT_EQ(normal_post(port), 200);
  }
  void TearDown() override {
    // The server keeps serving others after each hostile case.
    std::chrono::milliseconds took{0};
    EXPECT_EQ(normal_post(port, &took), 200) << listener->describe();
    EXPECT_LT(took, 2s);
    EXPECT_TRUE(listener->running()) << listener->describe();
  }
  std::vector<nlohmann::json> records() {
    std::vector<nlohmann::json> out;
    for (const auto& line : listener->lines(Stream::out))
      out.push_back(nlohmann::json::parse(line));
    return out;
  }
  e2e::TempDir dir;
  std::unique_ptr<e2e::Background> listener;
  int port = 0;
};

TEST_F(HostileInput, SlowlorisDoesNotStarveOthers) {
  std::atomic<bool> done{false};
  std::thread slow([&] {
    const int fd = connect_loopback(port);
    if (fd < 0) {
      done = true;
      return;
    }
    const std::string head = "POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaa\r\n";
    const auto end = Clock::now() + 3s;
    // The attack's own pacing: one byte every 200 ms (not a synchronisation).
    for (std::size_t i = 0; i < head.size() && Clock::now() < end; ++i) {
      if (!send_all(fd, head.substr(i, 1), Clock::now() + 1s))
        break;
      std::this_thread::sleep_for(200ms);
    }
    ::close(fd);
    done = true;
  });
  int served = 0;
  std::chrono::milliseconds worst{0};
  const auto end = Clock::now() + 4s;
  while (!done && Clock::now() < end) {
    std::chrono::milliseconds took{0};
    const int s = normal_post(port, &took);
    EXPECT_EQ(s, 200);
    worst = std::max(worst, took);
    ++served;
  }
  slow.join();
  EXPECT_GT(served, 0);
  EXPECT_LT(worst, 2s) << "a normal request was starved by the slowloris client";
  std::cout << "[figures] slowloris: " << served << " normal deliveries served meanwhile, worst "
            << worst.count() << " ms\n";
}

// Header limits (issue 18 item 3): too many headers, or a header block over the cap, is
// answered 431 and not recorded. -1 (no answer at all) is a failure, not a pass.
TEST_F(HostileInput, FiveThousandHeaders) {
  std::string req = "POST /many HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 5000; ++i)
    req += "X-H-" + std::to_string(i) + ": v\r\n";
  req += "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  const auto resp = raw_exchange(port, req);
  std::cout << "[figures] 5000 headers -> status " << status_of(resp) << "\n";
  EXPECT_EQ(status_of(resp), 431) << resp.substr(0, 200);
  EXPECT_FALSE(listener->wait_for_text(Stream::out, "\"/many\"", 500ms)) << "recorded";
}

TEST_F(HostileInput, HundredKilobyteHeaderLine) {
  const std::string req =
      "POST /long HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + std::string(100 * 1024, 'a') +
      "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  const auto resp = raw_exchange(port, req);
  std::cout << "[figures] 100 KB header line -> status " << status_of(resp) << "\n";
  EXPECT_EQ(status_of(resp), 431) << resp.substr(0, 200);
  EXPECT_FALSE(listener->wait_for_text(Stream::out, "\"/long\"", 500ms)) << "recorded";
}

TEST_F(HostileInput, DuplicateContentLengthIsNotSmuggled) {
  // Two different lengths: a server that takes the short one would read the rest as a
  // second request (/smuggled). RFC 9112 §6.3: such a message must be rejected.
  const std::string smuggled =
      "POST /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n";
  const std::string body = "{}" + smuggled;
  const std::string req = "POST /dup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
                          "Content-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  const int fd = connect_loopback(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(send_all(fd, req, Clock::now() + 3s));
  // Read both possible answers (bounded): one per request the server saw.
  const auto resp =
      read_some(fd, 1500ms, [](const std::string& b) { return response_count(b) >= 2; });
  const bool closed = peer_closes(fd, 3s);
  ::close(fd);
  std::cout << "[figures] duplicate Content-Length -> status " << status_of(resp) << "\n";
  // Let any second record arrive before looking (bounded wait on the listener's output).
  (void)listener->wait_for_text(Stream::out, "/smuggled", 500ms);
  for (const auto& rec : records())
    EXPECT_NE(rec["path"], "/smuggled") << "ambiguous Content-Length let a second request "
                                           "through: "
                                        << rec.dump();
  // RFC 9112 §6.3: 400, then close (the rest of the bytes cannot be framed).
  EXPECT_EQ(status_of(resp), 400) << "conflicting Content-Length: " << resp.substr(0, 300);
  EXPECT_EQ(response_count(resp), 1U) << resp.substr(0, 300);
  EXPECT_TRUE(closed) << "the connection stayed open after an unframeable request";
}

// Content-Length with Transfer-Encoding is ambiguous framing (RFC 9112 §6.1, issue 18
// item 4): 400 and close, not recorded.
TEST_F(HostileInput, ContentLengthWithChunked) {
  const std::string req = "POST /te HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                          "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n"
                          "\r\n5\r\nhello\r\n0\r\n\r\n";
  const auto answer = raw_exchange_then_close(port, req, 3s);
  const int status = status_of(answer.bytes);
  std::cout << "[figures] CL + TE: chunked -> status " << status << "\n";
  EXPECT_EQ(status, 400) << answer.bytes.substr(0, 200);
  EXPECT_TRUE(answer.closed) << "the connection stayed open after ambiguous framing";
  EXPECT_FALSE(listener->wait_for_text(Stream::out, "\"/te\"", 500ms)) << "recorded";
}

TEST_F(HostileInput, NonUtf8HeadersAndBodyRoundTrip) {
  const std::string body = std::string("\xff\xfe\x80\xc3(binary\x00tail", 16) + "\xe2\x28\xa1";
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(5, 0);
  httplib::Headers h{{"X-Bin", "caf\xe9 \xff\xfe"}};
  auto res = cli.Post("/bin", h, body, "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const auto cap = read_capture(dir.file("cap.jsonl"));
  EXPECT_EQ(cap.bad_complete, 0u) << "a capture line is not valid JSON";
  EXPECT_TRUE(cap.torn.empty());
  bool found = false;
  for (const auto& rec : cap.complete) {
    if (rec["path"] != "/bin")
      continue;
    found = true;
    ASSERT_TRUE(rec.contains("body_base64")) << rec.dump();
    EXPECT_EQ(base64_decode(rec["body_base64"].get<std::string>()), body);
  }
  EXPECT_TRUE(found);
  // The --json stdout record must parse too.
  EXPECT_NO_THROW(records());
}

TEST_F(HostileInput, HundredMegabyteBodyGets413) {
  constexpr std::size_t kTotal = 100u << 20;
  const int fd = connect_loopback(port);
  ASSERT_GE(fd, 0);
  const auto deadline = Clock::now() + 20s;
  bool all_sent = send_all(fd,
                           "POST /big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                           "application/octet-stream\r\nContent-Length: " +
                               std::to_string(kTotal) + "\r\n\r\n",
                           deadline);
  const std::string chunk(1u << 20, 'b');
  std::size_t sent = 0;
  std::string early;
  while (all_sent && sent < kTotal) {
    // The server may answer 413 before reading everything: look for it between chunks.
    early += read_some(fd, 0ms, [](const std::string&) { return false; });
    if (!early.empty())
      break;
    if (!send_all(fd, chunk, deadline))
      all_sent = false;
    else
      sent += chunk.size();
  }
  const auto resp = early + read_some(fd, 3s, has_head);
  ::close(fd);
  const int status = status_of(resp);
  std::cout << "[figures] 100 MB body: client sent " << (sent >> 20) << " MiB, status " << status
            << "\n";
  // A declared oversize Content-Length is answered 413 (the client reads it between its
  // writes); no answer at all is a failure.
  EXPECT_EQ(status, 413) << resp.substr(0, 200);
}

TEST_F(HostileInput, DeeplyNestedJsonBody) {
  // Pretty mode is the risk (the printer must not overflow the stack): use a second listener.
  auto pretty = e2e::start_listen({});
  httplib::Client cli("127.0.0.1", pretty->port());
  cli.set_read_timeout(10, 0);
  auto res = cli.Post("/nested", std::string(300000, '['), "application/json");
  ASSERT_TRUE(res) << pretty->describe();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(normal_post(pretty->port()), 200) << pretty->describe();
  EXPECT_TRUE(pretty->running()) << pretty->describe();
  // Same body to the --json listener (capture and record serialisation).
  httplib::Client cli2("127.0.0.1", port);
  cli2.set_read_timeout(10, 0);
  auto res2 = cli2.Post("/nested", std::string(300000, '['), "application/json");
  ASSERT_TRUE(res2) << listener->describe();
  EXPECT_EQ(res2->status, 200);
}

// ================================================================ C. capture under faults

TEST(CaptureFaults, MissingDirectoryFailsAtStart) {
  e2e::TempDir dir;
  const auto r =
      e2e::hooktool({"listen", "--port", "0", "--capture", dir.file("no/such/dir/c.jsonl")}, 10s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(one_error_line(r.err));
}

TEST(CaptureFaults, UnwritablePathFailsAtStart) {
  // Tests may run as root, which bypasses file modes: a directory is unwritable as a file.
  e2e::TempDir dir;
  const auto r = e2e::hooktool({"listen", "--port", "0", "--capture", dir.path().string()}, 10s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(one_error_line(r.err));
  if (::geteuid() != 0) {
    const auto f = dir.write("ro.jsonl", "");
    std::filesystem::permissions(f, std::filesystem::perms::owner_read);
    const auto r2 = e2e::hooktool({"listen", "--port", "0", "--capture", f}, 10s);
    EXPECT_EQ(r2.exit_code, 2) << r2.describe();
    EXPECT_TRUE(one_error_line(r2.err));
  }
}

namespace {
struct BurstResult {
  long acked = 0;
  long answered_non2xx = 0;
  long no_answer = 0;
  CaptureLines capture;
};

// Runs `senders` concurrent `send --duplicate N --json` against a `listen --capture --quiet`
// and stops the listener with `sig` once `kill_after` lines are on disk.
BurstResult burst_and_stop(int sig, const std::string& cap, int senders, int duplicates,
                           std::size_t kill_after) {
  auto l = e2e::start_listen({"--quiet", "--capture", cap});
  const std::string to = "127.0.0.1:" + std::to_string(l->port()) + "/hook";
  std::vector<e2e::ProcessResult> results(static_cast<std::size_t>(senders));
  std::vector<std::thread> threads;
  for (int i = 0; i < senders; ++i)
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] = e2e::hooktool(
          send_args(to, {"--duplicate", std::to_string(duplicates), "--json", "--timeout", "5"}),
          40s);
    });
  // Bounded poll on the capture file's size.
  const auto deadline = Clock::now() + 20s;
  while (Clock::now() < deadline) {
    std::error_code ec;
    const auto text_size = std::filesystem::file_size(cap, ec);
    if (!ec && text_size > 0 && read_capture(cap).complete.size() >= kill_after)
      break;
    std::this_thread::yield();
  }
  l->send_signal(sig);
  const auto st = l->wait_exit(10s);
  for (auto& t : threads)
    t.join();
  BurstResult b;
  for (const auto& r : results)
    for (const auto& line : e2e::lines_of(r.out)) {
      const auto j = nlohmann::json::parse(line);
      if (j["status"].is_number() && j["status"].get<int>() / 100 == 2)
        ++b.acked;
      else if (j["status"].is_number())
        ++b.answered_non2xx;
      else
        ++b.no_answer;
    }
  b.capture = read_capture(cap);
  (void)st;
  return b;
}
} // namespace

TEST(CaptureFaults, SigkillDuringBurstLosesNothingAcknowledged) {
  e2e::TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  const auto b = burst_and_stop(SIGKILL, cap, 6, 100, 150);
  std::cout << "[figures] SIGKILL: acknowledged " << b.acked << ", complete capture lines "
            << b.capture.complete.size() << ", non-2xx " << b.answered_non2xx << ", no answer "
            << b.no_answer << ", torn tail " << b.capture.torn.size() << " bytes\n";
  EXPECT_GT(b.acked, 0);
  EXPECT_EQ(b.capture.bad_complete, 0u);
  EXPECT_GE(static_cast<long>(b.capture.complete.size()), b.acked)
      << "an acknowledged delivery is missing from the capture";
  // A torn last line, if any, is reported as truncated; --skip-bad skips it.
  std::string torn_file = cap;
  if (b.capture.torn.empty()) {
    // No torn line this time: make one from a real record, as a killed writer would leave it.
    torn_file = dir.file("torn.jsonl");
    const auto text = e2e::read_file(cap);
    const auto first_nl = text.find('\n');
    ASSERT_NE(first_nl, std::string::npos);
    e2e::write_file(torn_file, text + text.substr(0, first_nl / 2));
  }
  const auto r = e2e::hooktool({"replay", torn_file, "--to", "127.0.0.1:1"}, 20s);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.describe();
  const auto s =
      e2e::hooktool({"replay", torn_file, "--to", "127.0.0.1:1", "--skip-bad", "--last", "1"}, 20s);
  EXPECT_NE(s.exit_code, 2) << s.describe();
}

TEST(CaptureFaults, SigtermDuringBurstLosesNothingAcknowledged) {
  e2e::TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  const auto b = burst_and_stop(SIGTERM, cap, 6, 100, 150);
  std::cout << "[figures] SIGTERM: acknowledged " << b.acked << ", complete capture lines "
            << b.capture.complete.size() << ", non-2xx " << b.answered_non2xx << ", no answer "
            << b.no_answer << ", torn tail " << b.capture.torn.size() << " bytes\n";
  EXPECT_GT(b.acked, 0);
  EXPECT_EQ(b.capture.bad_complete, 0u);
  EXPECT_TRUE(b.capture.torn.empty()) << "SIGTERM left a torn line";
  EXPECT_GE(static_cast<long>(b.capture.complete.size()), b.acked);
}

namespace {
class TmpfsMount {
public:
  explicit TmpfsMount(const std::string& dir) : dir_(dir) {
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") == 0;
    err_ = errno;
  }
  ~TmpfsMount() {
    if (mounted_)
      ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  [[nodiscard]] bool mounted() const { return mounted_; }
  [[nodiscard]] int error() const { return err_; }

private:
  std::string dir_;
  bool mounted_ = false;
  int err_ = 0;
};
} // namespace

TEST(CaptureFaults, FullDiskAnswers507NeverFalse2xx) {
  e2e::TempDir dir;
  const auto mnt = dir.file("tiny");
  std::filesystem::create_directory(mnt);
  TmpfsMount m(mnt);
  if (!m.mounted())
    GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(m.error());
  const auto cap = mnt + "/cap.jsonl";
  int acked = 0;
  int insufficient = 0;
  int other = 0;
  bool ack_after_full = false;
  {
    auto l = e2e::start_listen({"--quiet", "--capture", cap});
    httplib::Client cli("127.0.0.1", l->port());
    cli.set_read_timeout(5, 0);
    const std::string body =
        R"({"id":"evt_disk","type":"ping","pad":")" + std::string(3000, 'p') + "\"}";
    for (int i = 0; i < 60; ++i) {
      auto res = cli.Post("/hook", body, "application/json");
      if (!res) {
        ++other;
        continue;
      }
      if (res->status / 100 == 2) {
        ++acked;
        if (insufficient > 0)
          ack_after_full = true;
      } else if (res->status == 507) {
        ++insufficient;
      } else {
        ++other;
      }
    }
    EXPECT_TRUE(l->running()) << l->describe();
  }
  const auto c = read_capture(cap);
  std::cout << "[figures] full disk: 2xx " << acked << ", 507 " << insufficient << ", other "
            << other << ", complete lines " << c.complete.size() << ", bad lines " << c.bad_complete
            << ", torn tail " << c.torn.size() << " bytes\n";
  EXPECT_GT(insufficient, 0) << "the disk never filled";
  EXPECT_EQ(other, 0);
  EXPECT_FALSE(ack_after_full) << "a 2xx came after the disk was full";
  EXPECT_EQ(c.bad_complete, 0u) << "a partial write corrupted a line";
  EXPECT_GE(static_cast<int>(c.complete.size()), acked);
}

} // namespace suite_robustness
