// Handshakes as the providers judge them (handshake_problem), Slack's url_verification answer,
// the signature drills where body-signed schemes keep their signature (Mailgun, Adyen),
// Linear's body timestamp drill, and Standard Webhooks v1a key pairs.
#include "core/capture.hpp"
#include "core/compose.hpp"
#include "crypto/crypto.hpp"
#include "fixture_delivery.hpp"
#include "providers/registry.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_providers_handshake {

using namespace hooktool;
using model::VerdictStatus;
using providers::HandshakeAnswer;
using providers::SignatureDrill;

namespace {

std::unique_ptr<providers::Provider> make(const std::string& id) {
  auto p = providers::make_provider(id);
  EXPECT_NE(p, nullptr) << id;
  return p;
}

core::Composed handshake(const providers::Provider& p, const std::string& secret) {
  return test::compose_fixture(p, std::string(p.handshake_event()), secret, util::now_s(),
                               "http://127.0.0.1/hook");
}

std::string problem(const providers::Provider& p, const model::HttpRequest& req,
                    const std::string& secret, const HandshakeAnswer& reply) {
  return p.handshake_problem(req, secret, reply).value_or("(none)");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(Handshake, OnlyTheFourProvidersHaveOne) {
  for (const auto id : providers::provider_ids()) {
    const auto p = make(std::string(id));
    const bool has = id == "slack" || id == "zoom" || id == "twitch" || id == "discord";
    EXPECT_EQ(!p->handshake_event().empty(), has) << id;
  }
}

TEST(Handshake, SlackUrlVerificationIsAnsweredWithItsChallenge) {
  const auto p = make("slack");
  EXPECT_TRUE(p->is_handshake_event("url_verification"));
  EXPECT_FALSE(p->is_handshake_event("app_mention"));
  const auto d = handshake(*p, "slack-secret");
  const auto challenge = util::json_fields(d.request.body, {{"challenge"}})[0];
  ASSERT_EQ(challenge.size(), 48u);
  const auto answer = p->handshake_answer(d.request, "slack-secret");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->content_type, "application/json");
  EXPECT_EQ(answer->body, R"({"challenge":")" + challenge + R"("})");
  const auto event =
      test::compose_fixture(*p, "app_mention", "slack-secret", util::now_s(), "http://x/");
  EXPECT_FALSE(p->handshake_answer(event.request, "slack-secret"));
}

// Every form Slack takes passes; what it refuses is named.
TEST(Handshake, SlackProblems) {
  const auto p = make("slack");
  const auto d = handshake(*p, "s");
  const auto c = util::json_fields(d.request.body, {{"challenge"}})[0];
  const auto& req = d.request;
  EXPECT_EQ(problem(*p, req, "s", {200, "application/json", R"({"challenge":")" + c + "\"}"}),
            "(none)");
  EXPECT_EQ(problem(*p, req, "s", {200, "text/plain; charset=utf-8", c}), "(none)");
  EXPECT_EQ(problem(*p, req, "s", {200, "application/x-www-form-urlencoded", "challenge=" + c}),
            "(none)");
  EXPECT_TRUE(contains(problem(*p, req, "s", {200, "text/plain", ""}), "missing challenge"));
  EXPECT_TRUE(contains(problem(*p, req, "s", {200, "application/json", R"({"ok":true})"}),
                       "missing \"challenge\""));
  EXPECT_TRUE(contains(problem(*p, req, "s", {200, "text/html", c}), "wrong content type"));
  EXPECT_TRUE(contains(problem(*p, req, "s", {200, "text/plain", c + "x"}), "not the challenge"));
  EXPECT_TRUE(contains(problem(*p, req, "s", {201, "text/plain", c}), "not 200"));
}

TEST(Handshake, ZoomProblems) {
  const auto p = make("zoom");
  const auto d = handshake(*p, "zoom-key");
  const auto right = *p->handshake_answer(d.request, "zoom-key");
  EXPECT_EQ(problem(*p, d.request, "zoom-key", right), "(none)");
  auto wrong = *p->handshake_answer(d.request, "other-key");
  EXPECT_TRUE(contains(problem(*p, d.request, "zoom-key", wrong), "wrong \"encryptedToken\""));
  auto doc = nlohmann::json::parse(right.body);
  doc.erase("plainToken");
  EXPECT_TRUE(contains(problem(*p, d.request, "zoom-key", {200, "application/json", doc.dump()}),
                       "missing \"plainToken\""));
  EXPECT_TRUE(contains(problem(*p, d.request, "zoom-key", {200, "text/plain", right.body}),
                       "wrong content type 'text/plain': zoom wants application/json"));
  EXPECT_TRUE(contains(problem(*p, d.request, "zoom-key", {500, "application/json", right.body}),
                       "answered 500, not 2xx"));
  EXPECT_TRUE(contains(problem(*p, d.request, "zoom-key", {200, "application/json", "[1]"}),
                       "not a JSON object"));
}

