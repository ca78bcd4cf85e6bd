// The net, listen and check layers against an in-process server (no hooktool process): the
// listener engine and the HTTP client exchange exact bytes; the inspector judges what compose
// signed; the check battery grades an in-process handler.

#include "check/battery.hpp"
#include "core/dev_secrets.hpp"
#include "fixture_delivery.hpp"
#include "listen/inspector.hpp"
#include "listen/sinks.hpp"
#include "net/http_client.hpp"
#include "net/listen_server.hpp"
#include "providers/registry.hpp"

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <mutex>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_inprocess {

namespace {

using namespace hooktool;

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z

// A ListenServer on a free loopback port, answering with `handler`; stopped on destruction.
class InProcessServer {
public:
  explicit InProcessServer(net::RequestHandler handler)
      : server_(options(), std::move(handler), [](int, const std::string&) {}) {
    port_ = server_.start();
  }
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;
  ~InProcessServer() {
    server_.stop();
    server_.join();
  }
  [[nodiscard]] std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }

private:
  static net::ServerOptions options() {
    net::ServerOptions o;
    o.port = 0;
    o.workers = 4;
    return o;
  }
  net::ListenServer server_;
  int port_ = 0;
};

net::HttpClient client() {
  net::ClientOptions o;
  o.timeout = std::chrono::seconds(10);
  return net::HttpClient(o);
}

net::IncomingRequest incoming(const model::HttpRequest& sent, const std::string& target) {
  net::IncomingRequest in;
  in.method = sent.method;
  in.target = target;
  in.path = target;
  in.headers = sent.headers;
  in.headers.push_back({"Host", "127.0.0.1:9000"});
  in.body = sent.body;
  in.remote = "127.0.0.1:1";
  return in;
}

TEST(InProcessNet, ClientAndServerExchangeExactBytes) {
  std::mutex mutex;
  std::optional<net::IncomingRequest> seen;
  InProcessServer server([&](net::IncomingRequest&& req) {
    const std::lock_guard lock(mutex);
    seen = std::move(req);
    return net::OutgoingResponse{201, {{"X-Answer", "a%2Fb"}}, std::string("ok\0\xff", 4)};
  });
  model::HttpRequest req;
  req.method = "PATCH";
  req.url = server.url("/p%2Fq?x=%7E");
  req.headers = {{"x-lower", "v1=ab%2Bcd"}, {"X-Empty", ""}, {"Content-Type", "text/plain"}};
  req.body = std::string("a\0b\r\n", 5);
  auto c = client();
  const auto r = c.send(req);
  ASSERT_EQ(r.error, net::TransportError::none) << r.error_message;
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, std::string("ok\0\xff", 4));
  EXPECT_EQ(model::find_header(r.headers, "X-Answer").value_or(""), "a%2Fb");
  const std::lock_guard lock(mutex);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->method, "PATCH");
  EXPECT_EQ(seen->target, "/p%2Fq?x=%7E");
  EXPECT_EQ(seen->path, "/p%2Fq");
  EXPECT_EQ(seen->query, "x=%7E");
  EXPECT_EQ(seen->body, std::string("a\0b\r\n", 5));
  // Names as sent, values undecoded, in order (Host and Content-Length come from libcurl).
  std::vector<std::string> names;
  for (const auto& h : seen->headers)
    names.push_back(h.name);
  const auto at = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) - names.begin();
  };
  EXPECT_LT(at("x-lower"), at("X-Empty"));
  EXPECT_LT(at("X-Empty"), at("Content-Type"));
  EXPECT_EQ(model::find_header(seen->headers, "x-lower").value_or(""), "v1=ab%2Bcd");
}

TEST(InProcessNet, RefusedAndTimedOutAreTransportErrorsNamedByKind) {
  int port = 0;
  {
    InProcessServer gone([](net::IncomingRequest&&) { return net::OutgoingResponse{}; });
    port = std::stoi(gone.url("").substr(std::string("http://127.0.0.1:").size()));
  }
  model::HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto c = client();
  const auto refused = c.send(req);
  EXPECT_NE(refused.error, net::TransportError::none);
  EXPECT_EQ(net::failure_kind(refused), "refused");

  std::mutex gate;
  std::unique_lock hold(gate); // the handler waits until the client has given up
  InProcessServer slow([&](net::IncomingRequest&&) {
    const std::lock_guard wait(gate);
    return net::OutgoingResponse{};
  });
  net::ClientOptions quick;
  quick.timeout = std::chrono::milliseconds(200);
  net::HttpClient impatient(quick);
  req.url = slow.url("/");
  const auto timed_out = impatient.send(req);
  hold.unlock();
  EXPECT_EQ(timed_out.error, net::TransportError::timeout);
  EXPECT_EQ(net::failure_kind(timed_out), "timeout");
}

