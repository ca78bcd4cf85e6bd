// Zoom, Twitch, Mailgun, Adyen and GitLab: signing, verification, windows, malformed
// signatures, handshakes, event read-back for every fixture, and auto-detection.
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "crypto/crypto.hpp"
#include "providers/registry.hpp"
#include "providers/twitch.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_providers_hs {

using namespace hooktool;
using model::VerdictStatus;

namespace {

const std::vector<std::string> kOurs{"zoom", "twitch", "mailgun", "adyen", "gitlab"};

std::unique_ptr<providers::Provider> make(const std::string& id) {
  auto p = providers::make_provider(id);
  EXPECT_NE(p, nullptr) << id << " is not registered";
  return p;
}

providers::VerifyParams at(std::int64_t now, std::optional<std::string> secret,
                           std::optional<std::int64_t> tolerance = std::nullopt) {
  providers::VerifyParams v;
  v.secret = std::move(secret);
  v.now = now;
  v.tolerance = tolerance;
  return v;
}

// A delivery of the provider's event, signed at ts with secret.
model::HttpRequest signed_request(const providers::Provider& p, const std::string& event,
                                  std::string body, const std::string& secret, std::int64_t ts,
                                  providers::BodyFormat format = providers::BodyFormat::json) {
  model::HttpRequest req;
  req.url = "http://localhost:3000/hooks";
  req.body = std::move(body);
  req.headers = p.envelope({event, format, ts, {}});
  p.sign(req, {secret, ts, {}});
  return req;
}

nlohmann::json vector_for(const std::string& provider, std::size_t nth) {
  std::ifstream in(HOOKTOOL_VECTORS);
  const auto doc = nlohmann::json::parse(in);
  std::size_t seen = 0;
  for (const auto& v : doc["vectors"])
    if (v["provider"] == provider && seen++ == nth)
      return v;
  ADD_FAILURE() << "no vector " << nth << " for " << provider;
  return {};
}

VerdictStatus status(const providers::Provider& p, const model::HttpRequest& req,
                     const providers::VerifyParams& params) {
  return p.verify(req, params).status;
}

core::Composed compose_fixture(const providers::Provider& p, const std::string& event,
                               const std::string& secret, core::Tamper tamper) {
  const core::FixtureStore store;
  core::PayloadSpec spec;
  spec.fixture_family = std::string(p.fixture_family());
  spec.event = event;
  spec.pretty_json = p.pretty_json();
  spec.now_ms = util::now_ms();
  core::ComposeInput in;
  in.provider = &p;
  in.event = event;
  in.payload = core::render_payload(store, spec);
  in.url = "http://localhost:3000/hooks";
  in.secret = secret;
  in.timestamp = spec.now_ms / 1000;
  in.tamper = tamper;
  return core::compose(in);
}

constexpr std::int64_t kTs = 1764065326;

} // namespace

// ---------------------------------------------------------------------------------------- zoom

TEST(Zoom, RoundTripWrongSecretAndTamperedBody) {
  const auto p = make("zoom");
  const std::string secret = "abcdefghijklmnopqrstuv";
  auto req = signed_request(*p, "meeting.started", R"({"event":"meeting.started"})", secret, kTs);
  EXPECT_TRUE(util::starts_with(*model::find_header(req.headers, "x-zm-signature"), "v0="));
  EXPECT_EQ(*model::find_header(req.headers, "x-zm-request-timestamp"), std::to_string(kTs));
  EXPECT_EQ(status(*p, req, at(kTs, secret)), VerdictStatus::valid);
  // No window: Rivet and the docs check none.
  EXPECT_EQ(status(*p, req, at(kTs + 86400 * 30, secret)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs, "wrong-secret")), VerdictStatus::invalid);
  EXPECT_EQ(status(*p, req, at(kTs, std::nullopt)), VerdictStatus::unverified);
  auto body = req;
  body.body = R"({"event":"meeting.ended"})";
  EXPECT_EQ(status(*p, body, at(kTs, secret)), VerdictStatus::invalid);
  auto ts = req;
  p->tamper_timestamp(ts.headers);
  EXPECT_EQ(status(*p, ts, at(kTs, secret)), VerdictStatus::invalid);
  auto sig = req;
  p->tamper_signature(sig.headers);
  EXPECT_EQ(status(*p, sig, at(kTs, secret)), VerdictStatus::invalid);
  EXPECT_EQ(p->signed_timestamp(req.headers), kTs);
}

