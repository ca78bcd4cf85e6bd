// End-to-end tests for paddle, linear, hubspot, workos, mux and calendly through the built
// binary: every fixture sent to `listen` (no --provider) is detected, named and verified valid;
// a wrong secret, a tampered delivery and an aged one are not; sign | verify round trips; and
// `check` runs its whole battery against the correct test handler. Waits are bounded and on
// output, never sleeps.

#include "background.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <ctime>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <utility>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_providers_tsig {

namespace {

using e2e::Background;
using e2e::listen_record;
using e2e::ProcessResult;
using e2e::start_listen;
using e2e::Stream;
using e2e::TempDir;
using json = nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::pair<std::string, std::string>> kSecrets{
    {"paddle", "pdl_ntfset_01e2etsig00000000000000000_e2ePaddleSecretKey0123456789ab"},
    {"linear", "lin_wh_e2eLinearSigningSecret0123456789abcdefghijkl"},
    {"hubspot", "6a1f2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"},
    {"workos", "e2eWorkosWebhookSecret0123456789"},
    {"mux", "e2eMuxSigningSecret0123456789abc"},
    {"calendly", "e2e-calendly-signing-key-0123456789"},
};

std::string secret_of(const std::string& id) {
  for (const auto& [p, s] : kSecrets)
    if (p == id)
      return s;
  return {};
}

std::string str(const json& j) {
  return j.is_string() ? j.get<std::string>() : "";
}

// The events `hooktool fixtures ID --json` lists.
std::vector<std::string> events_of(const std::string& id) {
  const auto r = e2e::hooktool({"fixtures", id, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::vector<std::string> out;
  for (const auto& j : e2e::json_lines(r.out))
    out.push_back(j.at("event").get<std::string>());
  return out;
}

ProcessResult send(const Background& l, const std::string& id, const std::string& event,
                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv{
      "send",  id, event, "--to", "127.0.0.1:" + std::to_string(l.port()) + "/hook?src=e2e",
      "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return e2e::hooktool(argv, 30s);
}

// hooktool_test_handler on a free loopback port, correct mode.
class TestHandler {
public:
  TestHandler(const std::string& provider, const std::string& state) {
    bg_ = std::make_unique<Background>(
        HOOKTOOL_TEST_HANDLER,
        std::vector<std::string>{"--mode", "correct", "--provider", provider, "--secret",
                                 secret_of(provider), "--state", state});
    static const std::regex kBanner(R"(handler listening on http://127\.0\.0\.1:([0-9]+))");
    const auto line = bg_->wait_for_line(Stream::err, kBanner, 10s);
    std::smatch m;
    if (!line || !std::regex_search(*line, m, kBanner))
      throw std::runtime_error("the test handler did not start: " + bg_->describe());
    port_ = std::stoi(m[1].str());
  }
  [[nodiscard]] std::string to() const { return "127.0.0.1:" + std::to_string(port_) + "/hook"; }
  [[nodiscard]] std::string describe() const { return bg_->describe(); }

private:
  std::unique_ptr<Background> bg_;
  int port_ = -1;
};

} // namespace

TEST(TsigProvidersE2E, EveryFixtureIsDetectedNamedAndValid) {
  TempDir dir;
  const auto capture = dir.file("captures.jsonl");
  auto l = start_listen(e2e::secret_flags(kSecrets, {"--json", "--capture", capture}));
  std::size_t n = 0;
  for (const auto& [id, secret] : kSecrets) {
    const auto events = events_of(id);
    EXPECT_GE(events.size(), 4u) << id;
    for (const auto& event : events) {
      SCOPED_TRACE(id + " " + event);
      const auto s = send(*l, id, event, {"--secret", secret});
      ASSERT_EQ(s.exit_code, 0) << s.describe();
      const auto sent = e2e::json_lines(s.out);
      ASSERT_EQ(sent.size(), 1u) << s.describe();
      const auto rec = listen_record(*l, ++n);
      EXPECT_EQ(str(rec["provider"]), id) << rec.dump();
      EXPECT_EQ(str(rec["event_type"]), event) << rec.dump();
      EXPECT_FALSE(str(rec["event_id"]).empty()) << rec.dump();
      EXPECT_EQ(str(rec["event_id"]), sent[0].value("event_id", "")) << rec.dump();
      EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
    }
  }
  const auto everything = l->out() + l->err();
  for (const auto& [id, secret] : kSecrets)
    EXPECT_EQ(everything.find(secret), std::string::npos) << "secret echoed: " << id;
}

TEST(TsigProvidersE2E, WrongSecretTamperAndAgeAreRefused) {
  auto l = start_listen(e2e::secret_flags(kSecrets, {"--json"}));
  std::size_t n = 0;
  for (const auto& [id, secret] : kSecrets) {
    const auto event = events_of(id).front();
    SCOPED_TRACE(id + " " + event);
    auto s = send(*l, id, event, {"--secret", secret + "-wrong"});
    EXPECT_EQ(s.exit_code, 0) << s.describe();
    EXPECT_EQ(listen_record(*l, ++n)["verification"]["status"], "invalid");

    for (const std::string tamper : {"signature", "body"}) {
      s = send(*l, id, event, {"--secret", secret, "--tamper", tamper});
      EXPECT_EQ(s.exit_code, 1) << tamper << ": listen answers 200, send expects 4xx";
      const auto rec = listen_record(*l, ++n);
      EXPECT_EQ(rec["verification"]["status"], "invalid") << tamper << " " << rec.dump();
    }

    // Linear's timestamp is the body's webhookTimestamp: the drill sets it stale there.
    s = send(*l, id, event, {"--secret", secret, "--tamper", "timestamp"});
    EXPECT_EQ(s.exit_code, 1) << s.describe();
    const auto stale = listen_record(*l, ++n);
    EXPECT_EQ(stale["verification"]["status"], "invalid") << stale.dump();
    if (id == "linear") {
      EXPECT_NE((s.out + s.err).find("webhookTimestamp set 360 s into the past"), std::string::npos)
          << s.err;
      const auto body = json::parse(stale["body"].get<std::string>());
      EXPECT_LT(body["webhookTimestamp"].get<std::int64_t>(),
                (static_cast<std::int64_t>(std::time(nullptr)) - 300) * 1000)
          << "stale";
    }

    s = send(*l, id, event, {"--secret", secret, "--age", "3600"});
    EXPECT_EQ(s.exit_code, 0) << s.describe();
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(rec["verification"]["status"], "expired") << rec.dump();
  }
}

// sign linear: signing rewrites webhookTimestamp, so the body to send is printed after the
// headers; verify accepts that body with those headers.
TEST(TsigProvidersE2E, SignLinearPrintsTheRewrittenBody) {
  TempDir dir;
  const std::string secret = "lin_wh_e2eLinearSigningSecret0123456789abcdefghijkl";
  const auto body =
      dir.write("linear.json", R"({"type":"Issue","action":"create","webhookTimestamp":1})");
  const auto r = e2e::hooktool(
      {"sign", "linear", "--secret", secret, "--body", "@" + body, "--timestamp", "1764065326"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto blank = r.out.find("\n\n");
  ASSERT_NE(blank, std::string::npos) << r.out;
  const auto headers = r.out.substr(0, blank);
  auto sent = r.out.substr(blank + 2);
  ASSERT_FALSE(sent.empty());
  sent.pop_back(); // the newline after the body
  EXPECT_EQ(sent, R"({"type":"Issue","action":"create","webhookTimestamp":1764065326000})");
  EXPECT_NE(r.err.find("signing rewrote the body"), std::string::npos) << r.err;
  const auto rewritten = dir.write("sent.json", sent);
  std::vector<std::string> verify{"verify", "linear",        "--secret", secret,
                                  "--body", "@" + rewritten, "--now",    "1764065330"};
  for (const auto& line : e2e::lines_of(headers))
    verify.insert(verify.end(), {"--header", line});
  const auto v = e2e::hooktool(verify);
  EXPECT_EQ(v.exit_code, 0) << v.describe();
  // A body signing leaves alone prints no body.
  const auto gh = e2e::hooktool({"sign", "github", "--secret", "s", "--body", "@" + body});
  EXPECT_EQ(gh.out.find("\n\n"), std::string::npos) << gh.out;
}

// sign prints the headers; verify accepts them with the same body (and URL for hubspot).
TEST(TsigProvidersE2E, SignThenVerify) {
  TempDir dir;
  for (const auto& [id, secret] : kSecrets) {
    if (id == "linear")
      continue; // signing rewrites the body's webhookTimestamp: covered in the unit tests
    SCOPED_TRACE(id);
    const auto body = dir.write(id + ".json", R"({"id":"x1","type":"t","event":"e"})");
    std::vector<std::string> args{"sign", id, "--secret", secret, "--body", "@" + body};
    if (id == "hubspot")
      args.insert(args.end(), {"--url", "https://example.com/hooks/hubspot?portal=1"});
    const auto signed_ = e2e::hooktool(args);
    ASSERT_EQ(signed_.exit_code, 0) << signed_.describe();
    std::vector<std::string> verify{"verify", id, "--secret", secret, "--body", "@" + body};
    if (id == "hubspot")
      verify.insert(verify.end(), {"--url", "https://example.com/hooks/hubspot?portal=1"});
    for (const auto& line : e2e::lines_of(signed_.out))
      verify.insert(verify.end(), {"--header", line});
    auto v = e2e::hooktool(verify);
    EXPECT_EQ(v.exit_code, 0) << v.describe();
    verify.insert(verify.end(), {"--now", std::to_string(std::time(nullptr) + 100000)});
    v = e2e::hooktool(verify);
    EXPECT_EQ(v.exit_code, 1) << "far past the window: " << v.describe();
  }
}

// The whole battery against a handler that verifies correctly: nothing fails, nothing crashes.
TEST(TsigProvidersE2E, CheckRunsCleanAgainstACorrectHandler) {
  for (const auto& [id, secret] : kSecrets) {
    SCOPED_TRACE(id);
    TempDir dir;
    TestHandler h(id, dir.file("processed.txt"));
    const auto r = e2e::hooktool({"check", id, "--to", h.to(), "--secret", secret, "--json"}, 60s);
    EXPECT_EQ(r.exit_code, 0) << r.describe() << "\n--- handler ---\n" << h.describe();
    std::size_t checks = 0;
    for (const auto& j : e2e::json_lines(r.out)) {
      if (j.contains("summary"))
        continue;
      ++checks;
      const auto result = j.value("result", "");
      EXPECT_TRUE(result == "PASS" || result == "SKIP" || result == "WARN")
          << j.dump() << "\n--- handler ---\n"
          << h.describe();
    }
    EXPECT_GE(checks, 10u) << r.describe();
  }
}

} // namespace e2e_providers_tsig
