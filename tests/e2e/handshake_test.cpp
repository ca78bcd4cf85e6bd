// End to end for endpoint-verification handshakes (Slack url_verification, Zoom
// endpoint.url_validation, Twitch webhook_callback_verification, Discord PING): listen answers
// each validly signed one itself (exact bytes and content type), refuses an invalidly signed
// one, passes them on with --no-handshake; send judges a handler's answer; check has an
// answers-handshake line for these providers only. Every wait is bounded, never a sleep.

#include "background.hpp"
#include "flawed_handler.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_handshake {

namespace {

using e2e::listen_record;
using e2e::start_listen;
using json = nlohmann::json;
using namespace std::chrono_literals;

// What send signs with, and what listen (or a handler) verifies with.
struct Keys {
  std::string provider;
  std::string event; // the handshake fixture
  std::string signing;
  std::string verifying;
};

const std::string kDiscordSeed = "67fff88884726008e9d5384b4058397e167b178c4937dba42dfdd0c9f53c5fed";
const std::string kDiscordPublic =
    "7e1aca23cc5425a11b5ec211eccd297eec998cd70fc338b21a5def47d7e32c22";

const std::vector<Keys> kKeys{
    {"slack", "url_verification", "8f742231b10e8888abcd99yyyzzz85a5",
     "8f742231b10e8888abcd99yyyzzz85a5"},
    {"zoom", "endpoint.url_validation", "zoom-e2e-handshake-token", "zoom-e2e-handshake-token"},
    {"twitch", "webhook_callback_verification", "hooktool-e2e-twitch-handshake",
     "hooktool-e2e-twitch-handshake"},
    {"discord", "ping", kDiscordSeed, kDiscordPublic},
};

const Keys& keys(const std::string& provider) {
  for (const auto& k : kKeys)
    if (k.provider == provider)
      return k;
  throw std::runtime_error("no keys for " + provider);
}

std::vector<std::string> listen_secrets(std::vector<std::string> extra = {}) {
  std::vector<std::string> out;
  for (const auto& k : kKeys)
    out.insert(out.end(), {"--secret", k.provider + "=" + k.verifying});
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

// A signed handshake as send would deliver it (send --dry-run --json), for posting by hand.
struct Built {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

Built build(const Keys& k, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"send",     k.provider, k.event,     "--to",  "127.0.0.1:9/hook",
                                "--secret", k.signing,  "--dry-run", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = e2e::hooktool(args);
  if (r.exit_code != 0)
    throw std::runtime_error("send --dry-run failed: " + r.describe());
  const auto j = json::parse(r.out);
  Built b;
  for (const auto& h : j["headers"])
    b.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  b.body = j["body"].get<std::string>();
  return b;
}

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

Answer post(int port, const Built& b) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(5, 0);
  httplib::Headers headers;
  std::string content_type = "application/json";
  for (const auto& [name, value] : b.headers) {
    if (e2e::iequals(name, "Content-Type"))
      content_type = value;
    else if (!e2e::iequals(name, "Content-Length") && !e2e::iequals(name, "Host"))
      headers.emplace(name, value);
  }
  const auto res = c.Post("/hook", headers, b.body, content_type);
  if (!res)
    throw std::runtime_error("no answer from listen");
  return {res->status, res->get_header_value("Content-Type"), res->body};
}

// The answer each provider requires to this handshake body.
Answer expected_answer(const Keys& k, const std::string& body) {
  const auto doc = json::parse(body);
  if (k.provider == "slack")
    return {200, "application/json",
            R"({"challenge":")" + doc["challenge"].get<std::string>() + R"("})"};
  if (k.provider == "zoom") {
    const auto plain = doc["payload"]["plainToken"].get<std::string>();
    return {200, "application/json",
            R"({"plainToken":")" + plain + R"(","encryptedToken":")" +
                e2e::ref::hex(e2e::ref::hmac_sha256(k.verifying, plain)) + R"("})"};
  }
  if (k.provider == "twitch")
    return {200, "text/plain", doc["challenge"].get<std::string>()};
  return {200, "application/json", R"({"type":1})"};
}

e2e::ProcessResult send_to(int port, const Keys& k, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{
      "send",     k.provider, k.event, "--to", "127.0.0.1:" + std::to_string(port) + "/hook",
      "--secret", k.signing};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::hooktool(args);
}

} // namespace