TEST(Zoom, MalformedSignatureHeaders) {
  const auto p = make("zoom");
  const std::string secret = "abcdefghijklmnopqrstuv";
  const auto good = signed_request(*p, "meeting.started", "{}", secret, kTs);
  const auto with = [&](std::string_view name, std::optional<std::string> value) {
    auto r = good;
    if (value)
      model::set_header(r.headers, std::string(name), *value);
    else
      model::remove_header(r.headers, name);
    return status(*p, r, at(kTs, secret));
  };
  const auto sig = std::string(*model::find_header(good.headers, "x-zm-signature"));
  EXPECT_EQ(with("x-zm-signature", std::nullopt), VerdictStatus::unsigned_);
  EXPECT_EQ(with("x-zm-signature", ""), VerdictStatus::invalid);
  EXPECT_EQ(with("x-zm-signature", sig.substr(3)), VerdictStatus::invalid);         // no v0=
  EXPECT_EQ(with("x-zm-signature", "v1=" + sig.substr(3)), VerdictStatus::invalid); // scheme
  EXPECT_EQ(with("x-zm-signature", sig.substr(0, 40)), VerdictStatus::invalid);     // short
  EXPECT_EQ(with("x-zm-signature", "v0=" + std::string(64, 'z')), VerdictStatus::invalid);
  EXPECT_EQ(with("x-zm-signature", "v0=" + util::to_lower(sig.substr(3)) + "00"),
            VerdictStatus::invalid);
  EXPECT_EQ(with("x-zm-request-timestamp", std::nullopt), VerdictStatus::invalid);
  EXPECT_EQ(with("x-zm-request-timestamp", "soon"), VerdictStatus::invalid);
  EXPECT_EQ(with("x-zm-request-timestamp", ""), VerdictStatus::invalid);
}

// The vector's expected_response_body: encryptedToken = hex HMAC-SHA256(secret, plainToken).
TEST(Zoom, UrlValidationHandshakeMatchesTheVector) {
  const auto p = make("zoom");
  const auto v = vector_for("zoom", 1);
  ASSERT_TRUE(v.contains("expected_response_body"));
  EXPECT_TRUE(p->is_handshake_event("endpoint.url_validation"));
  EXPECT_FALSE(p->is_handshake_event("meeting.started"));
  model::HttpRequest req;
  req.body = v["body"].get<std::string>();
  const auto answer = p->handshake_answer(req, v["secret"].get<std::string>());
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(answer->body), v["expected_response_body"]);
  req.body = R"({"event":"meeting.started","payload":{"plainToken":"x"}})";
  EXPECT_FALSE(p->handshake_answer(req, "s").has_value());
}

TEST(Zoom, HandshakeFixtureIsAnswered) {
  const auto p = make("zoom");
  const auto d = compose_fixture(*p, "endpoint.url_validation", "zoom-secret", core::Tamper::none);
  EXPECT_EQ(d.info.type, "endpoint.url_validation");
  const auto plain = util::json_fields(d.request.body, {{"payload", "plainToken"}})[0];
  ASSERT_FALSE(plain.empty());
  const auto answer = p->handshake_answer(d.request, "zoom-secret");
  ASSERT_TRUE(answer.has_value());
  const auto j = nlohmann::json::parse(answer->body);
  EXPECT_EQ(j["plainToken"], plain);
  EXPECT_EQ(j["encryptedToken"],
            crypto::to_hex(crypto::hmac(crypto::Digest::sha256, "zoom-secret", plain)));
}

// -------------------------------------------------------------------------------------- twitch

TEST(Twitch, RoundTripAndTenMinuteWindow) {
  const auto p = make("twitch");
  const std::string secret = "hooktool-twitch-secret-0123456789";
  const auto req = signed_request(*p, "channel.follow", R"({"subscription":{}})", secret, kTs);
  const auto ts =
      std::string(*model::find_header(req.headers, "Twitch-Eventsub-Message-Timestamp"));
  EXPECT_EQ(ts, providers::twitch_timestamp(kTs * 1000));
  EXPECT_EQ(ts.size(), std::string("2025-11-25T10:08:46.000000000Z").size()) << ts;
  EXPECT_EQ(*model::find_header(req.headers, "Twitch-Eventsub-Message-Type"), "notification");
  EXPECT_EQ(status(*p, req, at(kTs, secret)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs + 600, secret)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs + 601, secret)), VerdictStatus::expired);
  EXPECT_EQ(status(*p, req, at(kTs - 3600, secret)), VerdictStatus::valid) << "past-only window";
  EXPECT_EQ(status(*p, req, at(kTs + 601, secret, 0)), VerdictStatus::valid) << "no window";
  EXPECT_EQ(status(*p, req, at(kTs, "another-secret-123")), VerdictStatus::invalid);
  auto body = req;
  body.body += " ";
  EXPECT_EQ(status(*p, body, at(kTs, secret)), VerdictStatus::invalid);
  auto id = req;
  model::set_header(id.headers, "Twitch-Eventsub-Message-Id", crypto::random_uuid());
  EXPECT_EQ(status(*p, id, at(kTs, secret)), VerdictStatus::invalid) << "the id is signed";
  auto stamp = req;
  p->tamper_timestamp(stamp.headers);
  EXPECT_EQ(status(*p, stamp, at(kTs, secret)), VerdictStatus::invalid);
  auto sig = req;
  p->tamper_signature(sig.headers);
  EXPECT_EQ(status(*p, sig, at(kTs, secret)), VerdictStatus::invalid);
}

