// End-to-end tests for issue #13's remaining sharp edges: send --wait-for-listener, listen on a
// closed stdout, --fail-rate with --fail-status, forward error kinds, --dry-run --save, --set
// on a missing path, --generic-* without --provider generic, config show alignment.

#include "background.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_sharp_edges {

namespace {

using e2e::Background;
using e2e::Stream;
using e2e::TempDir;
using json = nlohmann::json;
using namespace std::chrono_literals;

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

const std::string kStripeSecret = "whsec_sharp_edges_0123456789";

// `hooktool ARGS…` with stdout a pipe nobody reads any more (its read end closed before the
// start, as after `| head` exited) and stderr a file; SIGPIPE at its default, as a shell
// leaves it. Killed by its PID if still running at scope exit.
class ClosedStdoutChild {
public:
  ClosedStdoutChild(const std::vector<std::string>& args, const std::string& err_path) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe2 failed");
    ::close(fds[0]); // nobody will ever read
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    std::vector<std::string> argv_s{e2e::kHooktool};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    const auto envp = e2e::detail::child_envp(e2e::ChildEnvironment{});
    const int rc =
        ::posix_spawn(&pid_, e2e::kHooktool.c_str(), &fa, &attr, argv.data(), envp.get());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (rc != 0)
      throw std::runtime_error("posix_spawn failed");
  }
  ClosedStdoutChild(const ClosedStdoutChild&) = delete;
  ClosedStdoutChild& operator=(const ClosedStdoutChild&) = delete;
  ~ClosedStdoutChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      (void)e2e::detail::reap(pid_);
    }
  }
  // The exit status, waiting at most `limit` (then SIGKILL: -1).
  int wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (std::chrono::steady_clock::now() >= deadline)
        return -1;
      std::this_thread::sleep_for(10ms); // polling the child's state, bounded by the deadline
    }
  }

private:
  pid_t pid_ = -1;
};

// Waits (bounded) for a file to exist with content; its text, or "" when it never came.
std::string wait_for_file(const std::string& path, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
      const auto text = e2e::read_file(path);
      if (!text.empty() && text.back() == '\n')
        return text;
    }
    std::this_thread::sleep_for(10ms); // polling a file, bounded by the deadline
  }
  return "";
}

// ---------------------------------------------------------------------------------------
// send --wait-for-listener (item 7)

TEST(SharpEdgesE2E, WaitForListenerSendsOnceTheListenerStarts) {
  const int port = e2e::free_port();
  ASSERT_GT(port, 0);
  const std::string to = "127.0.0.1:" + std::to_string(port);
  // The sender starts first: without the wait it would be refused at once.
  Background sender(e2e::kHooktool, {"send", "stripe", "invoice.paid", "--to", to, "--secret",
                                     kStripeSecret, "--wait-for-listener", "20", "--json"});
  ASSERT_TRUE(sender.running());
  Background listener(e2e::kHooktool,
                      {"listen", "--port", std::to_string(port), "--secret",
                       "stripe=" + kStripeSecret, "--count", "1", "--timeout", "20", "--json"});
  const auto sent = sender.wait_exit(25s);
  EXPECT_EQ(sent.exit_code, 0) << sender.describe();
  const auto heard = listener.wait_exit(25s);
  EXPECT_EQ(heard.exit_code, 0) << listener.describe();
  ASSERT_EQ(listener.lines(Stream::out).size(), 1u) << listener.describe();
  EXPECT_EQ(json::parse(listener.lines(Stream::out)[0])["verification"]["status"], "valid");
}

TEST(SharpEdgesE2E, WaitForListenerTimesOutNamingHostPortWithExitOne) {
  const int port = e2e::free_port();
  ASSERT_GT(port, 0);
  const std::string hostport = "127.0.0.1:" + std::to_string(port);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--count", "5"}}) {
    std::vector<std::string> args{"send",   "stripe",   "invoice.paid", "--to",
                                  hostport, "--secret", kStripeSecret,  "--wait-for-listener",
                                  "0.4"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = e2e::hooktool(args);
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    EXPECT_GE(r.elapsed, 400ms) << r.describe();
    const auto lines = e2e::lines_of(r.err);
    ASSERT_FALSE(lines.empty()) << r.describe();
    EXPECT_TRUE(contains(lines.back(), hostport)) << r.describe();
    EXPECT_TRUE(contains(lines.back(), "--wait-for-listener")) << r.describe();
    EXPECT_TRUE(r.out.empty()) << r.describe(); // nothing was sent
  }
}