TEST(InProcessListen, InspectorJudgesWhatComposeSigned) {
  const auto stripe = providers::make_provider("stripe");
  const auto sent = test::compose_fixture(*stripe, "invoice.paid", "whsec_inproc", kNow,
                                          "http://127.0.0.1:9000/hook");
  listen::InspectorConfig config;
  config.secrets["stripe"] = "whsec_inproc";
  config.tolerance = 0; // the fixture's timestamp is fixed
  const listen::Inspector right(config);
  auto r = right.inspect(incoming(sent.request, "/hook"));
  EXPECT_EQ(r.provider, "stripe");
  EXPECT_EQ(r.event_type, "invoice.paid");
  EXPECT_EQ(r.event_id, sent.info.id);
  EXPECT_EQ(r.verification.status, model::VerdictStatus::valid) << r.verification.reason;
  config.secrets["stripe"] = "whsec_other";
  const listen::Inspector wrong(config);
  r = wrong.inspect(incoming(sent.request, "/hook"));
  EXPECT_EQ(r.verification.status, model::VerdictStatus::invalid);
  config.secrets.clear();
  const listen::Inspector none(config);
  r = none.inspect(incoming(sent.request, "/hook"));
  EXPECT_EQ(r.verification.status, model::VerdictStatus::unverified);
}