// Each validly signed handshake: listen's exact answer, its record and its capture line.
TEST(HandshakeE2E, ListenAnswersEachValidHandshakeExactly) {
  const e2e::TempDir dir;
  const auto capture = dir.file("captures.jsonl");
  auto l = start_listen(listen_secrets({"--json", "--capture", capture}));
  std::size_t n = 0;
  for (const auto& k : kKeys) {
    SCOPED_TRACE(k.provider);
    const auto b = build(k);
    const auto want = expected_answer(k, b.body);
    const auto got = post(l->port(), b);
    EXPECT_EQ(got.status, want.status);
    EXPECT_EQ(got.content_type, want.content_type);
    EXPECT_EQ(got.body, want.body) << "the exact answer bytes";
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(rec["provider"], k.provider) << rec.dump();
    EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
    ASSERT_TRUE(rec.contains("handshake")) << rec.dump();
    EXPECT_EQ(rec["handshake"]["answered"], true) << rec.dump();
    EXPECT_EQ(rec["handshake"]["body"], want.body) << rec.dump();
    EXPECT_EQ(rec["handshake"]["content_type"], want.content_type) << rec.dump();
    EXPECT_EQ(rec["response"]["status"], 200) << rec.dump();
  }
  // The capture keeps what was answered.
  const auto lines = e2e::lines_of(e2e::read_file(capture));
  ASSERT_EQ(lines.size(), kKeys.size());
  for (const auto& line : lines) {
    const auto rec = json::parse(line);
    EXPECT_EQ(rec["handshake"]["answered"], true) << line;
    EXPECT_FALSE(rec["handshake"]["body"].get<std::string>().empty()) << line;
  }
}

// The terminal line says so too (pretty and quiet output).
TEST(HandshakeE2E, TerminalSaysHandshakeAnswered) {
  for (const auto& mode : std::vector<std::vector<std::string>>{{}, {"--quiet"}}) {
    auto l = start_listen(listen_secrets(mode));
    const auto s = send_to(l->port(), keys("twitch"));
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    static const std::regex kLine("handshake answered: 200 text/plain [A-Za-z0-9]{40}");
    EXPECT_TRUE(l->wait_for_line(e2e::Stream::out, kLine, 10s)) << l->describe();
  }
}

// An invalidly signed or unsigned handshake is refused 401 (what Discord requires and the
// others expect), never answered as valid; with no secret listen cannot tell, and passes it on.
TEST(HandshakeE2E, InvalidOrUnsignedHandshakeIsRefused) {
  auto l = start_listen(listen_secrets({"--json"}));
  std::size_t n = 0;
  for (const auto& k : kKeys) {
    SCOPED_TRACE(k.provider);
    const auto good = build(k);
    for (const std::string how : {"tampered", "unsigned"}) {
      if (how == "unsigned" && k.provider == "discord")
        continue; // without its signature header a delivery is not recognisable as Discord's
      auto b = how == "tampered" ? build(k, {"--tamper", "signature"}) : good;
      if (how == "unsigned")
        std::erase_if(b.headers, [&](const auto& h) {
          return e2e::iequals(h.first, "X-Slack-Signature") ||
                 e2e::iequals(h.first, "x-zm-signature") ||
                 e2e::iequals(h.first, "Twitch-Eventsub-Message-Signature") ||
                 e2e::iequals(h.first, "X-Signature-Ed25519");
        });
      const auto got = post(l->port(), b);
      EXPECT_EQ(got.status, 401) << how;
      EXPECT_EQ(got.body.find("challenge"), std::string::npos) << how << ": " << got.body;
      EXPECT_NE(got.body.find("handshake not answered"), std::string::npos) << got.body;
      const auto rec = listen_record(*l, ++n);
      EXPECT_NE(rec["verification"]["status"], "valid") << rec.dump();
      EXPECT_EQ(rec["handshake"]["answered"], false) << rec.dump();
      EXPECT_NE(rec["handshake"]["note"].get<std::string>().find("refused 401"), std::string::npos)
          << rec.dump();
    }
  }
  // Discord, named with --provider: its unsigned PING is refused too.
  {
    auto d =
        start_listen({"--json", "--provider", "discord", "--secret", "discord=" + kDiscordPublic});
    auto b = build(keys("discord"));
    std::erase_if(b.headers,
                  [](const auto& h) { return e2e::iequals(h.first, "X-Signature-Ed25519"); });
    EXPECT_EQ(post(d->port(), b).status, 401);
    EXPECT_EQ(listen_record(*d, 1)["verification"]["status"], "unsigned");
  }
  // No secret for zoom: not answered, handled like any delivery (the default 200, no body).
  auto bare = start_listen({"--json"});
  const auto got = post(bare->port(), build(keys("zoom")));
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "");
  const auto rec = listen_record(*bare, 1);
  EXPECT_EQ(rec["handshake"]["answered"], false) << rec.dump();
  EXPECT_NE(rec["handshake"]["note"].get<std::string>().find("no secret"), std::string::npos)
      << rec.dump();
}