// The timestamp is signed as text: re-signing at the same second keeps the digits it has;
// another second writes a new one (replay --resign).
TEST(Twitch, TimestampTextIsKeptOrReplaced) {
  const auto p = make("twitch");
  const std::string secret = "hooktool-twitch-secret-0123456789";
  model::HttpRequest req;
  req.body = "{}";
  req.headers = p->envelope({"channel.follow", providers::BodyFormat::json, 0, "id-1"});
  model::set_header(req.headers, "Twitch-Eventsub-Message-Timestamp", "2025-11-25T10:08:46.5Z");
  p->sign(req, {secret, 0, {}});
  EXPECT_EQ(*model::find_header(req.headers, "Twitch-Eventsub-Message-Timestamp"),
            "2025-11-25T10:08:46.5Z");
  p->sign(req, {secret, 1764065326, {}});
  EXPECT_EQ(*model::find_header(req.headers, "Twitch-Eventsub-Message-Timestamp"),
            "2025-11-25T10:08:46.5Z");
  p->sign(req, {secret, 1764065400, {}});
  EXPECT_EQ(*model::find_header(req.headers, "Twitch-Eventsub-Message-Timestamp"),
            "2025-11-25T10:10:00.000000000Z");
  EXPECT_EQ(*model::find_header(req.headers, "Twitch-Eventsub-Message-Id"), "id-1");
  EXPECT_EQ(status(*p, req, at(1764065400, secret)), VerdictStatus::valid);
  EXPECT_EQ(p->signed_timestamp(req.headers), 1764065400);
}

TEST(Twitch, MalformedSignatureHeaders) {
  const auto p = make("twitch");
  const std::string secret = "hooktool-twitch-secret-0123456789";
  const auto good = signed_request(*p, "channel.follow", "{}", secret, kTs);
  const auto with = [&](std::string_view name, std::optional<std::string> value) {
    auto r = good;
    if (value)
      model::set_header(r.headers, std::string(name), *value);
    else
      model::remove_header(r.headers, name);
    return status(*p, r, at(kTs, secret));
  };
  const std::string sig(*model::find_header(good.headers, "Twitch-Eventsub-Message-Signature"));
  const std::string header = "Twitch-Eventsub-Message-Signature";
  EXPECT_EQ(with(header, std::nullopt), VerdictStatus::unsigned_);
  EXPECT_EQ(with(header, ""), VerdictStatus::invalid);
  EXPECT_EQ(with(header, sig.substr(7)), VerdictStatus::invalid);
  EXPECT_EQ(with(header, "sha1=" + sig.substr(7)), VerdictStatus::invalid);
  EXPECT_EQ(with(header, "sha256=" + std::string(64, 'g')), VerdictStatus::invalid);
  EXPECT_EQ(with(header, sig.substr(0, 30)), VerdictStatus::invalid);
  EXPECT_EQ(with("Twitch-Eventsub-Message-Id", std::nullopt), VerdictStatus::invalid);
  EXPECT_EQ(with("Twitch-Eventsub-Message-Timestamp", std::nullopt), VerdictStatus::invalid);
  EXPECT_EQ(with("Twitch-Eventsub-Message-Timestamp", "1764065326"), VerdictStatus::invalid);
  EXPECT_EQ(with("Twitch-Eventsub-Message-Timestamp", ""), VerdictStatus::invalid);
}

