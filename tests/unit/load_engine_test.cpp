// The load engine (net/load_engine) run in-process against a loopback server: exactly --count
// requests over several I/O threads and producers, each request once, the rate held over all
// threads, and answers to HEAD read without a body.
#include "net/load.hpp"
#include "net/load_engine.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace hooktool;

namespace load_engine_test {

// A loopback HTTP/1.1 server, a thread per connection: reads each request (head, then a
// Content-Length body), records its X-N header and its method, and writes `answer`.
class Server {
public:
  explicit Server(std::string answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(listener_, 64) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("Server: cannot listen");
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() {
    stop_ = true;
    acceptor_.join();
    {
      const std::lock_guard lock(mutex_);
      for (const int fd : open_)
        ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : handlers_)
      t.join();
    ::close(listener_);
  }
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/load";
  }
  // How many times each X-N value arrived, and the methods seen.
  [[nodiscard]] std::map<std::string, int> seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }
  [[nodiscard]] int requests() const { return requests_; }
  [[nodiscard]] int connections() const { return connections_; }

private:
  static std::string header(const std::string& head, const std::string& name) {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos)
      return {};
    const auto from = at + name.size() + 4;
    return head.substr(from, head.find("\r\n", from) - from);
  }
  void serve(int fd) {
    std::string in;
    char buf[65536];
    for (;;) {
      const auto end = in.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto head = in.substr(0, end + 2);
        const auto cl = header(head, "Content-Length");
        const auto need = end + 4 + (cl.empty() ? 0 : std::stoul(cl));
        if (in.size() >= need) {
          in.erase(0, need);
          {
            const std::lock_guard lock(mutex_);
            ++seen_[header(head, "X-N")];
          }
          ++requests_;
          if (::send(fd, answer_.data(), answer_.size(), MSG_NOSIGNAL) < 0)
            return;
          continue;
        }
      }
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0)
        return;
      const auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        return;
      in.append(buf, static_cast<std::size_t>(n));
    }
  }
  void accept_loop() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      ++connections_;
      const std::lock_guard lock(mutex_);
      open_.push_back(fd);
      handlers_.emplace_back([this, fd] {
        serve(fd);
        const std::lock_guard done(mutex_);
        std::erase(open_, fd);
        ::close(fd);
      });
    }
  }

  std::string answer_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> handlers_;
  std::vector<int> open_;
  std::map<std::string, int> seen_;
};

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// A source of POSTs numbered from the shared counter (X-N), as many sources as asked.
net::RequestSource numbered(const std::string& url, std::atomic<int>& next,
                            std::string method = "POST") {
  return [&next, url, method](model::HttpRequest& out) {
    out.method = method;
    out.url = url;
    out.headers = {{"X-N", std::to_string(next++)}};
    out.body = method == "POST" ? std::string(300, 'x') : std::string();
    return true;
  };
}

net::ClientOptions client() {
  net::ClientOptions o;
  o.timeout = std::chrono::seconds(5);
  return o;
}

TEST(LoadEngine, ShapeDefaultsAndLimits) {
  net::LoadOptions o;
  o.concurrency = 8;
  EXPECT_EQ(net::engine_shape(o).threads, 1) << "fresh without more sources: one thread";
  EXPECT_EQ(net::engine_shape(o).producers, 1);
  o.threads = 3;
  EXPECT_EQ(net::engine_shape(o).threads, 1) << "one source cannot feed several threads";
  o.more_sources = [] {
    return net::RequestSource();
  };
  EXPECT_EQ(net::engine_shape(o).threads, 3);
  EXPECT_EQ(net::engine_shape(o).producers, 3) << "a producer per I/O thread";
  o.producers = 1;
  EXPECT_EQ(net::engine_shape(o).producers, 3) << "never fewer producers than I/O threads";
  const auto cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto by_default = std::min({cores, net::kMaxDefaultIoThreads, 8});
  o.threads = 0;
  o.producers = 0;
  EXPECT_EQ(net::engine_shape(o).threads, by_default);
  EXPECT_EQ(net::engine_shape(o).producers, by_default);
  o.producers = 5;
  EXPECT_EQ(net::engine_shape(o).producers, std::max(5, by_default));
  o.threads = 20;
  EXPECT_EQ(net::engine_shape(o).threads, 8) << "at most one thread per connection";
  o.same_request = true;
  o.threads = 0;
  EXPECT_EQ(net::engine_shape(o).threads, by_default);
  EXPECT_EQ(net::engine_shape(o).producers, 0);
  o.concurrency = 1;
  EXPECT_EQ(net::engine_shape(o).threads, 1);
}