TEST(SharpEdgesE2E, WaitForListenerWorksWithCount) {
  const int port = e2e::free_port();
  ASSERT_GT(port, 0);
  Background sender(e2e::kHooktool,
                    {"send", "github", "push", "--to", "127.0.0.1:" + std::to_string(port),
                     "--secret", "s3cret", "--wait-for-listener", "20", "--count", "3", "--json"});
  Background listener(e2e::kHooktool, {"listen", "--port", std::to_string(port), "--count", "3",
                                       "--timeout", "20", "-q"});
  const auto sent = sender.wait_exit(25s);
  EXPECT_EQ(sent.exit_code, 0) << sender.describe();
  ASSERT_EQ(sender.lines(Stream::out).size(), 1u) << sender.describe();
  EXPECT_EQ(json::parse(sender.lines(Stream::out)[0])["requests"], 3) << sender.describe();
  EXPECT_EQ(listener.wait_exit(25s).exit_code, 0) << listener.describe();
}

// ---------------------------------------------------------------------------------------
// listen on a closed stdout (item 8)

TEST(SharpEdgesE2E, ListenStopsWhenStdoutIsClosedAndNeverAcknowledgesUnshownDeliveries) {
  TempDir dir;
  const auto ready = dir.file("listen.ready");
  const auto err_path = dir.file("listen.err");
  const auto capture = dir.file("cap.jsonl");
  ClosedStdoutChild listener({"listen", "--port", "0", "--json", "--ready-file", ready, "--secret",
                              "stripe=" + kStripeSecret, "--capture", capture},
                             err_path);
  const auto url_text = wait_for_file(ready, 10s);
  ASSERT_FALSE(url_text.empty()) << e2e::read_file(err_path);
  const auto url = url_text.substr(0, url_text.find('\n'));

  const auto first = e2e::hooktool(
      {"send", "stripe", "invoice.paid", "--to", url, "--secret", kStripeSecret, "--json"});
  const auto records = e2e::json_lines(first.out);
  ASSERT_EQ(records.size(), 1u) << first.describe();
  // Written nowhere, so not acknowledged: a 2xx here is the silent ack this test guards.
  ASSERT_TRUE(records[0]["status"].is_number()) << first.describe();
  EXPECT_EQ(records[0]["status"], 503) << first.describe();
  EXPECT_EQ(first.exit_code, 1) << first.describe();

  EXPECT_EQ(listener.wait_exit(10s), 1) << e2e::read_file(err_path);
  const auto err = e2e::read_file(err_path);
  EXPECT_TRUE(contains(err, "hooktool: stdout closed: stopped after 0 deliveries")) << err;
  // Captured with the answer it was given, not the 200 it would have had.
  const auto captured = e2e::json_lines(e2e::read_file(capture));
  ASSERT_EQ(captured.size(), 1u) << e2e::read_file(capture);
  EXPECT_EQ(captured[0]["response"]["status"], 503) << captured[0].dump();

  // Stopped listening: a later sender is refused, never answered 200.
  const auto later = e2e::hooktool(
      {"send", "stripe", "invoice.paid", "--to", url, "--secret", kStripeSecret, "--json"});
  const auto later_records = e2e::json_lines(later.out);
  ASSERT_EQ(later_records.size(), 1u) << later.describe();
  EXPECT_TRUE(later_records[0]["status"].is_null()) << later.describe();
  EXPECT_EQ(later_records[0]["error"]["kind"], "connect") << later.describe();
}

// ---------------------------------------------------------------------------------------
// --fail-rate picks --fail-status; --status is the normal answer (item 9)

// The statuses of `n` sequential deliveries to a listen started with `args`.
std::vector<int> answered_statuses(const std::vector<std::string>& args, int n) {
  auto l = e2e::start_listen(args);
  const auto s = e2e::hooktool(
      {"send", "stripe", "invoice.paid", "--to", "127.0.0.1:" + std::to_string(l->wait_port()),
       "--secret", kStripeSecret, "--duplicate", std::to_string(n), "--json", "--expect", "2xx"});
  std::vector<int> statuses;
  for (const auto& j : e2e::json_lines(s.out))
    statuses.push_back(j["status"].is_number() ? j["status"].get<int>() : -1);
  return statuses;
}

TEST(SharpEdgesE2E, FailRateAnswersFailStatusAndStatusOtherwiseInASeededSequence) {
  const auto statuses = answered_statuses(
      {"-q", "--status", "202", "--fail-rate", "0.3", "--fail-status", "503", "--seed", "7"}, 20);
  ASSERT_EQ(statuses.size(), 20u);
  // The same draws listen makes: mt19937_64 seeded with --seed, one uniform [0,1) per delivery.
  std::mt19937_64 rng(7);
  std::vector<int> expected;
  for (int i = 0; i < 20; ++i)
    expected.push_back(std::uniform_real_distribution<double>(0.0, 1.0)(rng) < 0.3 ? 503 : 202);
  EXPECT_EQ(statuses, expected);
  EXPECT_GT(std::count(statuses.begin(), statuses.end(), 503), 0);
  EXPECT_GT(std::count(statuses.begin(), statuses.end(), 202), 0);
  // Rate 1: every answer is the failing one, never --status.
  const auto all_fail =
      answered_statuses({"-q", "--status", "202", "--fail-rate", "1", "--fail-status", "429"}, 3);
  EXPECT_EQ(all_fail, (std::vector<int>{429, 429, 429}));
}