TEST(Twitch, SecretsOutsideTwitchsLimitsAreRefused) {
  const auto p = make("twitch");
  EXPECT_THROW(p->validate_secret("short"), hooktool::Error);
  EXPECT_THROW(p->validate_secret(std::string(101, 'a')), hooktool::Error);
  EXPECT_THROW(p->validate_secret("zoë-ångström-secret"), hooktool::Error);
  EXPECT_NO_THROW(p->validate_secret(std::string(10, 'a')));
  EXPECT_NO_THROW(p->validate_secret(std::string(100, 'a')));
  EXPECT_NO_THROW(p->validate_secret(p->generate_secret()));
}

TEST(Twitch, CallbackVerificationIsAnsweredWithTheChallenge) {
  const auto p = make("twitch");
  EXPECT_TRUE(p->is_handshake_event("webhook_callback_verification"));
  EXPECT_FALSE(p->is_handshake_event("channel.follow"));
  const auto d = compose_fixture(*p, "webhook_callback_verification", "hooktool-twitch-0123",
                                 core::Tamper::none);
  EXPECT_EQ(*model::find_header(d.request.headers, "Twitch-Eventsub-Message-Type"),
            "webhook_callback_verification");
  const auto challenge = util::json_fields(d.request.body, {{"challenge"}})[0];
  ASSERT_FALSE(challenge.empty());
  const auto answer = p->handshake_answer(d.request, "hooktool-twitch-0123");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->content_type, "text/plain");
  EXPECT_EQ(answer->body, challenge);
  const auto note =
      compose_fixture(*p, "channel.follow", "hooktool-twitch-0123", core::Tamper::none);
  EXPECT_FALSE(p->handshake_answer(note.request, "hooktool-twitch-0123").has_value());
  // The vector's handshake (one fractional digit) verifies as sent.
  const auto v = vector_for("twitch", 1);
  model::HttpRequest req;
  req.body = v["body"].get<std::string>();
  for (const auto& [k, val] : v["headers"].items())
    req.headers.push_back({k, val.get<std::string>()});
  for (const auto& [k, val] : v["other_headers"].items())
    req.headers.push_back({k, val.get<std::string>()});
  EXPECT_EQ(status(*p, req, at(*p->signed_timestamp(req.headers), v["secret"])),
            VerdictStatus::valid);
  EXPECT_EQ(p->handshake_answer(req, "")->body, "pogchamp-kappa-360noscope-vohiyo");
}

// ------------------------------------------------------------------------------------- mailgun

// Re-signing the vector's signed body with its own token and timestamp gives its bytes back.
TEST(Mailgun, VectorBodiesAreReproducedWithTheirTokens) {
  const auto p = make("mailgun");
  for (std::size_t n = 0; n < 2; ++n) {
    const auto v = vector_for("mailgun", n);
    const auto expected = v["body"].get<std::string>();
    auto doc = nlohmann::ordered_json::parse(expected);
    doc["signature"]["signature"] = "";
    model::HttpRequest req;
    req.body = doc.dump(-1, ' ', false);
    req.headers = p->envelope({"delivered", providers::BodyFormat::json, 0, {}});
    EXPECT_TRUE(p->sign(req, {v["secret"], v["timestamp"].get<std::int64_t>(), {}}).empty());
    EXPECT_EQ(req.body, expected);
  }
}

// A fresh signing draws a fresh 50-character token and appends the signature object last, so
// that --tamper body (the last character) changes the token, a signed field.
TEST(Mailgun, FreshTokensAndTamperedFields) {
  const auto p = make("mailgun");
  const auto v = vector_for("mailgun", 0);
  const std::string key = v["secret"];
  model::HttpRequest a;
  a.headers = p->envelope({"delivered", providers::BodyFormat::json, kTs, {}});
  a.body = v["unsigned_body"];
  auto b = a;
  p->sign(a, {key, kTs, {}});
  p->sign(b, {key, kTs, {}});
  const auto token = util::json_fields(a.body, {{"signature", "token"}})[0];
  EXPECT_EQ(token.size(), 50u);
  EXPECT_NE(token, util::json_fields(b.body, {{"signature", "token"}})[0]);
  EXPECT_EQ(a.body.rfind(token + "\"}}"), a.body.size() - token.size() - 3) << a.body;
  EXPECT_EQ(status(*p, a, at(kTs, key)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, a, at(kTs, "key-wrong")), VerdictStatus::invalid);
  EXPECT_EQ(status(*p, a, at(kTs, std::nullopt)), VerdictStatus::unverified);

  // The event data is not signed: changing it still verifies (Mailgun's scheme).
  auto data = a;
  data.body.replace(data.body.find("delivered"), 9, "failed!!!");
  EXPECT_EQ(status(*p, data, at(kTs, key)), VerdictStatus::valid);
  // Timestamp and token are.
  for (const auto* field : {"timestamp", "token"}) {
    auto doc = nlohmann::ordered_json::parse(a.body);
    doc["signature"][field] = field == std::string("token") ? std::string(50, '0') : "1700000000";
    auto r = a;
    r.body = doc.dump();
    EXPECT_EQ(status(*p, r, at(kTs, key)), VerdictStatus::invalid) << field;
  }
  // The body drill cannot apply: no change to the body is detectable, and it says so
  // instead of corrupting the signature fields.
  const auto tampered = compose_fixture(*p, "delivered", key, core::Tamper::body);
  EXPECT_FALSE(tampered.tamper_applied);
  EXPECT_NE(tampered.tamper_note.find("not covered"), std::string::npos) << tampered.tamper_note;
  EXPECT_EQ(status(*p, tampered.request, at(util::now_s(), key)), VerdictStatus::valid);
  EXPECT_THROW(p->tamper_timestamp(a.headers), hooktool::Error);
}