// --forward-to: listen answers the handshake itself and does not forward it; --no-handshake
// forwards it and relays the handler's answer.
TEST(HandshakeE2E, ForwardOnlyWithNoHandshake) {
  e2e::Receiver handler({200});
  const auto to = "127.0.0.1:" + std::to_string(handler.port());
  {
    auto l = start_listen(listen_secrets({"--json", "--forward-to", to}));
    const auto s = send_to(l->port(), keys("slack"));
    EXPECT_EQ(s.exit_code, 0) << s.describe();
    const auto rec = listen_record(*l, 1);
    EXPECT_EQ(rec["handshake"]["answered"], true) << rec.dump();
    EXPECT_FALSE(rec.contains("forward")) << rec.dump();
    EXPECT_TRUE(handler.requests().empty()) << "answered by listen, not forwarded";
  }
  auto l = start_listen(listen_secrets({"--json", "--no-handshake", "--forward-to", to}));
  const auto b = build(keys("slack"));
  const auto got = post(l->port(), b);
  ASSERT_TRUE(handler.wait_for(1, 5s));
  EXPECT_EQ(handler.requests().at(0).body, b.body) << "the handshake itself, forwarded";
  EXPECT_EQ(got.body, "ok\n") << "the handler's answer, relayed";
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["handshake"]["answered"], false) << rec.dump();
  EXPECT_EQ(rec["handshake"]["note"], "passed on (--no-handshake)") << rec.dump();
  ASSERT_TRUE(rec.contains("forward")) << rec.dump();
}

