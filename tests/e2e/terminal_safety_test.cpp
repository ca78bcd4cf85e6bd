// Terminal safety and the smaller safety promises (issue #18 items 7 and 8), end to end: what a
// hostile sender or capture file puts in front of listen, replay, export and check reaches the
// terminal escaped (asserted on the bytes of stdout and stderr); --as-curl text piped to sh runs
// exactly curl with the captured bytes; capture files are 0600 and never written through a
// symbolic link; secret and key files must be small regular files; secrets are not echoed.
//
// HOOKTOOL_E2E_BIN, when set, runs these tests against another binary (e.g. one built without
// the fixes, to see each test fail).

#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "temp_dir.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_terminal_safety {

namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using e2e::Background;
using e2e::ProcessOptions;
using e2e::ProcessResult;
using e2e::TempDir;
using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string& bin() {
  static const std::string path = [] {
    const char* other = std::getenv("HOOKTOOL_E2E_BIN");
    return other != nullptr && *other != '\0' ? std::string(other) : e2e::kHooktool;
  }();
  return path;
}

ProcessResult ht(const std::vector<std::string>& args, ProcessOptions opts = {}) {
  return e2e::run_process(bin(), args, opts);
}

std::unique_ptr<Background> listen(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"listen", "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto bg = std::make_unique<Background>(bin(), argv, e2e::BackgroundOptions{});
  if (bg->wait_port(10s) <= 0)
    throw std::runtime_error("listen did not print its banner: " + bg->describe());
  return bg;
}

// The first byte a terminal could act on, as "offset N: 0xHH" (C0 controls but tab and line
// feed, DEL, U+0080-U+009F, anything outside well-formed UTF-8), or "" when there is none.
std::string first_control(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 1;
    bool bad = false;
    if (b < 0x20)
      bad = b != '\t' && b != '\n';
    else if (b == 0x7F)
      bad = true;
    else if (b >= 0x80) {
      n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
      bad = n == 0 || i + n > s.size();
      for (std::size_t k = 1; !bad && k < n; ++k)
        bad = (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80;
      bad = bad || (b == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0);
    }
    if (bad) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "offset %zu: 0x%02X", i, b);
      return buf;
    }
    i += n == 0 ? 1 : n;
  }
  return {};
}

#define EXPECT_NO_CONTROL(text)                                                                    \
  EXPECT_EQ(first_control(text), "") << "raw control byte in:\n" << (text)

// One request over a fresh loopback connection; the answer read until the server closes.
std::string send_raw(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  (void)!::write(fd, request.data(), request.size());
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0)
      continue;
    char buf[4096];
    const auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