TEST(Mailgun, MalformedAndMissingSignatureFields) {
  const auto p = make("mailgun");
  const std::string key = "key-0123456789";
  model::HttpRequest base;
  base.headers = p->envelope({"delivered", providers::BodyFormat::json, kTs, {}});
  base.body = R"({"event-data":{"event":"delivered","id":"x"}})";
  EXPECT_EQ(status(*p, base, at(kTs, key)), VerdictStatus::unsigned_);
  p->sign(base, {key, kTs, {}});
  const auto with = [&](const char* field, const nlohmann::ordered_json& value) {
    auto doc = nlohmann::ordered_json::parse(base.body);
    if (value.is_null())
      doc["signature"].erase(field);
    else
      doc["signature"][field] = value;
    auto r = base;
    r.body = doc.dump();
    return status(*p, r, at(kTs, key));
  };
  EXPECT_EQ(with("signature", nullptr), VerdictStatus::invalid);
  EXPECT_EQ(with("signature", ""), VerdictStatus::invalid);
  EXPECT_EQ(with("signature", "zz"), VerdictStatus::invalid);
  EXPECT_EQ(with("signature", std::string(64, 'g')), VerdictStatus::invalid);
  EXPECT_EQ(with("timestamp", nullptr), VerdictStatus::invalid);
  EXPECT_EQ(with("timestamp", "yesterday"), VerdictStatus::invalid);
  EXPECT_EQ(with("token", nullptr), VerdictStatus::invalid);
  // Mailgun's documentation shows the timestamp as a number too.
  EXPECT_EQ(with("timestamp", kTs), VerdictStatus::valid);
  // Upper-case hex is the same signature.
  const auto sig = util::json_fields(base.body, {{"signature", "signature"}})[0];
  std::string upper = sig;
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(with("signature", upper), VerdictStatus::valid);
  // A subaccount delivery: the parent's signature matches the parent's key.
  EXPECT_EQ(with("signature", std::string(64, 'a')), VerdictStatus::invalid);
  auto doc = nlohmann::ordered_json::parse(base.body);
  doc["signature"]["parent-signature"] = sig;
  doc["signature"]["signature"] = std::string(64, 'a');
  auto parent = base;
  parent.body = doc.dump();
  EXPECT_EQ(status(*p, parent, at(kTs, key)), VerdictStatus::valid);
}

TEST(Mailgun, ExplicitToleranceBoundsTheTimestamp) {
  const auto p = make("mailgun");
  model::HttpRequest req;
  req.headers = p->envelope({"delivered", providers::BodyFormat::json, kTs, {}});
  req.body = R"({"event-data":{"event":"delivered","id":"x"}})";
  p->sign(req, {"k", kTs, {}});
  EXPECT_EQ(status(*p, req, at(kTs + 86400, "k")), VerdictStatus::valid) << "none documented";
  EXPECT_EQ(status(*p, req, at(kTs + 300, "k", 300)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs + 301, "k", 300)), VerdictStatus::expired);
  EXPECT_EQ(status(*p, req, at(kTs - 301, "k", 300)), VerdictStatus::expired);
}

