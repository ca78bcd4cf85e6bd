// send's load mode (--count/--concurrency/--rate/--duration) against an in-test receiver.
#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_load {

namespace {

using e2e::Receiver;
using json = nlohmann::json;

const std::string kSecret = "load-secret";

bool github_valid(const e2e::ReceivedRequest& q) {
  return q.header("X-Hub-Signature-256").value_or("") ==
         "sha256=" + e2e::ref::hex(e2e::ref::hmac(EVP_sha256(), kSecret, q.body));
}

e2e::ProcessResult load(const std::vector<std::string>& extra, const std::string& url) {
  std::vector<std::string> args{"send", "github", "push", "--to", url, "--secret", kSecret};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::hooktool(args);
}

// Every record of a listen capture file, parsed.
std::vector<json> capture_lines(const std::string& path) {
  std::vector<json> out;
  for (const auto& line : e2e::lines_of(e2e::read_file(path)))
    out.push_back(json::parse(line));
  return out;
}

// A loopback server speaking raw bytes: for each request it reads the head and the
// Content-Length body, then writes answer(n) (n counts requests from 1 on this server) and
// closes the connection when close_after(n). Bounded: every wait has a timeout.
class ScriptedServer {
public:
  using Answer = std::function<std::string(int)>;
  ScriptedServer(Answer answer, std::function<bool(int)> close_after)
      : answer_(std::move(answer)), close_after_(std::move(close_after)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("ScriptedServer: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/";
  }
  [[nodiscard]] int requests() const { return served_; }
  [[nodiscard]] int connections() const { return connections_; }

private:
  bool wait_readable(int fd) const {
    for (int i = 0; i < 300 && !stop_; ++i) { // 30 s at most
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0)
        return true;
    }
    return false;
  }
  // Serves one connection until the peer closes it or the script closes it.
  void serve_connection(int c) {
    std::string in;
    char buf[65536];
    for (;;) {
      const auto head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const auto cl = in.find("Content-Length: ");
        const auto len = cl < head_end ? std::stoul(in.substr(cl + 16)) : 0;
        if (in.size() >= head_end + 4 + len) {
          in.erase(0, head_end + 4 + len);
          const int n = ++served_;
          const auto out = answer_(n);
          if (!out.empty() && ::send(c, out.data(), out.size(), MSG_NOSIGNAL) < 0)
            return;
          if (close_after_(n))
            return;
          continue;
        }
      }
      if (!wait_readable(c))
        return;
      const auto got = ::recv(c, buf, sizeof buf, 0);
      if (got <= 0)
        return;
      in.append(buf, static_cast<std::size_t>(got));
    }
  }
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0)
        continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      ++connections_;
      serve_connection(c);
      ::close(c);
    }
  }

  Answer answer_;
  std::function<bool(int)> close_after_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> served_{0};
  std::atomic<int> connections_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Sends `extra` load to a real `hooktool listen --capture` and returns its capture records
// once it has seen `expected` deliveries (--count makes it exit then).
std::vector<json> load_into_listen(const std::vector<std::string>& extra, int expected,
                                   e2e::ProcessResult& sent) {
  e2e::TempDir dir;
  const auto cap = dir.file("load.jsonl");
  auto l = e2e::start_listen({"-q", "--capture", cap, "--count", std::to_string(expected),
                              "--secret", "github=" + kSecret});
  sent = load(extra, "http://127.0.0.1:" + std::to_string(l->port()) + "/hooks");
  const auto e = l->wait_exit(std::chrono::seconds(30));
  EXPECT_FALSE(e.timed_out) << l->describe();
  EXPECT_EQ(e.exit_code, 0) << l->describe();
  return capture_lines(cap);
}

} // namespace

TEST(LoadMode, FreshDeliveriesAllVerifyAtListenWithUniqueIds) {
  constexpr int kN = 3000;
  e2e::ProcessResult r;
  const auto recs =
      load_into_listen({"--count", std::to_string(kN), "--concurrency", "16", "--json"}, kN, r);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(recs.size(), static_cast<std::size_t>(kN));
  std::set<std::string> ids;
  std::set<std::string> hook_ids;
  int valid = 0;
  for (const auto& rec : recs) {
    valid += rec.at("verification").at("status") == "valid" ? 1 : 0;
    ids.insert(rec.at("event_id").get<std::string>());
  }
  EXPECT_EQ(valid, kN) << "every delivery the engine sent verifies";
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kN)) << "every delivery has its own id";
  EXPECT_EQ(json::parse(r.out).at("statuses").at("200"), kN);
}