TEST(Handshake, TwitchAndDiscordProblems) {
  const auto t = make("twitch");
  const auto d = handshake(*t, "twitch-secret-0123");
  const auto c = util::json_fields(d.request.body, {{"challenge"}})[0];
  EXPECT_EQ(problem(*t, d.request, "x", {200, "text/plain", c}), "(none)");
  EXPECT_TRUE(contains(problem(*t, d.request, "x", {200, "application/json", c}),
                       "wrong content type 'application/json': twitch wants text/plain"));
  EXPECT_TRUE(
      contains(problem(*t, d.request, "x", {200, "text/plain", R"({"challenge":")" + c + "\"}"}),
               "not the challenge"));
  EXPECT_TRUE(contains(problem(*t, d.request, "x", {200, "text/plain", ""}), "missing challenge"));

  const auto dc = make("discord");
  const auto seed = std::string(64, '1');
  const auto ping = handshake(*dc, seed);
  EXPECT_EQ(problem(*dc, ping.request, "k", {200, "application/json", R"({"type":1})"}), "(none)");
  // Extra members are fine (discord.js answers {"type":1,"data":[]} in examples).
  EXPECT_EQ(problem(*dc, ping.request, "k", {200, "application/json", R"({"type":1,"data":[]})"}),
            "(none)");
  EXPECT_TRUE(contains(problem(*dc, ping.request, "k", {200, "application/json", R"({"type":4})"}),
                       "wrong \"type\": got 4"));
  EXPECT_TRUE(contains(problem(*dc, ping.request, "k", {200, "", R"({"type":1})"}),
                       "wrong content type '(none)'"));
  // Not a handshake: nothing to judge.
  const auto command =
      test::compose_fixture(*dc, "application_command", seed, util::now_s(), "http://127.0.0.1/");
  EXPECT_FALSE(dc->handshake_problem(command.request, "k", {500, "", ""}));
}

// The drills change the signature where the body keeps it, and verification then fails.
TEST(SignatureDrills, BodySignedSchemesAreDrilledInTheBody) {
  struct Case {
    std::string id;
    std::string secret;
    std::string where;
  };
  for (const auto& c : std::vector<Case>{
           {"mailgun", "5f3c1b9e2a7d4c6b8e0f1a2b3c4d5e6f-1a2b3c4d-5e6f7a8b",
            "signature.signature in the body"},
           {"adyen", "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
            "additionalData.hmacSignature of every item in the body"}}) {
    const auto p = make(c.id);
    for (const auto drill :
         {SignatureDrill::corrupt, SignatureDrill::remove, SignatureDrill::malform}) {
      SCOPED_TRACE(c.id + " drill " + std::to_string(static_cast<int>(drill)));
      const auto now = util::now_s();
      auto d = test::compose_fixture(*p, std::string(p->default_event()), c.secret, now,
                                     "http://127.0.0.1/");
      providers::VerifyParams v;
      v.secret = c.secret;
      v.now = now;
      ASSERT_EQ(p->verify(d.request, v).status, VerdictStatus::valid);
      const auto before = d.request.body;
      EXPECT_EQ(p->drill_signature(d.request, drill), c.where);
      EXPECT_NE(d.request.body, before);
      EXPECT_NE(p->verify(d.request, v).status, VerdictStatus::valid) << d.request.body;
    }
    // send --tamper signature: applied, and says where.
    const auto t =
        test::compose_fixture(*p, std::string(p->default_event()), c.secret, util::now_s(),
                              "http://127.0.0.1/", core::Tamper::signature);
    EXPECT_TRUE(t.tamper_applied);
    EXPECT_TRUE(contains(t.tamper_note, c.where)) << t.tamper_note;
  }
  // A header scheme: the header, as before.
  const auto gh = make("github");
  auto d = test::compose_fixture(*gh, "push", "s", util::now_s(), "http://127.0.0.1/");
  EXPECT_EQ(gh->drill_signature(d.request, SignatureDrill::remove),
            "every github signature header");
  EXPECT_FALSE(model::find_header(d.request.headers, "X-Hub-Signature-256"));
}