TEST(Mailgun, FormBodiesCarryTheThreeFields) {
  const auto p = make("mailgun");
  auto req = signed_request(*p, "inbound", "recipient=a%40example.com&subject=Hi", "key-1", kTs,
                            providers::BodyFormat::form);
  EXPECT_EQ(util::form_field(req.body, "timestamp"), std::to_string(kTs));
  EXPECT_EQ(util::form_field(req.body, "token")->size(), 50u);
  EXPECT_EQ(status(*p, req, at(kTs, "key-1")), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs, "key-2")), VerdictStatus::invalid);
  EXPECT_EQ(p->event_info(req).type, "inbound");
  const auto before = req.body;
  p->sign(req, {"key-1", kTs + 5, {}});
  EXPECT_EQ(util::form_field(req.body, "token"), util::form_field(before, "token"));
  EXPECT_EQ(util::form_field(req.body, "timestamp"), std::to_string(kTs + 5));
  EXPECT_EQ(req.body.find("recipient=a%40example.com&subject=Hi&"), 0u) << req.body;
  EXPECT_EQ(status(*p, req, at(kTs, "key-1")), VerdictStatus::valid);
}

// --------------------------------------------------------------------------------------- adyen

// Signing each vector's unsigned body gives the official body byte for byte.
TEST(Adyen, VectorBodiesAreReproduced) {
  const auto p = make("adyen");
  for (std::size_t n = 0; n < 2; ++n) {
    const auto v = vector_for("adyen", n);
    model::HttpRequest req;
    req.headers = p->envelope({"AUTHORISATION", providers::BodyFormat::json, 0, {}});
    req.body = v["unsigned_body"];
    EXPECT_TRUE(p->sign(req, {v["secret"], 0, {}}).empty());
    EXPECT_EQ(req.body, v["body"].get<std::string>());
  }
}

// The example in Adyen's PHP library tests (HmacSignatureTest::testNotificationRequestItemHmac).
TEST(Adyen, PublishedLibraryExample) {
  const auto p = make("adyen");
  model::HttpRequest req;
  req.headers = p->envelope({"AUTHORISATION", providers::BodyFormat::json, 0, {}});
  req.body = R"({"live":"false","notificationItems":[{"NotificationRequestItem":{)"
             R"("pspReference":"7914073381342284","merchantAccountCode":"TestMerchant",)"
             R"("merchantReference":"TestPayment-1407325143704","amount":{"value":1130,)"
             R"("currency":"EUR"},"eventCode":"AUTHORISATION","success":"true"}}]})";
  const std::string key = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00";
  p->sign(req, {key, 0, {}});
  EXPECT_NE(req.body.find(R"("hmacSignature":"Ny9gS2veKo5E4w8/OL6xz1/wvT/hYkAXy1xNc/QvO4I=")"),
            std::string::npos)
      << req.body;
  EXPECT_EQ(status(*p, req, at(0, key)), VerdictStatus::valid);
  EXPECT_EQ(p->event_info(req).type, "AUTHORISATION");
  EXPECT_EQ(p->event_info(req).id, "AUTHORISATION:7914073381342284");
}

TEST(Adyen, EveryItemMustMatch) {
  const auto p = make("adyen");
  const auto v = vector_for("adyen", 1);
  const std::string key = v["secret"];
  model::HttpRequest req;
  req.headers = p->envelope({"REFUND", providers::BodyFormat::json, 0, {}});
  req.body = v["body"];
  EXPECT_EQ(status(*p, req, at(0, key)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(0, std::nullopt)), VerdictStatus::unverified);
  EXPECT_EQ(
      status(*p, req, at(0, "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA057")),
      VerdictStatus::invalid);
  EXPECT_EQ(status(*p, req, at(0, "not hex")), VerdictStatus::invalid);
  const auto edit = [&](auto change) {
    auto doc = nlohmann::ordered_json::parse(req.body);
    change(doc["notificationItems"][1]["NotificationRequestItem"]);
    auto r = req;
    r.body = doc.dump();
    return p->verify(r, at(0, key));
  };
  using J = nlohmann::ordered_json;
  // Signed fields of the second item.
  EXPECT_EQ(edit([](J& i) { i["amount"]["value"] = 501; }).status, VerdictStatus::invalid);
  EXPECT_EQ(edit([](J& i) { i["success"] = "false"; }).status, VerdictStatus::invalid);
  EXPECT_EQ(edit([](J& i) { i["originalReference"] = "x"; }).status, VerdictStatus::invalid);
  // An unsigned field.
  EXPECT_EQ(edit([](J& i) { i["paymentMethod"] = "mc"; }).status, VerdictStatus::valid);
  // Malformed or missing signatures.
  const auto bad = edit([](J& i) { i["additionalData"].erase("hmacSignature"); });
  EXPECT_EQ(bad.status, VerdictStatus::invalid);
  EXPECT_NE(bad.reason.find("item 2"), std::string::npos) << bad.reason;
  EXPECT_EQ(edit([](J& i) { i["additionalData"]["hmacSignature"] = "!!"; }).status,
            VerdictStatus::invalid);
  EXPECT_EQ(edit([](J& i) { i["additionalData"]["hmacSignature"] = ""; }).status,
            VerdictStatus::invalid);
  EXPECT_EQ(edit([](J& i) { i["additionalData"]["hmacSignature"] = "AAAA"; }).status,
            VerdictStatus::invalid);
  auto none = req;
  none.body = v["unsigned_body"];
  EXPECT_EQ(status(*p, none, at(0, key)), VerdictStatus::unsigned_);
  none.body = "{}";
  EXPECT_EQ(status(*p, none, at(0, key)), VerdictStatus::unsigned_);
  // send --tamper body changes the last item's "success", a signed field.
  const auto tampered = compose_fixture(*p, "AUTHORISATION", key, core::Tamper::body);
  EXPECT_EQ(status(*p, tampered.request, at(0, key)), VerdictStatus::invalid);
}