TEST(SharpEdgesE2E, FailRateThatCannotChangeTheAnswerIsAUsageError) {
  // The README's old example: every answer was already 500.
  const auto same = e2e::hooktool(
      {"listen", "--port", "0", "--status", "500", "--fail-rate", "0.3", "--timeout", "2"});
  EXPECT_EQ(same.exit_code, 2) << same.describe();
  EXPECT_TRUE(contains(same.err, "--fail-status")) << same.describe();
  EXPECT_EQ(e2e::lines_of(same.err).size(), 1u) << same.describe();
  const auto alone =
      e2e::hooktool({"listen", "--port", "0", "--fail-status", "503", "--timeout", "2"});
  EXPECT_EQ(alone.exit_code, 2) << alone.describe();
  EXPECT_TRUE(contains(alone.err, "--fail-rate")) << alone.describe();
}

// ---------------------------------------------------------------------------------------
// Forward errors in words, with a kind (item 11)

// Sends one stripe delivery to the listener at `path`; the send's result.
e2e::ProcessResult send_to(Background& l, const std::string& path = "/") {
  return e2e::hooktool({"send", "stripe", "invoice.paid", "--to",
                        "127.0.0.1:" + std::to_string(l.wait_port()) + path, "--secret",
                        kStripeSecret, "--json"});
}

TEST(SharpEdgesE2E, ForwardTimeoutSaysWhichTimeoutAndHasAKind) {
  e2e::Receiver slow({200});
  slow.hold_path("/slow", 3s);
  auto l = e2e::start_listen({"--json", "--forward-timeout", "0.3", "--forward-to",
                              "127.0.0.1:" + std::to_string(slow.port())});
  const auto s = send_to(*l, "/slow");
  const auto j = e2e::json_lines(s.out);
  ASSERT_EQ(j.size(), 1u) << s.describe();
  EXPECT_EQ(j[0]["status"], 504);
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["forward"]["error"], "forward timed out after 0.3 s (--forward-timeout)")
      << rec.dump();
  EXPECT_EQ(rec["forward"]["error_kind"], "timeout") << rec.dump();
  slow.release();
}

TEST(SharpEdgesE2E, ForwardToNothingSaysNothingIsListeningAndHasAKind) {
  const int dead = e2e::free_port();
  ASSERT_GT(dead, 0);
  const std::string hostport = "127.0.0.1:" + std::to_string(dead);
  auto l = e2e::start_listen({"--json", "--forward-to", hostport});
  const auto s = send_to(*l);
  const auto j = e2e::json_lines(s.out);
  ASSERT_EQ(j.size(), 1u) << s.describe();
  EXPECT_EQ(j[0]["status"], 502);
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["forward"]["error"],
            "nothing is listening on " + hostport + " (connection refused)")
      << rec.dump();
  EXPECT_EQ(rec["forward"]["error_kind"], "refused") << rec.dump();
}

TEST(SharpEdgesE2E, ForwardErrorInThePrettyViewIsNotUnreachableOperationTimedOut) {
  e2e::Receiver slow({200});
  slow.hold_path("/slow", 3s);
  auto l = e2e::start_listen(
      {"--forward-timeout", "0.3", "--forward-to", "127.0.0.1:" + std::to_string(slow.port())});
  (void)send_to(*l, "/slow");
  // The forward's own line, under the delivery's heading: "   → URL  <status or error>".
  const auto line = l->wait_for_line(Stream::out, std::regex("^   → "), 10s);
  ASSERT_TRUE(line.has_value()) << l->describe();
  EXPECT_TRUE(contains(*line, "forward timed out after 0.3 s (--forward-timeout)")) << *line;
  EXPECT_FALSE(contains(*line, "unreachable")) << *line;
  slow.release();
}

// ---------------------------------------------------------------------------------------
// Hints on send's network errors (friction)

TEST(SharpEdgesE2E, SendRefusedSaysNothingIsListeningOnHostPort) {
  const int dead = e2e::free_port();
  ASSERT_GT(dead, 0);
  const std::string hostport = "127.0.0.1:" + std::to_string(dead);
  const auto r = e2e::hooktool(
      {"send", "stripe", "invoice.paid", "--to", hostport, "--secret", kStripeSecret});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out, "nothing is listening on " + hostport)) << r.describe();
}