// send judges the handler's answer as the provider would: listen's answers pass; each wrong
// one fails (exit 1) with what was wrong.
TEST(HandshakeE2E, SendChecksTheHandlersAnswer) {
  {
    auto l = start_listen(listen_secrets());
    for (const auto& k : kKeys) {
      SCOPED_TRACE(k.provider);
      const auto s = send_to(l->port(), k);
      EXPECT_EQ(s.exit_code, 0) << s.describe();
      EXPECT_NE(s.err.find("answered as " + k.provider + " requires"), std::string::npos)
          << s.describe();
      const auto j = send_to(l->port(), k, {"--json"});
      EXPECT_EQ(j.exit_code, 0) << j.describe();
      const auto doc = json::parse(j.out);
      EXPECT_EQ(doc["handshake"]["ok"], true) << j.out;
      EXPECT_TRUE(doc["handshake"]["problem"].is_null()) << j.out;
    }
  }
  // A 200 with no body (listen --no-handshake): the challenge is missing.
  {
    auto l = start_listen(listen_secrets({"--no-handshake"}));
    for (const std::string p : {"slack", "twitch"}) {
      const auto s = send_to(l->port(), keys(p));
      EXPECT_EQ(s.exit_code, 1) << s.describe();
      EXPECT_NE(s.err.find("wrong handshake answer: missing challenge"), std::string::npos)
          << s.describe();
    }
  }
  // Non-2xx.
  {
    auto l = start_listen(listen_secrets({"--no-handshake", "--status", "500"}));
    const auto s = send_to(l->port(), keys("discord"));
    EXPECT_EQ(s.exit_code, 1) << s.describe();
    EXPECT_NE(s.err.find("answered 500, not 2xx"), std::string::npos) << s.describe();
  }
  // Zoom's encryptedToken made with another secret.
  {
    const auto& k = keys("zoom");
    e2e::FlawedHandler h("handshake-wrong-key", k.provider, k.verifying);
    const auto s = e2e::hooktool(
        {"send", k.provider, k.event, "--to", h.to(), "--secret", k.signing, "--json"});
    EXPECT_EQ(s.exit_code, 1) << s.describe();
    const auto doc = json::parse(s.out);
    EXPECT_EQ(doc["ok"], false) << s.out;
    EXPECT_EQ(doc["handshake"]["ok"], false) << s.out;
    EXPECT_NE(doc["handshake"]["problem"].get<std::string>().find("wrong \"encryptedToken\""),
              std::string::npos)
        << s.out;
  }
  // Slack's envelope asks for gzip (Accept-Encoding: gzip,deflate, kept as Slack sends it) and
  // the handler's server compresses its answer: send judges the decoded answer.
  {
    const auto& k = keys("slack");
    e2e::FlawedHandler h("correct", k.provider, k.verifying);
    const auto s =
        e2e::hooktool({"send", k.provider, k.event, "--to", h.to(), "--secret", k.signing, "-v"});
    EXPECT_EQ(s.exit_code, 0) << s.describe() << h.describe();
    EXPECT_NE((s.out + s.err).find("Content-Encoding: gzip"), std::string::npos) << s.describe();
    EXPECT_NE(s.err.find("answered as slack requires"), std::string::npos) << s.describe();
  }
  // The right body with a content type the provider does not take.
  {
    const auto& k = keys("twitch");
    e2e::FlawedHandler h("handshake-html", k.provider, k.verifying);
    const auto s =
        e2e::hooktool({"send", k.provider, k.event, "--to", h.to(), "--secret", k.signing});
    EXPECT_EQ(s.exit_code, 1) << s.describe();
    EXPECT_NE(s.err.find("wrong content type 'text/html': twitch wants text/plain"),
              std::string::npos)
        << s.describe();
  }
}

// check: answers-handshake PASSes for a handler that answers as the provider requires, FAILs
// with the reason for one that does not, and is absent for a provider without a handshake.
TEST(HandshakeE2E, CheckAnswersHandshakeLine) {
  const auto line_of = [](const e2e::ProcessResult& r) {
    for (const auto& j : e2e::json_lines(r.out))
      if (j.value("check", "") == "answers-handshake")
        return j;
    return json();
  };
  for (const auto& k : kKeys) {
    SCOPED_TRACE(k.provider);
    for (const std::string mode : {"correct", "handshake-html"}) {
      e2e::FlawedHandler h(mode, k.provider, k.verifying);
      const auto r = e2e::hooktool({"check", k.provider, "--to", h.to(), "--secret", k.signing,
                                    "--json", "--only", "accepts-valid,answers-handshake"},
                                   60s);
      const auto j = line_of(r);
      ASSERT_FALSE(j.is_null()) << r.describe();
      if (mode == "correct") {
        EXPECT_EQ(j["result"], "PASS") << r.describe() << h.describe();
        EXPECT_EQ(r.exit_code, 0) << r.describe();
      } else {
        EXPECT_EQ(j["result"], "FAIL") << r.describe();
        EXPECT_NE(j["evidence"].get<std::string>().find("wrong content type 'text/html'"),
                  std::string::npos)
            << r.describe();
        EXPECT_EQ(r.exit_code, 1) << r.describe();
      }
    }
  }
  {
    const auto& k = keys("zoom");
    e2e::FlawedHandler h("handshake-wrong-key", k.provider, k.verifying);
    const auto r = e2e::hooktool({"check", k.provider, "--to", h.to(), "--secret", k.signing,
                                  "--json", "--only", "answers-handshake"},
                                 60s);
    const auto j = line_of(r);
    EXPECT_EQ(j.value("result", ""), "FAIL") << r.describe();
    EXPECT_NE(j.value("evidence", "").find("wrong \"encryptedToken\""), std::string::npos)
        << r.describe();
  }
  e2e::FlawedHandler h("correct", "github", "gh-handshake-secret");
  const auto r = e2e::hooktool(
      {"check", "github", "--to", h.to(), "--secret", "gh-handshake-secret", "--json"}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(line_of(r).is_null()) << "no handshake, no line: " << r.out;
}

} // namespace e2e_handshake