TEST(LoadMode, SeveralIoThreadsDeliverExactlyCountAllValidWithUniqueIds) {
  // Three I/O threads, each with a producer of its own: 2001 (not a multiple of 3 or 10)
  // deliveries arrive, every one signed right and with an id of its own.
  constexpr int kN = 2001;
  e2e::ProcessResult r;
  const auto recs = load_into_listen(
      {"--count", std::to_string(kN), "--concurrency", "10", "--threads", "3", "--json"}, kN, r);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(recs.size(), static_cast<std::size_t>(kN));
  std::set<std::string> ids;
  int valid = 0;
  for (const auto& rec : recs) {
    valid += rec.at("verification").at("status") == "valid" ? 1 : 0;
    ids.insert(rec.at("event_id").get<std::string>());
  }
  EXPECT_EQ(valid, kN) << "every delivery the threads sent verifies";
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kN)) << "every delivery has its own id";
  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("requests"), kN);
  EXPECT_EQ(summary.at("statuses").at("200"), kN);
}

TEST(LoadMode, SamePayloadAtListenVerifiesAndRepeatsOneDelivery) {
  constexpr int kN = 500;
  e2e::ProcessResult r;
  const auto recs = load_into_listen(
      {"--count", std::to_string(kN), "--concurrency", "8", "--same-payload", "--json"}, kN, r);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(recs.size(), static_cast<std::size_t>(kN));
  std::set<std::string> ids;
  for (const auto& rec : recs) {
    EXPECT_EQ(rec.at("verification").at("status"), "valid");
    ids.insert(rec.at("event_id").get<std::string>());
  }
  EXPECT_EQ(ids.size(), 1u) << "--same-payload sends one delivery over and over";
}

TEST(LoadMode, ConnectionCloseAnswersReconnectEveryTime) {
  ScriptedServer srv(
      [](int) { return "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"; },
      [](int) { return true; });
  const auto r = load({"--count", "40", "--concurrency", "4", "--json"}, srv.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(json::parse(r.out).at("statuses").at("200"), 40);
  EXPECT_EQ(srv.requests(), 40);
  EXPECT_EQ(srv.connections(), 40) << "a connection the server closes is not reused";
}

TEST(LoadMode, IdleKeepAliveClosedByTheServerIsRetriedOnAFreshConnection) {
  // The server answers keep-alive but closes after every second request without saying so.
  ScriptedServer srv([](int) { return kOk; }, [](int n) { return n % 2 == 0; });
  const auto r = load({"--count", "30", "--concurrency", "1", "--json"}, srv.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("statuses").at("200"), 30) << r.out;
  EXPECT_TRUE(summary.at("errors").empty()) << r.out;
}

TEST(LoadMode, PeerClosingMidResponseIsAnErrorWithExitOne) {
  ScriptedServer srv(
      [](int) { return std::string("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"); },
      [](int) { return true; });
  const auto r = load({"--count", "5", "--concurrency", "2", "--json"}, srv.url());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("errors").at("other"), 5) << r.out;
  EXPECT_FALSE(summary.at("ok").get<bool>());
  EXPECT_EQ(summary.at("requests"), 5);
}

TEST(LoadMode, MalformedAnswerIsAnErrorAndTheHumanSummarySaysSo) {
  ScriptedServer srv([](int) { return std::string("SMTP ready\r\n"); }, [](int) { return true; });
  const auto r = load({"--count", "3"}, srv.url());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("other × 3"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("3 of 3 deliveries did not get the expected"), std::string::npos) << r.err;
}

TEST(LoadMode, SlowServerTimesOut) {
  ScriptedServer srv([](int) { return std::string(); }, [](int) { return false; });
  const auto r =
      load({"--count", "2", "--concurrency", "2", "--timeout", "0.3", "--json"}, srv.url());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(json::parse(r.out).at("errors").at("timeout"), 2) << r.out;
}

TEST(LoadMode, CountDeliversEachFreshlySignedOnce) {
  Receiver rx;
  const auto r = load({"--count", "60", "--concurrency", "8", "--json"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 60u);
  std::set<std::string> deliveries;
  std::set<std::string> bodies;
  for (const auto& q : reqs) {
    EXPECT_TRUE(github_valid(q));
    deliveries.insert(q.header("X-GitHub-Delivery").value_or(""));
    bodies.insert(q.body);
  }
  EXPECT_EQ(deliveries.size(), 60u) << "every delivery has its own id";
  EXPECT_EQ(bodies.size(), 60u) << "every payload is rendered afresh";

  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("requests"), 60);
  EXPECT_EQ(summary.at("statuses").at("200"), 60);
  EXPECT_TRUE(summary.at("errors").empty());
  EXPECT_TRUE(summary.at("ok").get<bool>());
  for (const auto* key : {"p50", "p90", "p99", "max"})
    EXPECT_GE(summary.at("latency_ms").at(key).get<double>(), 0.0) << key;
  EXPECT_LE(summary.at("latency_ms").at("p50").get<double>(),
            summary.at("latency_ms").at("max").get<double>());
  EXPECT_GT(summary.at("requests_per_second").get<double>(), 0.0);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one JSON object, nothing else on stdout";
}