TEST(SharpEdgesE2E, SendTimeoutSaysWhichTimeout) {
  e2e::Receiver slow({200});
  slow.hold_path("/slow", 3s);
  const auto r = e2e::hooktool({"send", "stripe", "invoice.paid", "--to",
                                "127.0.0.1:" + std::to_string(slow.port()) + "/slow", "--secret",
                                kStripeSecret, "--timeout", "0.3"});
  slow.release();
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out, "timed out after 0.3 s (--timeout)")) << r.describe();
}

TEST(SharpEdgesE2E, SendToASelfSignedCertificateMentionsInsecure) {
  auto l = e2e::start_listen({"--tls", "-q"});
  const auto r = e2e::hooktool({"send", "stripe", "invoice.paid", "--to",
                                "https://127.0.0.1:" + std::to_string(l->wait_port()), "--secret",
                                kStripeSecret});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out, "--insecure")) << r.describe();
}

// ---------------------------------------------------------------------------------------
// send --dry-run --save F (item 12)

TEST(SharpEdgesE2E, DryRunSaveWritesTheRecordsItWouldHaveSentAndSaysSo) {
  TempDir dir;
  const auto save = dir.file("dry.jsonl");
  const auto r =
      e2e::hooktool({"send", "stripe", "invoice.paid", "--to", "127.0.0.1:9/hooks", "--secret",
                     kStripeSecret, "--dry-run", "--json", "--save", save, "--duplicate", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto printed = e2e::json_lines(r.out);
  ASSERT_EQ(printed.size(), 1u) << r.describe();
  const auto saved = e2e::json_lines(e2e::read_file(save));
  ASSERT_EQ(saved.size(), 2u) << e2e::read_file(save);
  for (const auto& rec : saved) {
    EXPECT_EQ(rec["body"], printed[0]["body"]);
    EXPECT_EQ(rec["path"], "/hooks");
    EXPECT_EQ(rec["event_type"], "invoice.paid");
    EXPECT_EQ(rec["event_id"], printed[0]["event_id"]);
    EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
    EXPECT_TRUE(rec["response"]["status"].is_null()) << rec.dump(); // nothing was sent
  }
  EXPECT_TRUE(contains(r.err, "saved 2 records")) << r.describe();
  EXPECT_TRUE(contains(r.err, save)) << r.describe();
  // The file replays like any capture.
  const auto listed = e2e::hooktool({"replay", save, "--to", "127.0.0.1:9", "--as-curl"});
  EXPECT_EQ(listed.exit_code, 0) << listed.describe();
}

// ---------------------------------------------------------------------------------------
// --set on a path the fixture does not have; --set-new; integers stay integers (item 13)

json dry_run_body(const std::vector<std::string>& extra, e2e::ProcessResult* out = nullptr) {
  std::vector<std::string> args{"send",     "stripe",      "invoice.paid", "--to",  ":9",
                                "--secret", kStripeSecret, "--dry-run",    "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = e2e::hooktool(args);
  if (out != nullptr)
    *out = r;
  if (r.exit_code != 0)
    return nullptr;
  return json::parse(e2e::json_lines(r.out).at(0)["body"].get<std::string>());
}

TEST(SharpEdgesE2E, SetOnAMissingPathIsAnErrorNamingTheNearestPath) {
  e2e::ProcessResult r;
  (void)dry_run_body({"--set", "data.objct.amount_paid=5000"}, &r);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(r.out.empty()) << r.describe();
  const auto lines = e2e::lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_TRUE(contains(lines[0], "did you mean data.object.amount_paid?")) << r.describe();
  EXPECT_TRUE(contains(lines[0], "--set-new")) << r.describe();
}

TEST(SharpEdgesE2E, SetNewAddsKeysDeliberately) {
  const auto body = dry_run_body({"--set-new", "data.object.metadata.order_ref=A-17", "--set-new",
                                  "data.object.brand_new.deep=1"});
  ASSERT_TRUE(body.is_object());
  EXPECT_EQ(body["data"]["object"]["metadata"]["order_ref"], "A-17");
  EXPECT_EQ(body["data"]["object"]["brand_new"]["deep"], 1);
}

TEST(SharpEdgesE2E, SetKeepsWholeNumbersIntegers) {
  e2e::ProcessResult r;
  const auto body = dry_run_body(
      {"--set", "data.object.amount_paid=1e3", "--set", "data.object.amount_due=5000"}, &r);
  ASSERT_TRUE(body.is_object()) << r.describe();
  const auto& paid = body["data"]["object"]["amount_paid"];
  EXPECT_TRUE(paid.is_number_integer()) << paid.dump();
  EXPECT_EQ(paid, 1000);
  const auto raw = e2e::json_lines(r.out).at(0)["body"].get<std::string>();
  EXPECT_TRUE(contains(raw, "\"amount_paid\": 1000,")) << raw;
  EXPECT_TRUE(contains(raw, "\"amount_due\": 5000,")) << raw;
  EXPECT_FALSE(contains(raw, "1000.0")) << raw;
}

// ---------------------------------------------------------------------------------------
// --generic-* where the generic scheme is not in use (item 14)

TEST(SharpEdgesE2E, GenericFlagsOnListenWithoutProviderGenericAreAUsageError) {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--generic-header", "X-Sig"},
        std::vector<std::string>{"--provider", "github", "--generic-algo", "sha1"}}) {
    std::vector<std::string> args{"listen", "--port", "0", "--timeout", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = e2e::hooktool(args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    const auto lines = e2e::lines_of(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.describe();
    EXPECT_TRUE(contains(lines[0], extra[extra.size() - 2])) << r.describe();
    EXPECT_TRUE(contains(lines[0], "--provider generic")) << r.describe();
  }
  // With --provider generic they are the scheme: listen starts.
  auto ok = e2e::start_listen({"--provider", "generic", "--generic-header", "X-Sig", "-q"});
  EXPECT_TRUE(ok->running());
}

TEST(SharpEdgesE2E, GenericFlagsOnSendOfAnotherProviderAreAUsageError) {
  const auto r = e2e::hooktool({"send", "github", "push", "--to", ":9", "--secret", "s",
                                "--dry-run", "--generic-prefix", "sha256="});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "--generic-prefix")) << r.describe();
  const auto generic = e2e::hooktool({"send", "generic", "order.created", "--to", ":9", "--secret",
                                      "s", "--dry-run", "--generic-prefix", "sha256="});
  EXPECT_EQ(generic.exit_code, 0) << generic.describe();
  EXPECT_TRUE(contains(generic.out, "X-Signature: sha256=")) << generic.describe();
}

// ---------------------------------------------------------------------------------------
// config show aligns by terminal cells (item 16)

// Terminal cells of UTF-8 text: CJK ideographs take two, other code points one.
std::size_t cells(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    unsigned cp = c;
    if (len == 3 && i + 2 < s.size())
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    n += (len == 3 && cp >= 0x4E00 && cp <= 0x9FFF) ? 2 : 1;
    i += len;
  }
  return n;
}

TEST(SharpEdgesE2E, ConfigShowAlignsNonAsciiAndLongValues) {
  TempDir dir;
  const auto project = dir.file("project");
  std::filesystem::create_directories(project);
  const std::string long_path(120, 'x');
  e2e::write_file(project + "/.hooktool.toml",
                  "to = \":3000/caf\u00e9/\u65e5\u672c\"\n[listen]\nhost = \"127.0.0.1\"\n"
                  "forward = [\"localhost:3000/" +
                      long_path + "\"]\n");
  e2e::ProcessOptions opts;
  opts.cwd = project;
  const auto r = e2e::run_process(e2e::kHooktool, {"config", "show"}, opts);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::vector<std::size_t> source_columns;
  bool saw_cjk = false;
  bool saw_cut = false;
  for (const auto& line : e2e::lines_of(r.out)) {
    if (contains(line, "files ("))
      break;
    std::size_t at = std::string::npos;
    for (const std::string layer : {"  default", "  project", "  user", "  env", "  flag"}) {
      const auto p = line.rfind(layer);
      if (p != std::string::npos && (at == std::string::npos || p > at))
        at = p;
    }
    if (at == std::string::npos)
      continue;
    source_columns.push_back(cells(line.substr(0, at + 2)));
    saw_cjk = saw_cjk || contains(line, "\u65e5\u672c");
    saw_cut = saw_cut || (contains(line, "xxxx") && contains(line, "\u2026"));
    EXPECT_FALSE(contains(line, long_path)) << "a long value printed whole: " << line;
  }
  ASSERT_GE(source_columns.size(), 4u) << r.out;
  EXPECT_TRUE(saw_cjk) << r.out;
  EXPECT_TRUE(saw_cut) << r.out;
  for (const auto c : source_columns)
    EXPECT_EQ(c, source_columns.front()) << r.out;
}

// ---------------------------------------------------------------------------------------
// Friction: Ctrl-C during send --count prints the partial summary

TEST(SharpEdgesE2E, CtrlCDuringALoadRunPrintsThePartialSummary) {
  e2e::Receiver rx({200});
  Background sender(e2e::kHooktool,
                    {"send", "github", "push", "--to", "127.0.0.1:" + std::to_string(rx.port()),
                     "--secret", "s3cret", "--count", "100000", "--rate", "100"});
  ASSERT_TRUE(rx.wait_for(5, 10s)) << sender.describe();
  ASSERT_TRUE(sender.send_signal(SIGINT));
  const auto st = sender.wait_exit(10s);
  EXPECT_EQ(st.term_signal, 0) << "killed by the signal: " << sender.describe();
  EXPECT_EQ(st.exit_code, 130) << sender.describe();
  const auto out = sender.text(Stream::out);
  EXPECT_TRUE(contains(out, "deliveries in")) << sender.describe();
  EXPECT_TRUE(contains(out, "status:  200 × ")) << sender.describe();
  EXPECT_TRUE(contains(out, "latency: p50")) << sender.describe();
  EXPECT_TRUE(contains(sender.text(Stream::err), "interrupted (Ctrl-C) after"))
      << sender.describe();
  EXPECT_TRUE(contains(sender.text(Stream::err), "of 100000 deliveries")) << sender.describe();
}

// ---------------------------------------------------------------------------------------
// Friction: a file that is not a capture says so

TEST(SharpEdgesE2E, ReplayOfAFileThatIsNotACaptureSaysSo) {
  TempDir dir;
  const auto file = dir.write("notes.md", "# My webhook notes\n\nsome text\n");
  const auto r = e2e::hooktool({"replay", file, "--to", "127.0.0.1:9"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  const auto lines = e2e::lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_TRUE(contains(lines[0], "not a hooktool capture file (" + file + ":1")) << r.describe();
  EXPECT_FALSE(contains(lines[0], "truncated")) << r.describe();
}

// ---------------------------------------------------------------------------------------
// Friction: -d is --data; -v prints the handler's answer

TEST(SharpEdgesE2E, DashDIsData) {
  const auto r = e2e::hooktool({"send", "github", "push", "--to", ":9", "--secret", "s",
                                "--dry-run", "--json", "-d", R"({"zen":"short"})"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(e2e::json_lines(r.out).at(0)["body"], R"({"zen":"short"})");
}

TEST(SharpEdgesE2E, VerbosePrintsTheResponseStatusLineHeadersAndBody) {
  auto l = e2e::start_listen({"-q", "--status", "202", "--response-body", R"({"queued":true})",
                              "--response-header", "X-Handler: billing-7"});
  const auto r = e2e::hooktool({"send", "stripe", "invoice.paid", "--to",
                                "127.0.0.1:" + std::to_string(l->wait_port()), "--secret",
                                kStripeSecret, "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "\nHTTP/1.1 202\n")) << r.describe();
  EXPECT_TRUE(contains(r.out, "\nX-Handler: billing-7\n")) << r.describe();
  EXPECT_TRUE(contains(r.out, "\nContent-Type: application/json\n")) << r.describe();
  EXPECT_TRUE(contains(r.out, "\n\n{\"queued\":true}\n")) << r.describe();
  const auto both = e2e::hooktool(
      {"send", "stripe", "invoice.paid", "--to", ":9", "--secret", kStripeSecret, "-v", "--json"});
  EXPECT_EQ(both.exit_code, 2) << both.describe();
}

TEST(SharpEdgesE2E, ReplayVerbosePrintsEveryCopysResponse) {
  TempDir dir;
  const auto save = dir.path() / "sent.jsonl";
  const auto saved = e2e::hooktool({"send", "stripe", "invoice.paid", "--to", ":9", "--secret",
                                    kStripeSecret, "--dry-run", "--save", save.string()});
  ASSERT_EQ(saved.exit_code, 0) << saved.describe();
  auto l = e2e::start_listen({"-q", "--status", "202", "--response-body", R"({"queued":true})",
                              "--response-header", "X-Handler: billing-7"});
  const auto r =
      e2e::hooktool({"replay", save.string(), "--to", "127.0.0.1:" + std::to_string(l->wait_port()),
                     "--times", "2", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "          copy 1/2\n          HTTP/1.1 202\n")) << r.describe();
  EXPECT_TRUE(contains(r.out, "          copy 2/2\n          HTTP/1.1 202\n")) << r.describe();
  EXPECT_TRUE(contains(r.out, "\n          X-Handler: billing-7\n")) << r.describe();
  EXPECT_TRUE(contains(r.out, "\n          {\"queued\":true}\n")) << r.describe();
  const auto both = e2e::hooktool({"replay", save.string(), "--to", ":9", "-v", "--json"});
  EXPECT_EQ(both.exit_code, 2) << both.describe();
  const auto curl = e2e::hooktool({"replay", save.string(), "-v", "--as-curl"});
  EXPECT_EQ(curl.exit_code, 2) << curl.describe();
}

// Without -v, a delivery that got an unexpected answer shows the handler's body.
TEST(SharpEdgesE2E, ReplayShowsTheAnswerBodyOfAFailedDelivery) {
  TempDir dir;
  const auto save = dir.path() / "sent.jsonl";
  ASSERT_EQ(e2e::hooktool({"send", "stripe", "invoice.paid", "--to", ":9", "--secret",
                           kStripeSecret, "--dry-run", "--save", save.string()})
                .exit_code,
            0);
  auto l = e2e::start_listen({"-q", "--status", "500", "--response-body", "db is down: retry"});
  const auto r = e2e::hooktool(
      {"replay", save.string(), "--to", "127.0.0.1:" + std::to_string(l->wait_port())});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out, "answer: db is down: retry")) << r.describe();
}

TEST(SharpEdgesE2E, CheckVerbosePrintsEachRequestAndItsAnswer) {
  auto l = e2e::start_listen({"-q", "--status", "202", "--response-body", R"({"queued":true})",
                              "--response-header", "X-Handler: billing-7"});
  const std::string url = "127.0.0.1:" + std::to_string(l->wait_port());
  const auto r = e2e::hooktool({"check", "stripe", "--to", url, "--secret", kStripeSecret, "--only",
                                "accepts-valid", "-v", "--no-color"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto request = r.out.find("  > POST http://" + url + "/");
  ASSERT_NE(request, std::string::npos) << r.describe();
  const auto answer = r.out.find("\n    HTTP/1.1 202\n", request);
  ASSERT_NE(answer, std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("\n    X-Handler: billing-7\n", answer), std::string::npos) << r.describe();
  EXPECT_LT(answer, r.out.find("accepts-valid", answer))
      << "the answer comes before its check's line";
  const auto both =
      e2e::hooktool({"check", "stripe", "--to", url, "--secret", kStripeSecret, "-v", "--json"});
  EXPECT_EQ(both.exit_code, 2) << both.describe();
}

// sign --curl prints a command that, run by sh, delivers a delivery listen verifies.
TEST(SharpEdgesE2E, SignCurlPrintsACommandThatDeliversAValidDelivery) {
  auto l = e2e::start_listen({"--json", "--secret", "stripe=" + kStripeSecret});
  const std::string url = "127.0.0.1:" + std::to_string(l->wait_port()) + "/hooks";
  const std::string body =
      R"({"id":"evt_1","object":"event","type":"invoice.paid","note":"it's $HOME"})";
  const auto r = e2e::hooktool(
      {"sign", "stripe", "--secret", kStripeSecret, "--body", body, "--curl", "--url", url});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "Stripe-Signature: t=")) << r.out;
  std::string command = r.out;
  while (!command.empty() && command.back() == '\n')
    command.pop_back();
  const auto sent = e2e::run_process("/bin/sh", {"-c", command + " -s -o /dev/null"});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe() << "\n" << r.out;
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  EXPECT_EQ(rec["body"], body) << "the exact bytes, $HOME and the quote included";
  EXPECT_EQ(rec["path"], "/hooks");
  const auto no_url =
      e2e::hooktool({"sign", "stripe", "--secret", kStripeSecret, "--body", body, "--curl"});
  EXPECT_EQ(no_url.exit_code, 2) << no_url.describe();
}

// verify --capture FILE --id ID verifies captured deliveries as they were received.
TEST(SharpEdgesE2E, VerifyCaptureByIdVerifiesTheCapturedDelivery) {
  TempDir dir;
  const auto capture = (dir.path() / "in.jsonl").string();
  auto l =
      e2e::start_listen({"--json", "--secret", "stripe=" + kStripeSecret, "--capture", capture});
  const std::string to = "127.0.0.1:" + std::to_string(l->wait_port());
  ASSERT_EQ(e2e::hooktool({"send", "stripe", "invoice.paid", "--to", to, "--secret", kStripeSecret})
                .exit_code,
            0);
  ASSERT_EQ(e2e::hooktool({"send", "stripe", "invoice.paid", "--to", to, "--secret", kStripeSecret,
                           "--tamper", "body", "--expect", "2xx"})
                .exit_code,
            0);
  const auto good = e2e::listen_record(*l, 1);
  const auto bad = e2e::listen_record(*l, 2);
  const auto event_id = good["event_id"].get<std::string>();
  const auto ok = e2e::hooktool({"--no-color", "verify", "--capture", capture, "--id", event_id,
                                 "--secret", "stripe=" + kStripeSecret});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe();
  EXPECT_EQ(ok.out, "valid  " + capture + ":1 " + good["id"].get<std::string>() + "\n");
  const auto tampered =
      e2e::hooktool({"verify", "--capture", capture, "--id", bad["id"].get<std::string>(),
                     "--secret", "stripe=" + kStripeSecret});
  EXPECT_EQ(tampered.exit_code, 1) << tampered.describe();
  EXPECT_TRUE(contains(tampered.err, "signature does not match")) << tampered.describe();
  const auto later = e2e::hooktool({"verify", "--capture", capture, "--id", event_id, "--secret",
                                    "stripe=" + kStripeSecret, "--now", "4102444800", "--json"});
  EXPECT_EQ(later.exit_code, 1) << later.describe();
  EXPECT_EQ(e2e::json_lines(later.out).at(0)["status"], "expired") << later.describe();
  const auto missing = e2e::hooktool(
      {"verify", "--capture", capture, "--id", "evt_nope", "--secret", "stripe=" + kStripeSecret});
  EXPECT_EQ(missing.exit_code, 1) << missing.describe();
  EXPECT_TRUE(contains(missing.err, "no delivery with id evt_nope")) << missing.describe();
  EXPECT_EQ(e2e::hooktool({"verify", "--capture", capture, "--secret", "x"}).exit_code, 2);
  EXPECT_EQ(e2e::hooktool(
                {"verify", "--capture", capture, "--id", event_id, "--body", "{}", "--secret", "x"})
                .exit_code,
            2);
  EXPECT_EQ(e2e::hooktool({"verify", "stripe", "--secret", "x", "--body", "{}"}).exit_code, 2)
      << "no -H and no --capture";
}

// ---------------------------------------------------------------------------------------
// Friction: human units in expired verdicts

TEST(SharpEdgesE2E, ExpiredVerdictSaysHowLongAgoInHumanUnits) {
  auto l = e2e::start_listen({"--json", "--secret", "stripe=" + kStripeSecret});
  const auto r = e2e::hooktool({"send", "stripe", "invoice.paid", "--to",
                                "127.0.0.1:" + std::to_string(l->wait_port()), "--secret",
                                kStripeSecret, "--age", "94608600", "--expect", "2xx"});
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "expired") << rec.dump();
  const auto reason = rec["verification"]["reason"].get<std::string>();
  EXPECT_TRUE(contains(reason, "signed 3 years ago (tolerance 5 min)")) << reason;
}

// ---------------------------------------------------------------------------------------
// Friction: listen answers: --response-header, a guessed content type, no favicon count

TEST(SharpEdgesE2E, ResponseBodyFromAnXmlFileIsServedAsXml) {
  TempDir dir;
  const auto twiml = dir.write("reply.xml", "<Response><Message>ok</Message></Response>\n");
  auto l = e2e::start_listen({"-q", "--response-body", "@" + twiml});
  const auto r = e2e::hooktool({"send", "stripe", "invoice.paid", "--to",
                                "127.0.0.1:" + std::to_string(l->wait_port()), "--secret",
                                kStripeSecret, "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "\nContent-Type: application/xml\n")) << r.describe();
  const auto framing = e2e::hooktool(
      {"listen", "--port", "0", "--response-header", "Content-Length: 3", "--timeout", "2"});
  EXPECT_EQ(framing.exit_code, 2) << framing.describe();
}

TEST(SharpEdgesE2E, FaviconRequestIsNotCountedTowardCount) {
  auto l = e2e::start_listen({"--json", "--count", "1", "--timeout", "20"});
  const int port = l->wait_port();
  httplib::Client browser("127.0.0.1", port);
  const auto icon = browser.Get("/favicon.ico");
  ASSERT_TRUE(icon) << "no answer to the icon request";
  EXPECT_EQ(icon->status, 404);
  EXPECT_TRUE(l->running()) << "the icon counted as the one delivery: " << l->describe();
  const auto r = e2e::hooktool(
      {"send", "github", "push", "--to", "127.0.0.1:" + std::to_string(port), "--secret", "s"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(l->wait_exit(10s).exit_code, 0) << l->describe();
  const auto records = l->lines(Stream::out);
  ASSERT_EQ(records.size(), 1u) << l->describe();
  EXPECT_EQ(json::parse(records[0])["path"], "/");
}

// ---------------------------------------------------------------------------------------
// Friction: --since needs a unit

TEST(SharpEdgesE2E, SinceWithoutAUnitIsAUsageError) {
  TempDir dir;
  const auto file = dir.write("empty.jsonl", "");
  for (const std::string flag : {"--since", "--until"}) {
    const auto r = e2e::hooktool({"replay", file, "--to", "127.0.0.1:9", flag, "1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_TRUE(contains(r.err, flag + ": expected an RFC 3339 time or a span like 10m"))
        << r.describe();
  }
  const auto ok = e2e::hooktool({"replay", file, "--to", "127.0.0.1:9", "--since", "90s"});
  EXPECT_EQ(ok.exit_code, 1) << ok.describe(); // nothing matched, but the flag was fine
}

} // namespace

} // namespace e2e_sharp_edges