TEST(LoadEngine, SeveralThreadsAndProducersSendExactlyCountEachOnce) {
  Server srv(kOk);
  std::atomic<int> next{0};
  net::LoadOptions o;
  o.count = 1001; // not a multiple of the threads or the connections
  o.concurrency = 7;
  o.threads = 3;
  o.url = srv.url();
  o.more_sources = [&] {
    return numbered(srv.url(), next);
  };
  net::LoadProgress last{};
  const auto stats = net::run_load(numbered(srv.url(), next), client(), o, {},
                                   [&](const net::LoadProgress& p) { last = p; });
  EXPECT_EQ(stats.completed, 1001);
  EXPECT_EQ(stats.statuses.at(200), 1001);
  EXPECT_TRUE(stats.errors.empty());
  EXPECT_EQ(stats.latency.count(), 1001);
  EXPECT_EQ(last.done, 1001) << "the last progress report has every request";
  EXPECT_EQ(srv.requests(), 1001);
  const auto seen = srv.seen();
  EXPECT_EQ(seen.size(), 1001u) << "every request sent is a different one";
  for (const auto& [n, times] : seen)
    EXPECT_EQ(times, 1) << "X-N " << n;
  EXPECT_EQ(srv.connections(), 7);
}

TEST(LoadEngine, ResponsesReachTheSinkOneAtATimeFromSeveralThreads) {
  Server srv(kOk);
  std::atomic<int> next{0};
  net::LoadOptions o;
  o.count = 500;
  o.concurrency = 4;
  o.threads = 2;
  o.url = srv.url();
  o.more_sources = [&] {
    return numbered(srv.url(), next);
  };
  int seen = 0; // not atomic: the sink is called under the engine's lock
  std::map<std::string, int> numbers;
  const auto stats = net::run_load(numbered(srv.url(), next), client(), o,
                                   [&](const model::HttpRequest& req, const net::HttpResponse& r) {
                                     ++seen;
                                     EXPECT_EQ(r.status, 200);
                                     ++numbers[req.headers.at(0).value];
                                   },
                                   {});
  EXPECT_EQ(stats.completed, 500);
  EXPECT_EQ(seen, 500);
  EXPECT_EQ(numbers.size(), 500u);
}

TEST(LoadEngine, SamePayloadOnSeveralThreadsSendsExactlyCount) {
  Server srv(kOk);
  std::atomic<int> next{0};
  net::LoadOptions o;
  o.count = 333;
  o.concurrency = 4;
  o.threads = 4;
  o.same_request = true;
  o.url = srv.url();
  const auto stats = net::run_load(numbered(srv.url(), next), client(), o, {}, {});
  EXPECT_EQ(stats.completed, 333);
  EXPECT_EQ(srv.requests(), 333);
  EXPECT_EQ(srv.seen().at("0"), 333) << "one request, asked for once";
  EXPECT_EQ(next, 1);
}

TEST(LoadEngine, TheRateHoldsForAllThreadsTogether) {
  Server srv(kOk);
  std::atomic<int> next{0};
  net::LoadOptions o;
  o.count = 20;
  o.concurrency = 4;
  o.threads = 2;
  o.rate = 100; // the 20th request starts at 190 ms, whichever thread sends it
  o.url = srv.url();
  o.more_sources = [&] {
    return numbered(srv.url(), next);
  };
  const auto stats = net::run_load(numbered(srv.url(), next), client(), o, {}, {});
  EXPECT_EQ(stats.completed, 20);
  EXPECT_GE(stats.elapsed_us, 190000);
  EXPECT_LT(stats.elapsed_us, 2000000);
}

TEST(LoadEngine, AnswersToHeadHaveNoBodyWhateverTheirLength) {
  // A HEAD answer carries the Content-Length a GET would get, and no body: read as ending at
  // its head, every request completes (waiting for 12 body bytes would time each one out).
  Server srv("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
  std::atomic<int> next{0};
  net::LoadOptions o;
  o.count = 6;
  o.concurrency = 2;
  o.url = srv.url();
  auto c = client();
  c.timeout = std::chrono::seconds(2);
  const auto stats = net::run_load(numbered(srv.url(), next, "HEAD"), c, o, {}, {});
  EXPECT_EQ(stats.completed, 6);
  EXPECT_EQ(stats.statuses.count(200) ? stats.statuses.at(200) : 0, 6);
  EXPECT_TRUE(stats.errors.empty());
  EXPECT_EQ(srv.connections(), 2) << "each connection is kept for the next request";
}

} // namespace load_engine_test