TEST(LoadMode, SamePayloadRepeatsOneSignedDelivery) {
  Receiver rx;
  const auto r = load({"--count", "20", "--concurrency", "4", "--same-payload"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 20u);
  for (const auto& q : reqs) {
    EXPECT_EQ(q.body, reqs[0].body);
    EXPECT_EQ(q.header("X-GitHub-Delivery"), reqs[0].header("X-GitHub-Delivery"));
  }
}

TEST(LoadMode, HumanSummaryAndNoProgressWhenNotATerminal) {
  Receiver rx;
  const auto r = load({"--count", "10", "--concurrency", "2"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("10 deliveries in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("200 × 10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency: p50"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress bar on a pipe: " << r.err;
}

TEST(LoadMode, UnexpectedStatusesFailTheRun) {
  Receiver rx;
  rx.set_statuses({200, 500});
  const auto r = load({"--count", "6", "--json"}, rx.url());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto summary = json::parse(r.out);
  EXPECT_FALSE(summary.at("ok").get<bool>());
  EXPECT_GE(summary.at("unexpected").get<int>(), 1);
  EXPECT_EQ(summary.at("requests"), 6);
}

TEST(LoadMode, UnreachableTargetCountsConnectErrors) {
  const auto r = load({"--count", "5", "--json", "--timeout", "2"}, "http://127.0.0.1:1/hook");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("errors").at("connect"), 5);
}

TEST(LoadMode, RateLimitsStarts) {
  Receiver rx;
  // 20 deliveries at 100/s cannot finish before the 20th start at 190 ms.
  const auto r = load({"--count", "20", "--rate", "100", "--concurrency", "4", "--json"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx.requests().size(), 20u);
  EXPECT_GE(json::parse(r.out).at("duration_ms").get<int>(), 190);
}

TEST(LoadMode, DurationBoundsTheRun) {
  Receiver rx;
  const auto r = load({"--duration", "0.3", "--rate", "50", "--json"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto n = json::parse(r.out).at("requests").get<int>();
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 16); // 0.3 s at 50/s starts at most 16
  EXPECT_EQ(rx.requests().size(), static_cast<std::size_t>(n));
}

TEST(LoadMode, SaveWritesOneRecordPerDelivery) {
  Receiver rx;
  const auto path = std::filesystem::temp_directory_path() /
                    ("hooktool-e2e-load-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  const auto r = load({"--count", "7", "--concurrency", "3", "--save", path.string()}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const auto rec = json::parse(line);
    EXPECT_EQ(rec.at("verification").at("status"), "valid");
    EXPECT_EQ(rec.at("response").at("status"), 200);
    ++lines;
  }
  EXPECT_EQ(lines, 7);
  std::filesystem::remove(path);
}

TEST(LoadMode, SaveFromSeveralThreadsWritesEveryRecordWhole) {
  Receiver rx;
  const auto path = std::filesystem::temp_directory_path() /
                    ("hooktool-e2e-load-threads-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  const auto r = load(
      {"--count", "60", "--concurrency", "6", "--threads", "3", "--save", path.string()}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::ifstream in(path);
  std::string line;
  std::set<std::string> ids;
  while (std::getline(in, line)) {
    const auto rec = json::parse(line); // a record interleaved with another would not parse
    EXPECT_EQ(rec.at("verification").at("status"), "valid");
    ids.insert(rec.at("event_id").get<std::string>());
  }
  EXPECT_EQ(ids.size(), 60u);
  std::filesystem::remove(path);
}

TEST(LoadMode, IncompatibleFlagsAreUsageErrors) {
  Receiver rx;
  for (const auto& extra :
       std::vector<std::vector<std::string>>{{"--concurrency", "4"},
                                             {"--rate", "10"},
                                             {"--same-payload"},
                                             {"--threads", "2"},
                                             {"--count", "5", "--retries", "1"},
                                             {"--count", "5", "--duplicate", "2"},
                                             {"--count", "0"}}) {
    const auto r = load(extra, rx.url());
    EXPECT_EQ(r.exit_code, 2) << r.describe();
  }
  EXPECT_EQ(rx.requests().size(), 0u);
}

} // namespace e2e_load