TEST(Adyen, KeysAreHex) {
  const auto p = make("adyen");
  EXPECT_THROW(p->validate_secret("not-hex"), hooktool::Error);
  EXPECT_THROW(p->validate_secret("ABC"), hooktool::Error);
  EXPECT_THROW(p->validate_secret(""), hooktool::Error);
  EXPECT_NO_THROW(p->validate_secret(p->generate_secret()));
  EXPECT_EQ(p->generate_secret().size(), 64u);
}

// -------------------------------------------------------------------------------------- gitlab

TEST(Gitlab, SecretTokenIsComparedAsIs) {
  const auto p = make("gitlab");
  const std::string token = "glwt-hook token=with spaces&+";
  const auto req = signed_request(*p, "push", R"({"object_kind":"push"})", token, kTs);
  EXPECT_EQ(*model::find_header(req.headers, "X-Gitlab-Token"), token);
  EXPECT_EQ(*model::find_header(req.headers, "X-Gitlab-Event"), "Push Hook");
  EXPECT_FALSE(model::find_header(req.headers, "webhook-signature"));
  EXPECT_EQ(status(*p, req, at(kTs, token)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs + 86400 * 365, token)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs, token + "x")), VerdictStatus::invalid);
  EXPECT_EQ(status(*p, req, at(kTs, token.substr(1))), VerdictStatus::invalid);
  EXPECT_EQ(status(*p, req, at(kTs, std::nullopt)), VerdictStatus::unverified);
  auto sig = req;
  p->tamper_signature(sig.headers);
  EXPECT_EQ(status(*p, sig, at(kTs, token)), VerdictStatus::invalid);
  auto empty = req;
  model::set_header(empty.headers, "X-Gitlab-Token", "");
  EXPECT_EQ(status(*p, empty, at(kTs, token)), VerdictStatus::invalid);
  auto none = req;
  model::remove_header(none.headers, "X-Gitlab-Token");
  EXPECT_EQ(status(*p, none, at(kTs, token)), VerdictStatus::unsigned_);
  auto stamp = req;
  EXPECT_THROW(p->tamper_timestamp(stamp.headers), hooktool::Error);
  // A signing token against a token-only delivery says what is wrong.
  const auto v = p->verify(req, at(kTs, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_NE(v.reason.find("signing token"), std::string::npos) << v.reason;
}

// A whsec_ signing token signs as Standard Webhooks do, webhook-id = Idempotency-Key.
TEST(Gitlab, SigningTokenSignsLikeStandardWebhooks) {
  const auto p = make("gitlab");
  const auto standard = make("standard");
  const std::string key = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const auto req = signed_request(*p, "merge_request.open", R"({"test": 2432232314})", key, kTs);
  EXPECT_EQ(*model::find_header(req.headers, "webhook-id"),
            *model::find_header(req.headers, "Idempotency-Key"));
  EXPECT_FALSE(model::find_header(req.headers, "X-Gitlab-Token"));
  EXPECT_EQ(*model::find_header(req.headers, "X-Gitlab-Event"), "Merge Request Hook");
  // The same bytes Standard Webhooks' own signer gives for that id and time.
  model::HttpRequest ref;
  ref.body = req.body;
  ref.headers.push_back(
      {"webhook-id", std::string(*model::find_header(req.headers, "webhook-id"))});
  standard->sign(ref, {key, kTs, {}});
  EXPECT_EQ(*model::find_header(req.headers, "webhook-signature"),
            *model::find_header(ref.headers, "webhook-signature"));
  EXPECT_EQ(status(*p, req, at(kTs, key)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs + 300, key)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs + 301, key)), VerdictStatus::expired);
  EXPECT_EQ(status(*p, req, at(kTs - 301, key)), VerdictStatus::expired);
  EXPECT_EQ(status(*p, req, at(kTs + 301, key, 0)), VerdictStatus::valid);
  EXPECT_EQ(status(*p, req, at(kTs, "whsec_AAAAMfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
            VerdictStatus::invalid);
  EXPECT_EQ(status(*p, req, at(kTs, "plain-token")), VerdictStatus::invalid);
  auto body = req;
  body.body += " ";
  EXPECT_EQ(status(*p, body, at(kTs, key)), VerdictStatus::invalid);
  auto stamp = req;
  p->tamper_timestamp(stamp.headers);
  EXPECT_EQ(status(*p, stamp, at(kTs, key)), VerdictStatus::invalid);
  auto sig = req;
  p->tamper_signature(sig.headers);
  EXPECT_EQ(status(*p, sig, at(kTs, key)), VerdictStatus::invalid);
  for (const std::string bad : {"", "v1", "v1,", "v2,abc", "garbage"}) {
    auto r = req;
    model::set_header(r.headers, "webhook-signature", bad);
    EXPECT_EQ(status(*p, r, at(kTs, key)), VerdictStatus::invalid) << bad;
  }
  EXPECT_EQ(p->signed_timestamp(req.headers), kTs);
  // Detected as gitlab, never as standard.
  const auto* found = providers::detect_provider(req.headers);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->id(), "gitlab");
}