// --tamper timestamp for linear: the body's webhookTimestamp goes stale, unsigned.
TEST(LinearTamper, TimestampDrillMakesTheBodyTimestampStale) {
  const auto p = make("linear");
  const std::string secret = "lin_wh_unitLinearSecret0123456789abcdefghijklmnop";
  const auto now = util::now_s();
  const auto d = test::compose_fixture(*p, "Issue.create", secret, now, "http://127.0.0.1/",
                                       core::Tamper::timestamp);
  ASSERT_TRUE(d.tamper_applied);
  EXPECT_TRUE(contains(d.tamper_note, "webhookTimestamp set 360 s into the past")) << d.tamper_note;
  const auto ms = nlohmann::json::parse(d.request.body)["webhookTimestamp"].get<std::int64_t>();
  EXPECT_EQ(ms, now * 1000 - 360'000);
  providers::VerifyParams v;
  v.secret = secret;
  v.now = now;
  EXPECT_EQ(p->verify(d.request, v).status, VerdictStatus::invalid);
}

// keygen standard: a whsk_ secret key whose public half is a whpk_ key, and they verify.
TEST(StandardKeyPair, WhskSignsAndWhpkVerifies) {
  const auto p = make("standard");
  EXPECT_TRUE(p->has_key_pairs());
  EXPECT_FALSE(make("svix")->has_key_pairs());
  EXPECT_FALSE(make("github")->has_key_pairs());
  EXPECT_TRUE(make("discord")->has_key_pairs());
  const auto sk = p->generate_private_key();
  ASSERT_TRUE(sk.starts_with("whsk_")) << sk;
  const auto raw = crypto::base64_decode(sk.substr(5));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->size(), 64u);
  const auto pk = p->verifying_key(sk);
  ASSERT_TRUE(pk.starts_with("whpk_")) << pk;
  EXPECT_EQ(crypto::base64_decode(pk.substr(5)), raw->substr(32));
  EXPECT_NO_THROW(p->validate_secret(sk));
  EXPECT_NO_THROW(p->validate_verifying_key(pk));
  const auto now = util::now_s();
  const auto d = test::compose_fixture(*p, "user.created", sk, now, "http://127.0.0.1/");
  EXPECT_TRUE(
      contains(std::string(*model::find_header(d.request.headers, "webhook-signature")), "v1a,"));
  providers::VerifyParams v;
  v.secret = pk;
  v.now = now;
  EXPECT_EQ(p->verify(d.request, v).status, VerdictStatus::valid);
  EXPECT_NE(p->generate_private_key(), sk);
}

// The capture line keeps what listen did with a handshake, and reads it back.
TEST(HandshakeCapture, RecordRoundTrips) {
  core::CaptureRecord r;
  r.id = "cap_1";
  r.received_at_ms = 1764065326000;
  r.handshake = core::HandshakeInfo{true, 200, "text/plain", "chal\"lenge", ""};
  const auto line = core::to_capture_line(r);
  EXPECT_TRUE(contains(
      line,
      R"("handshake":{"answered":true,"status":200,"content_type":"text/plain","body":"chal\"lenge","note":null})"))
      << line;
  const auto back = core::parse_capture_line(line);
  ASSERT_TRUE(back.handshake);
  EXPECT_TRUE(back.handshake->answered);
  EXPECT_EQ(back.handshake->status, 200);
  EXPECT_EQ(back.handshake->content_type, "text/plain");
  EXPECT_EQ(back.handshake->body, "chal\"lenge");
  r.handshake = core::HandshakeInfo{false, 401, "", "", "refused 401: signature invalid"};
  const auto refused = core::parse_capture_line(core::to_capture_line(r));
  ASSERT_TRUE(refused.handshake);
  EXPECT_FALSE(refused.handshake->answered);
  EXPECT_EQ(refused.handshake->note, "refused 401: signature invalid");
  r.handshake.reset();
  EXPECT_FALSE(contains(core::to_capture_line(r), "handshake"));
}

} // namespace suite_providers_handshake