// A delivery whose target, header and body carry terminal escapes: raw C1 (0x9B is CSI),
// U+009B, bytes that are not UTF-8, and, in the body, ESC, BEL and DEL.
std::string hostile_request(const std::string& content_type, const std::string& body) {
  return "POST /hook\x9b\xff?q=\xc2\x9b HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         "X-Evil: a\x9b[31m\xc2\x9b]0;title\xff\r\nContent-Type: " +
         content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

const std::string kHostileText = "\x1b]0;pwned\x07\x1b[2Jtext\xc2\x9b\x7f\r\nend";
const std::string kHostileJson = "{\"a\":\"x\x7f\xc2\x9by\",\"b\":\"\\u001b[31m\"}";

void deliver_hostile(Background& l) {
  ASSERT_NE(send_raw(l.port(), hostile_request("text/plain", kHostileText)).find(" 200 "),
            std::string::npos);
  ASSERT_NE(send_raw(l.port(), hostile_request("application/json", kHostileJson)).find(" 200 "),
            std::string::npos);
}

TEST(TerminalSafety, ListenPrettyShowsHostileBytesEscaped) {
  auto l = listen({"--count", "2"});
  deliver_hostile(*l);
  ASSERT_EQ(l->wait_exit(10s).exit_code, 0) << l->describe();
  const auto out = l->out();
  ASSERT_NE(out.find("X-Evil"), std::string::npos) << out;
  EXPECT_NO_CONTROL(out);
  EXPECT_NO_CONTROL(l->err());
  // Shown escaped, not dropped or blurred into '?': the bytes can be read back.
  EXPECT_NE(out.find("X-Evil: a\\x9B[31m\\u009B]0;title\\xFF"), std::string::npos) << out;
  EXPECT_NE(out.find("/hook\\x9B\\xFF?q=\\u009B"), std::string::npos) << out;
  EXPECT_NE(out.find("\\x1B]0;pwned\\x07\\x1B[2Jtext\\u009B\\x7F\nend"), std::string::npos) << out;
  EXPECT_NE(out.find("\"x\\x7F\\u009By\""), std::string::npos) << out;
}

TEST(TerminalSafety, ListenQuietLineShowsHostileBytesEscaped) {
  auto l = listen({"-q", "--count", "2"});
  deliver_hostile(*l);
  ASSERT_EQ(l->wait_exit(10s).exit_code, 0) << l->describe();
  const auto out = l->out();
  ASSERT_EQ(e2e::lines_of(out).size(), 2u) << out;
  EXPECT_NO_CONTROL(out);
  EXPECT_NO_CONTROL(l->err());
  EXPECT_NE(out.find("POST   /hook\\x9B\\xFF?q=\\u009B "), std::string::npos) << out;
}

// A capture file a hostile sender (or a hand edit) filled: every printable field carries
// terminal escapes, and the header and body carry shell syntax too.
// Terminal escapes in a header value (`with_escape_header`) are left out where the capture is
// sent to a real server, which may refuse them.
std::string hostile_capture_line(const std::string& id, const std::string& path,
                                 bool with_escape_header = true) {
  json j;
  j["id"] = id;
  j["received_at"] = "2026-01-01T00:00:00.000Z";
  j["method"] = "POST";
  j["path"] = path;
  j["query"] = "";
  j["headers"] = json::array({json::array({"Content-Type", "text/plain"}),
                              json::array({"X-Shell", "it's $(touch PWNED) `touch PWNED` \\"})});
  if (with_escape_header)
    j["headers"].push_back(json::array({"X-Term", "a\x1b]0;title\x07\xc2\x9b[31m"}));
  j["body"] = "'; touch PWNED; '\n$(touch PWNED)\x1b[2J\xc2\x9b\x7f\t%s\\n end\n";
  j["remote"] = "127.0.0.1:1";
  j["provider"] = nullptr;
  j["event_type"] = "evt\ntouch PWNED\x1b]0;x\x07";
  j["event_id"] = "id\xc2\x9b\x1b[31m";
  j["verification"] = {{"status", "unsigned"}, {"reason", ""}};
  j["response"] = {{"status", 200}, {"duration_ms", 0}};
  return j.dump(-1, ' ', false, json::error_handler_t::strict) + "\n";
}

// A curl that records what it was given: one argument per line (escaped by printf %q-free
// means: the bytes of each argument, NUL-separated, in argv.bin) and its stdin in stdin.bin.
void write_fake_curl(const fs::path& dir) {
  fs::create_directories(dir);
  const auto script = dir / "curl";
  e2e::write_file(script.string(),
                  "#!/bin/sh\n"
                  "for a in \"$@\"; do printf '%s\\0' \"$a\"; done >> \"$REC/argv.bin\"\n"
                  "cat > \"$REC/stdin.bin\"\n");
  fs::permissions(script, fs::perms::owner_all);
}

std::vector<std::string> split_nul(const std::string& bytes) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\0') {
      out.push_back(bytes.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

TEST(TerminalSafety, AsCurlTextRunsExactlyCurlWithTheCapturedBytes) {
  TempDir dir;
  const auto file = dir.file("hostile.jsonl");
  e2e::write_file(file, hostile_capture_line("cap_1", "/p/it's$(touch PWNED)"));
  const auto r = ht({"replay", file, "--as-curl", "--to", "http://127.0.0.1:9/base"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NO_CONTROL(r.out);
  EXPECT_NO_CONTROL(r.err);

  const auto script = dir.file("curl.sh");
  e2e::write_file(script, r.out);
  const auto syntax = e2e::run_process("/bin/sh", {"-n", script});
  ASSERT_EQ(syntax.exit_code, 0) << syntax.describe() << "\n" << r.out;

  const auto rec = dir.file("rec");
  fs::create_directories(rec);
  write_fake_curl(dir.file("fakebin"));
  ProcessOptions opts;
  opts.cwd = rec;
  opts.env["PATH"] = dir.file("fakebin") + ":/usr/bin:/bin";
  opts.env["REC"] = rec;
  for (const auto* shell : {"/bin/sh", "/bin/bash"}) {
    SCOPED_TRACE(shell);
    fs::remove(fs::path(rec) / "argv.bin");
    const auto ran = e2e::run_process(shell, {script}, opts);
    ASSERT_EQ(ran.exit_code, 0) << ran.describe() << "\n" << r.out;
    EXPECT_FALSE(fs::exists(fs::path(rec) / "PWNED")) << "the text ran a command:\n" << r.out;
    const auto argv = split_nul(e2e::read_file((fs::path(rec) / "argv.bin").string()));
    const std::vector<std::string> want{"-sS",
                                        "-X",
                                        "POST",
                                        "http://127.0.0.1:9/base/p/it's$(touch PWNED)",
                                        "-H",
                                        "Content-Type: text/plain",
                                        "-H",
                                        "X-Shell: it's $(touch PWNED) `touch PWNED` \\",
                                        "-H",
                                        "X-Term: a\x1b]0;title\x07\xc2\x9b[31m",
                                        "-H",
                                        "Expect:",
                                        "-H",
                                        "User-Agent:",
                                        "-H",
                                        "Accept:",
                                        "--data-binary",
                                        "@-"};
    EXPECT_EQ(argv, want) << r.out;
    EXPECT_EQ(e2e::read_file((fs::path(rec) / "stdin.bin").string()),
              "'; touch PWNED; '\n$(touch PWNED)\x1b[2J\xc2\x9b\x7f\t%s\\n end\n")
        << r.out;
  }
}

TEST(TerminalSafety, ReplayAndExportOutputHoldsNoControlByte) {
  TempDir dir;
  const auto file = dir.file("hostile.jsonl");
  e2e::write_file(file, hostile_capture_line("cap_2\x1b]0;t\x07", "/r", false));
  httplib::Server srv;
  srv.Post(".*", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("no\x1b]0;answer\x07\xc2\x9b\x9b", "text/plain");
  });
  std::thread th;
  const int port = e2e::serve_on_loopback(srv, th, "hostile handler");
  const auto replay = ht({"replay", file, "--to", "127.0.0.1:" + std::to_string(port)});
  srv.stop();
  th.join();
  EXPECT_EQ(replay.exit_code, 1) << replay.describe();
  EXPECT_NE(replay.out.find("answer: no\\x1B]0;answer\\x07\\u009B\\x9B"), std::string::npos)
      << replay.describe();
  EXPECT_NO_CONTROL(replay.out);
  EXPECT_NO_CONTROL(replay.err);

  for (const auto* format : {"--har", "--jsonl"}) {
    const auto exported = ht({"export", format, file});
    ASSERT_EQ(exported.exit_code, 0) << exported.describe();
    EXPECT_NO_CONTROL(exported.out);
    EXPECT_NO_CONTROL(exported.err);
    // The same JSON values: DEL and U+009B are written as \u escapes, not dropped.
    EXPECT_NE(exported.out.find("\\u007f"), std::string::npos) << exported.out;
    EXPECT_NE(exported.out.find("\\u009b"), std::string::npos) << exported.out;
  }
  const auto back = ht({"export", "--jsonl", file});
  const auto round = json::parse(e2e::lines_of(back.out).at(0));
  const auto original = json::parse(e2e::read_file(file));
  EXPECT_EQ(round["body"], original["body"]);
  EXPECT_EQ(round["headers"], original["headers"]);
}

TEST(TerminalSafety, CheckShowsTheHandlersAnswerEscaped) {
  httplib::Server srv;
  srv.Post(".*", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content("chal\x1b]0;t\x07\xc2\x9b\xff", "text/plain");
  });
  std::thread th;
  const int port = e2e::serve_on_loopback(srv, th, "hostile handler");
  const auto to = "127.0.0.1:" + std::to_string(port);
  const auto text =
      ht({"check", "slack", "--to", to, "--secret", "s3cret", "--only", "answers-handshake"});
  const auto js = ht({"check", "slack", "--to", to, "--secret", "s3cret", "--only",
                      "answers-handshake", "--json"});
  srv.stop();
  th.join();
  EXPECT_EQ(text.exit_code, 1) << text.describe();
  EXPECT_NO_CONTROL(text.out);
  EXPECT_NO_CONTROL(text.err);
  EXPECT_NE(text.out.find("chal\\x1B]0;t\\x07\\u009B\\xFF"), std::string::npos) << text.out;
  EXPECT_NO_CONTROL(js.out);
  EXPECT_NO_CONTROL(js.err);
}

TEST(TerminalSafety, CaptureFileIsCreatedPrivateAndNeverThroughASymlink) {
  TempDir dir;
  const auto fresh = dir.file("new.jsonl");
  {
    auto l = listen({"--count", "1", "-q", "--capture", fresh});
    ASSERT_NE(send_raw(l->port(), hostile_request("text/plain", "x")).find(" 200 "),
              std::string::npos);
    ASSERT_EQ(l->wait_exit(10s).exit_code, 0) << l->describe();
  }
  struct stat st {};
  ASSERT_EQ(::stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // An existing file others can read: kept (it is the user's), with a warning.
  const auto shared = dir.file("shared.jsonl");
  e2e::write_file(shared, "");
  ::chmod(shared.c_str(), 0644);
  {
    auto l = listen({"--count", "1", "-q", "--capture", shared});
    ASSERT_TRUE(l->wait_for_text(e2e::Stream::err, "readable by other users", 5s)) << l->describe();
    EXPECT_NE(l->err().find("chmod 600"), std::string::npos) << l->err();
    l->send_signal(SIGTERM);
    l->wait_exit(10s);
  }

  // A symbolic link at the capture path is refused, and its target is left alone.
  const auto target = dir.file("elsewhere");
  e2e::write_file(target, "precious\n");
  const auto link = dir.file("link.jsonl");
  fs::create_symlink(target, link);
  const auto r = ht({"listen", "--port", "0", "--count", "1", "--capture", link}, [] {
    ProcessOptions o;
    o.timeout = 10s;
    return o;
  }());
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("is a symbolic link"), std::string::npos) << r.describe();
  EXPECT_EQ(e2e::read_file(target), "precious\n");
  const auto saved = ht({"send", "github", "push", "--to", "127.0.0.1:9", "--dry-run", "--save",
                         link, "--secret", "s"});
  EXPECT_EQ(saved.exit_code, 2) << saved.describe();
  EXPECT_NE(saved.err.find("is a symbolic link"), std::string::npos) << saved.describe();
  EXPECT_EQ(e2e::read_file(target), "precious\n");
}

TEST(TerminalSafety, SecretAndKeyFilesMustBeSmallRegularFiles) {
  TempDir dir;
  const auto fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto big = dir.file("big");
  e2e::write_file(big, std::string(1u << 20, 'k'));
  const auto body = dir.file("body.json");
  e2e::write_file(body, "{}");
  ProcessOptions quick;
  quick.timeout = 5s;
  for (const auto& file : {fifo, std::string("/dev/zero"), big}) {
    SCOPED_TRACE(file);
    const auto start = std::chrono::steady_clock::now();
    const auto r = ht({"sign", "github", "--secret-file", file, "--body", "@" + body}, quick);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    EXPECT_FALSE(r.timed_out) << r.describe();
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find("--secret-file"), std::string::npos) << r.describe();
    EXPECT_EQ(r.err.find("kkkkkkkk"), std::string::npos) << "the content is not quoted";
    EXPECT_EQ(e2e::lines_of(r.err).size(), 1u) << r.describe();
  }
  // --tls-key and --tls-cert: a FIFO or a device is refused at once, not waited on.
  for (const auto& file : {fifo, std::string("/dev/zero")}) {
    SCOPED_TRACE(file);
    const auto r =
        ht({"listen", "--port", "0", "--tls-cert", file, "--tls-key", file, "--count", "1"}, quick);
    EXPECT_FALSE(r.timed_out) << r.describe();
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find("--tls-cert"), std::string::npos) << r.describe();
  }
}