TEST(InProcessListen, DevelopmentSecretVerifiesAndAMismatchIsNeverInvalid) {
  std::string dir = (std::filesystem::temp_directory_path() / "hooktool-dev-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const auto github = providers::make_provider("github");
  auto store = std::make_shared<core::DevSecrets>(dir);
  const auto dev = store->get_or_create(*github);
  EXPECT_TRUE(dev.created);
  EXPECT_FALSE(store->get_or_create(*github).created); // kept, not made again
  listen::InspectorConfig config;
  config.dev_secrets = store;
  config.tolerance = 0;
  const listen::Inspector inspector(config);
  const auto ours = test::compose_fixture(*github, "push", dev.value, kNow, "http://h/");
  auto r = inspector.inspect(incoming(ours.request, "/"));
  EXPECT_EQ(r.verification.status, model::VerdictStatus::valid);
  EXPECT_NE(r.verification.reason.find("development secret"), std::string::npos);
  const auto theirs = test::compose_fixture(*github, "push", "production", kNow, "http://h/");
  r = inspector.inspect(incoming(theirs.request, "/"));
  EXPECT_EQ(r.verification.status, model::VerdictStatus::unverified) << r.verification.reason;
  std::filesystem::remove_all(dir);
}

// A handler that verifies with the provider's own verify, or one that accepts anything.
net::OutgoingResponse handle(const providers::Provider& p, bool verifies, const std::string& url,
                             net::IncomingRequest&& req) {
  model::HttpRequest view;
  view.method = req.method;
  view.url = url;
  view.headers = std::move(req.headers);
  view.body = std::move(req.body);
  providers::VerifyParams params;
  params.secret = "s3cret";
  params.now = std::time(nullptr);
  if (verifies && p.verify(view, params).status != model::VerdictStatus::valid)
    return {401, {}, "bad signature"};
  return {200, {}, "{}"};
}

std::map<std::string, check::Outcome> grade(bool verifies) {
  const auto github = providers::make_provider("github");
  std::string url;
  InProcessServer server(
      [&](net::IncomingRequest&& req) { return handle(*github, verifies, url, std::move(req)); });
  url = server.url("/gh");
  const core::FixtureStore fixtures;
  check::CheckSetup setup;
  setup.provider = github.get();
  setup.store = &fixtures;
  setup.event = "push";
  setup.url = url;
  setup.secret = "s3cret";
  setup.client.timeout = std::chrono::seconds(10);
  std::vector<std::string> names{"accepts-valid", "rejects-wrong-signature",
                                 "rejects-tampered-body"};
  std::map<std::string, check::Outcome> out;
  const auto run = check::run_checks(setup, names, [](const check::CheckResult&) {});
  EXPECT_TRUE(run.unreachable.empty()) << run.unreachable;
  for (const auto& r : run.results)
    out[r.name] = r.outcome;
  return out;
}

TEST(InProcessCheck, AVerifyingHandlerPassesAndOneThatAcceptsAnythingFails) {
  const auto good = grade(true);
  EXPECT_EQ(good.at("accepts-valid"), check::Outcome::pass);
  EXPECT_EQ(good.at("rejects-wrong-signature"), check::Outcome::pass);
  EXPECT_EQ(good.at("rejects-tampered-body"), check::Outcome::pass);
  const auto lax = grade(false);
  EXPECT_EQ(lax.at("accepts-valid"), check::Outcome::pass);
  EXPECT_EQ(lax.at("rejects-wrong-signature"), check::Outcome::fail);
  EXPECT_EQ(lax.at("rejects-tampered-body"), check::Outcome::fail);
}

// Group commit: while one worker writes a batch, the lines of the others queue and go out
// together in the next write, in order; each caller returns once its own line is written. A FIFO
// as the capture file holds the first write (nobody reads yet) so the queue forms for certain.
TEST(CaptureGroupCommit, LinesQueuedDuringAWriteGoOutTogetherInOrder) {
  std::string dir = (std::filesystem::temp_directory_path() / "hooktool-gc-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const auto fifo = dir + "/capture";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  listen::CaptureSink sink(fifo, listen::Durability::process_crash);
  const std::string big(200'000, 'x'); // over the pipe's 64 KiB: the writer waits for us
  std::vector<std::thread> threads;
  threads.emplace_back([&] { (void)sink.append_line(big + "\n"); });
  int queued_bytes = 0;
  while (queued_bytes < 65536) { // the first write is in the kernel, waiting for a reader
    ASSERT_EQ(::ioctl(reader, FIONREAD, &queued_bytes), 0);
    std::this_thread::yield();
  }
  constexpr int kOthers = 4;
  for (int i = 0; i < kOthers; ++i) {
    while (sink.waiting() != static_cast<std::size_t>(i)) // one at a time: a known order
      std::this_thread::yield();
    threads.emplace_back(
        [&sink, i] { (void)sink.append_line("line " + std::to_string(i) + "\n"); });
  }
  while (sink.waiting() != kOthers)
    std::this_thread::yield();
  EXPECT_EQ(sink.commits(), 0U);
  std::string got;
  const std::size_t want = big.size() + 1 + kOthers * 7;
  while (got.size() < want) {
    char buf[65536];
    const auto n = ::read(reader, buf, sizeof buf);
    if (n > 0)
      got.append(buf, static_cast<std::size_t>(n));
    else
      std::this_thread::yield();
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(sink.commits(), 2U); // the big line, then the four together
  EXPECT_EQ(got, big + "\nline 0\nline 1\nline 2\nline 3\n");
  ::close(reader);
  std::filesystem::remove_all(dir);
}

// Every caller gets the offset where its own line starts, with many threads appending at once.
TEST(CaptureGroupCommit, EveryConcurrentLineIsWholeAndAtItsReturnedOffset) {
  std::string dir = (std::filesystem::temp_directory_path() / "hooktool-gc-XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const auto path = dir + "/capture.jsonl";
  constexpr int kThreads = 8;
  constexpr int kEach = 200;
  std::vector<std::vector<std::pair<std::uint64_t, std::string>>> placed(kThreads);
  {
    listen::CaptureSink sink(path, listen::Durability::process_crash);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          auto line = "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}\n";
          const auto at = sink.append_line(line);
          ASSERT_TRUE(at.has_value());
          placed[static_cast<std::size_t>(t)].emplace_back(*at, std::move(line));
        }
      });
    for (auto& th : threads)
      th.join();
    EXPECT_LE(sink.commits(), static_cast<std::uint64_t>(kThreads * kEach));
    std::cout << "[figures] " << kThreads * kEach << " lines in " << sink.commits() << " writes\n";
  }
  std::ifstream in(path, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t total = 0;
  for (const auto& lines : placed)
    for (const auto& [at, line] : lines) {
      ASSERT_EQ(file.substr(at, line.size()), line);
      total += line.size();
    }
  EXPECT_EQ(file.size(), total); // nothing else, nothing torn
  std::filesystem::remove_all(dir);
}

} // namespace

} // namespace suite_inprocess
