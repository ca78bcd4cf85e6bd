// End-to-end: `hooktool send` to a plain http:// URL goes without libcurl (the dynamic loader's
// own log, LD_DEBUG=files, names every library the child loads), and a proxy in the
// environment still sends it through libcurl (the proxy receives the absolute-form request).

#include "process.hpp"
#include "receiver.hpp"
#include "temp_dir.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace e2e_plain_send {

namespace {

using e2e::ProcessOptions;
using e2e::ProcessResult;
using e2e::Receiver;
using e2e::TempDir;

// A raw loopback server standing in for an HTTP proxy: records the head of every request it
// gets (request line and headers, as sent) and answers each with 200 and closes.
class RawProxy {
public:
  RawProxy() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("raw proxy: cannot listen on loopback");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  RawProxy(const RawProxy&) = delete;
  RawProxy& operator=(const RawProxy&) = delete;
  ~RawProxy() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] std::vector<std::string> heads() const {
    const std::lock_guard lock(mutex_);
    return heads_;
  }

private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0)
        continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0)
        continue;
      std::string got;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (got.find("\r\n\r\n") == std::string::npos &&
             std::chrono::steady_clock::now() < deadline) {
        pollfd q{c, POLLIN, 0};
        if (::poll(&q, 1, 100) <= 0)
          continue;
        char buf[8192];
        const auto n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0)
          break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      {
        const std::lock_guard lock(mutex_);
        heads_.push_back(got.substr(0, got.find("\r\n\r\n")));
      }
      const std::string answer =
          "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
      (void)!::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> heads_;
};

// Runs hooktool with the dynamic loader logging the files it loads (LD_DEBUG=files) into dir,
// and with no proxy variable but those in `env`.
ProcessResult run_logged(const std::vector<std::string>& args, const TempDir& dir,
                         const std::map<std::string, std::string>& env = {}) {
  ProcessOptions opts;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                           "NO_PROXY", "LD_DEBUG", "LD_DEBUG_OUTPUT"})
    opts.unset_env.emplace_back(name);
  opts.env["LD_DEBUG"] = "files";
  opts.env["LD_DEBUG_OUTPUT"] = (dir.path() / "ld").string();
  for (const auto& [k, v] : env)
    opts.env[k] = v;
  return e2e::hooktool(args, opts);
}

// What the loader logged (LD_DEBUG_OUTPUT writes one file per process, ld.PID); the files are
// removed, so the next run starts with none.
std::string loader_log(const TempDir& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("ld.", 0) != 0)
      continue;
    std::ifstream in(entry.path());
    std::ostringstream text;
    text << in.rdbuf();
    all += text.str();
    std::filesystem::remove(entry.path());
  }
  return all;
}

bool loads_libcurl(const std::string& log) {
  return log.find("file=libcurl.so") != std::string::npos;
}

} // namespace

TEST(PlainSend, APlainHttpSendDoesNotLoadLibcurl) {
  const TempDir dir;
  // The URL parser loaded libcurl too until it was rewritten without it (src/model/url.cpp):
  // where it still does, a send cannot show what its HTTP client does, and this test waits.
  const auto dry = run_logged(
      {"send", "github", "push", "--to", "http://127.0.0.1:9/hook", "--secret", "s", "--dry-run"},
      dir);
  ASSERT_EQ(dry.exit_code, 0) << dry.describe();
  const auto dry_log = loader_log(dir);
  ASSERT_NE(dry_log.find("file="), std::string::npos) << "LD_DEBUG logged nothing";
  if (loads_libcurl(dry_log))
    GTEST_SKIP() << "parsing the URL alone loads libcurl (model::parse_target on CURLU)";

  Receiver target;
  const auto r = run_logged({"send", "github", "push", "--to", target.url("/hook"), "--secret", "s",
                             "--header", "X-Extra: 1"},
                            dir);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(target.count(), 1u);
  EXPECT_EQ(target.requests()[0].header("X-Extra").value_or(""), "1");
  const auto log = loader_log(dir);
  ASSERT_NE(log.find("file="), std::string::npos) << "LD_DEBUG logged nothing";
  EXPECT_FALSE(loads_libcurl(log)) << "an http:// send loaded libcurl:\n" << log;

  // HTTP_PROXY in capitals is not a proxy for http:// to libcurl either: still plain.
  const RawProxy proxy;
  const auto upper =
      run_logged({"send", "github", "push", "--to", target.url("/hook"), "--secret", "s"}, dir,
                 {{"HTTP_PROXY", proxy.url()}});
  ASSERT_EQ(upper.exit_code, 0) << upper.describe();
  EXPECT_EQ(target.count(), 2u);
  EXPECT_TRUE(proxy.heads().empty());
  EXPECT_FALSE(loads_libcurl(loader_log(dir)));
}

TEST(PlainSend, AProxyInTheEnvironmentSendsThroughLibcurl) {
  const TempDir dir;
  // The target is a port nothing listens on: only a request through the proxy can succeed.
  const std::string to = "http://127.0.0.1:" + std::to_string(e2e::free_port()) + "/hook?x=1";
  for (const char* name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
    const RawProxy proxy;
    const auto r = run_logged({"send", "github", "push", "--to", to, "--secret", "s"}, dir,
                              {{name, proxy.url()}});
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.describe();
    const auto heads = proxy.heads();
    ASSERT_EQ(heads.size(), 1u) << name << "\n" << r.describe();
    EXPECT_EQ(heads[0].substr(0, heads[0].find("\r\n")), "POST " + to + " HTTP/1.1") << name;
    EXPECT_TRUE(loads_libcurl(loader_log(dir))) << name;
  }
  // An empty one is no proxy (libcurl's rule too): straight to the target, refused.
  const RawProxy unused;
  const auto empty = run_logged({"send", "github", "push", "--to", to, "--secret", "s"}, dir,
                                {{"http_proxy", ""}});
  EXPECT_NE(empty.exit_code, 0) << empty.describe();
  EXPECT_NE((empty.out + empty.err).find("nothing is listening on 127.0.0.1:"), std::string::npos)
      << empty.describe();
  EXPECT_TRUE(unused.heads().empty());
}

} // namespace e2e_plain_send