TEST(TerminalSafety, SecretsAndLongValuesAreNotEchoed) {
  const std::string secret = "whsec_TOPSECRETvalue";
  // A misspelt flag: the parser would list its value among the unexpected arguments.
  const auto typo = ht({"sign", "github", "--secrt", secret, "--body", "x"});
  EXPECT_EQ(typo.exit_code, 2) << typo.describe();
  EXPECT_NE(typo.err.find("--secrt"), std::string::npos) << typo.describe();
  EXPECT_EQ(typo.err.find("TOPSECRET"), std::string::npos) << typo.describe();
  const auto eq = ht({"sign", "github", "--secrte=" + secret, "--body", "x"});
  EXPECT_EQ(eq.exit_code, 2) << eq.describe();
  EXPECT_EQ(eq.err.find("TOPSECRET"), std::string::npos) << eq.describe();
  // A secret that starts with a word and '=': that word is not quoted back.
  const auto word = ht({"sign", "github", "--secret", "hunter=TOPSECRET", "--body", "x"});
  EXPECT_EQ(word.exit_code, 2) << word.describe();
  EXPECT_EQ(word.err.find("hunter"), std::string::npos) << word.describe();
  EXPECT_EQ(word.err.find("TOPSECRET"), std::string::npos) << word.describe();
  // An over-long value is cut, and what is shown is escaped.
  const auto long_to = ht({"send", "github", "push", "--to", "h\x1b[2J" + std::string(100000, 'x'),
                           "--secret", "s", "--dry-run"});
  EXPECT_EQ(long_to.exit_code, 2) << long_to.describe();
  EXPECT_LT(long_to.err.size(), 2500u) << long_to.err.substr(0, 300);
  EXPECT_NO_CONTROL(long_to.err);
}

} // namespace

} // namespace e2e_terminal_safety