// ---------------------------------------------------------------------------------- all five

// Every fixture: the event type read back is the file name, there is an id, the delivery is
// detected as its provider, and it verifies with the secret it was signed with.
TEST(ProvidersHs, EveryFixtureReadsBackDetectsAndVerifies) {
  const core::FixtureStore store;
  for (const auto& id : kOurs) {
    const auto p = make(id);
    const auto fixtures = store.list(id);
    EXPECT_GE(fixtures.size(), 4u) << id;
    bool has_default = false;
    for (const auto& f : fixtures) {
      SCOPED_TRACE(id + "/" + f.event);
      has_default = has_default || f.event == p->default_event();
      const auto secret = p->generate_secret();
      EXPECT_NO_THROW(p->validate_secret(secret));
      const auto d = compose_fixture(*p, f.event, secret, core::Tamper::none);
      const auto info = p->event_info(d.request);
      EXPECT_EQ(info.type, f.event);
      EXPECT_FALSE(info.id.empty());
      const auto* found = providers::detect_provider(d.request.headers);
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(found->id(), id);
      EXPECT_EQ(status(*p, d.request, at(util::now_s(), secret)), VerdictStatus::valid);
      EXPECT_EQ(p->is_handshake_event(f.event), p->handshake_answer(d.request, secret).has_value());
      // None of the others claims it either: detection runs in registry order.
      for (const auto& other : providers::all_providers())
        if (other->id() != id && other->detect(d.request.headers)) {
          EXPECT_GT(std::find(providers::provider_ids().begin(), providers::provider_ids().end(),
                              other->id()) -
                        providers::provider_ids().begin(),
                    std::find(providers::provider_ids().begin(), providers::provider_ids().end(),
                              std::string_view(id)) -
                        providers::provider_ids().begin())
              << other->id() << " would claim it first";
        }
    }
    EXPECT_TRUE(has_default) << id << " default event " << p->default_event();
  }
}

// Drills every provider's check battery uses: an unknown event still verifies after re-signing.
TEST(ProvidersHs, UnknownEventsAreSetAndResigned) {
  for (const auto& id : kOurs) {
    SCOPED_TRACE(id);
    const auto p = make(id);
    const auto secret = p->generate_secret();
    auto d = compose_fixture(*p, std::string(p->default_event()), secret, core::Tamper::none);
    ASSERT_TRUE(p->set_unknown_event(d.request));
    p->sign(d.request, {secret, util::now_s(), {}});
    EXPECT_NE(p->event_info(d.request).type, p->default_event());
    EXPECT_EQ(status(*p, d.request, at(util::now_s(), secret)), VerdictStatus::valid);
  }
}

} // namespace suite_providers_hs
