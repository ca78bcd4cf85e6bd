// Asymmetric schemes (discord Ed25519, sendgrid ECDSA P-256, Standard Webhooks v1a) and the
// Standard Webhooks flavours (openai, resend, clerk): round trips through compose, keys,
// malformed headers, windows, event read-back and detection.
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "fixture_delivery.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_providers_asym {

using namespace hooktool;
using model::VerdictStatus;

namespace {

constexpr std::string_view kDiscordSeed =
    "67fff88884726008e9d5384b4058397e167b178c4937dba42dfdd0c9f53c5fed";
constexpr std::string_view kDiscordPublic =
    "7e1aca23cc5425a11b5ec211eccd297eec998cd70fc338b21a5def47d7e32c22";
constexpr std::string_view kSendgridPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQhtkBnXa+BjQ1KQJ\n"
    "bgfORep6727Wy87TG1tdiLuBeSahRANCAASFD1OB2x6J+H8O2RWqO0EudzMHy5YG\n"
    "bHVKJ6hKvnYjhRC7p8bOC3xbjLa2isDY77zp1pqE/czpw0KuP4dR7Esa\n"
    "-----END PRIVATE KEY-----";
constexpr std::string_view kSendgridPublic =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhQ9Tgdseifh/DtkVqjtBLnczB8uWBmx1SieoSr52I4UQu6fGzgt8W4y2"
    "torA2O+86daahP3M6cNCrj+HUexLGg==";
constexpr std::int64_t kTs = 1764065326;

providers::VerifyParams params(std::string key, std::int64_t now,
                               std::optional<std::int64_t> tolerance = std::nullopt) {
  providers::VerifyParams p;
  p.secret = std::move(key);
  p.now = now;
  p.tolerance = tolerance;
  return p;
}

core::Composed compose(const providers::Provider& p, const std::string& event,
                       const std::string& secret, std::int64_t ts,
                       core::Tamper tamper = core::Tamper::none) {
  return test::compose_fixture(p, event, secret, ts, "http://localhost:3000/", tamper);
}

std::vector<std::string> events_of(const providers::Provider& p) {
  std::vector<std::string> out;
  for (const auto& f : core::FixtureStore().list(p.fixture_family()))
    out.push_back(f.event);
  return out;
}

// A provider, a signing key and the key its handler verifies with.
struct Case {
  std::string id;
  std::string signing_key;
  std::string verifying_key;
};

std::vector<Case> cases() {
  return {{"discord", std::string(kDiscordSeed), std::string(kDiscordPublic)},
          {"sendgrid", std::string(kSendgridPem), std::string(kSendgridPublic)}};
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string usage_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  ADD_FAILURE() << "no usage error";
  return {};
}

} // namespace

TEST(AsymProviders, EveryFixtureRoundTripsReadsBackAndIsDetected) {
  for (const auto& c : cases()) {
    const auto p = providers::make_provider(c.id);
    ASSERT_TRUE(p) << c.id;
    const auto events = events_of(*p);
    EXPECT_GE(events.size(), 4u) << c.id;
    for (const auto& event : events) {
      SCOPED_TRACE(c.id + "/" + event);
      const auto d = compose(*p, event, c.signing_key, kTs);
      const auto v = p->verify(d.request, params(c.verifying_key, kTs));
      EXPECT_EQ(v.status, VerdictStatus::valid) << v.reason;
      EXPECT_EQ(p->event_info(d.request).type, event);
      EXPECT_FALSE(p->event_info(d.request).id.empty());
      const auto* detected = providers::detect_provider(d.request.headers);
      ASSERT_NE(detected, nullptr);
      EXPECT_EQ(detected->id(), c.id);
      EXPECT_EQ(p->signed_timestamp(d.request.headers), kTs);
    }
  }
}

TEST(AsymProviders, WrongKeyTamperedBodySignatureOrTimestampAreInvalid) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.id);
    const auto p = providers::make_provider(c.id);
    const auto event = std::string(p->default_event());
    const auto other = p->verifying_key(p->generate_secret());
    const auto d = compose(*p, event, c.signing_key, kTs);
    EXPECT_EQ(p->verify(d.request, params(other, kTs)).status, VerdictStatus::invalid);
    for (const auto t : {core::Tamper::body, core::Tamper::signature, core::Tamper::timestamp}) {
      const auto bad = compose(*p, event, c.signing_key, kTs, t);
      const auto v = p->verify(bad.request, params(c.verifying_key, kTs));
      EXPECT_EQ(v.status, VerdictStatus::invalid) << static_cast<int>(t);
      EXPECT_NE(v.reason.find("does not match"), std::string::npos) << v.reason;
    }
    // The signing key is not the verifying key.
    if (c.id == "discord") {
      EXPECT_EQ(p->verify(d.request, params(c.signing_key, kTs)).status, VerdictStatus::invalid);
    }
    // Unsigned and unverified.
    auto unsigned_req = d.request;
    std::erase_if(unsigned_req.headers,
                  [&](const auto& h) { return util::iequals(h.name, p->signature_header()); });
    EXPECT_EQ(p->verify(unsigned_req, params(c.verifying_key, kTs)).status,
              VerdictStatus::unsigned_);
    providers::VerifyParams none;
    EXPECT_EQ(p->verify(d.request, none).status, VerdictStatus::unverified);
  }
}

TEST(AsymProviders, NoTimestampWindowAsInTheOfficialLibraries) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.id);
    const auto p = providers::make_provider(c.id);
    EXPECT_EQ(p->window(), providers::Window::none);
    const auto d = compose(*p, std::string(p->default_event()), c.signing_key, kTs);
    EXPECT_EQ(p->verify(d.request, params(c.verifying_key, kTs + 86400 * 365)).status,
              VerdictStatus::valid);
    EXPECT_EQ(p->verify(d.request, params(c.verifying_key, kTs - 86400)).status,
              VerdictStatus::valid);
  }
}

TEST(AsymProviders, GeneratedKeysSignAndVerify) {
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.id);
    const auto p = providers::make_provider(c.id);
    EXPECT_TRUE(p->asymmetric());
    const auto secret = p->generate_secret();
    p->validate_secret(secret);
    const auto pub = p->verifying_key(secret);
    p->validate_verifying_key(pub);
    EXPECT_NE(pub, secret);
    EXPECT_EQ(p->verifying_key(c.signing_key), c.verifying_key);
    const auto d = compose(*p, std::string(p->default_event()), secret, kTs);
    EXPECT_EQ(p->verify(d.request, params(pub, kTs)).status, VerdictStatus::valid);
  }
}

TEST(Discord, KeyFormats) {
  const auto p = providers::make_provider("discord");
  p->validate_secret(kDiscordSeed);
  p->validate_secret(upper(std::string(kDiscordSeed)));
  p->validate_secret(std::string(kDiscordSeed) + std::string(kDiscordPublic)); // libsodium form
  p->validate_secret(crypto::ed25519_seed_to_pem(*crypto::from_hex(kDiscordSeed)));
  EXPECT_EQ(p->verifying_key(crypto::ed25519_seed_to_pem(*crypto::from_hex(kDiscordSeed))),
            kDiscordPublic);
  const auto short_msg = usage_message([&] { p->validate_secret(kDiscordSeed.substr(2)); });
  EXPECT_NE(short_msg.find("64 hex"), std::string::npos);
  EXPECT_EQ(short_msg.find(kDiscordSeed.substr(2, 20)), std::string::npos) << "no key echoed";
  (void)usage_message(
      [&] { p->validate_secret(std::string(kDiscordSeed) + std::string(64, '0')); });
  (void)usage_message([&] { p->validate_secret(kSendgridPem); });
  (void)usage_message([&] { p->validate_verifying_key("abc"); });
  p->validate_verifying_key(kDiscordPublic);
}

TEST(Discord, MalformedHeadersAreInvalid) {
  const auto p = providers::make_provider("discord");
  const auto d = compose(*p, "application_command", std::string(kDiscordSeed), kTs);
  const auto with = [&](std::string_view name, std::optional<std::string> value) {
    auto r = d.request;
    std::erase_if(r.headers, [&](const auto& h) { return util::iequals(h.name, name); });
    if (value)
      r.headers.push_back({std::string(name), *value});
    return p->verify(r, params(std::string(kDiscordPublic), kTs));
  };
  const auto sig = std::string(*model::find_header(d.request.headers, "X-Signature-Ed25519"));
  EXPECT_EQ(with("X-Signature-Ed25519", upper(sig)).status, VerdictStatus::valid)
      << "hex in either case";
  for (const auto& bad : {std::string(), sig.substr(0, 126), sig + "00", "zz" + sig.substr(2),
                          std::string(*crypto::base64_decode("AAAA"))}) {
    const auto v = with("X-Signature-Ed25519", bad);
    EXPECT_EQ(v.status, VerdictStatus::invalid) << bad;
    EXPECT_NE(v.reason.find("malformed"), std::string::npos) << v.reason;
  }
  EXPECT_EQ(with("X-Signature-Timestamp", std::nullopt).status, VerdictStatus::invalid);
  EXPECT_EQ(with("X-Signature-Timestamp", "").status, VerdictStatus::invalid);
  EXPECT_EQ(p->verify(d.request, params("not-hex", kTs)).status, VerdictStatus::invalid);
}

TEST(Discord, PingIsAHandshakeAnsweredWithType1) {
  const auto p = providers::make_provider("discord");
  EXPECT_TRUE(p->is_handshake_event("ping"));
  EXPECT_FALSE(p->is_handshake_event("application_command"));
  const auto ping = compose(*p, "ping", std::string(kDiscordSeed), kTs);
  const auto answer = p->handshake_answer(ping.request, kDiscordPublic);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->content_type, "application/json");
  EXPECT_EQ(answer->body, R"({"type":1})");
  const auto command = compose(*p, "application_command", std::string(kDiscordSeed), kTs);
  EXPECT_FALSE(p->handshake_answer(command.request, kDiscordPublic));
}

TEST(Discord, UnknownInteractionType) {
  const auto p = providers::make_provider("discord");
  auto d = compose(*p, "application_command", std::string(kDiscordSeed), kTs);
  ASSERT_TRUE(p->set_unknown_event(d.request));
  EXPECT_EQ(p->event_info(d.request).type, "type_99");
}

TEST(Sendgrid, KeyFormats) {
  const auto p = providers::make_provider("sendgrid");
  p->validate_secret(kSendgridPem);
  // A PEM pasted with "\n" escapes (an environment variable, a TOML string).
  std::string escaped;
  for (const char c : kSendgridPem)
    escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  p->validate_secret(escaped);
  EXPECT_EQ(p->verifying_key(escaped), kSendgridPublic);
  const auto not_pem = usage_message([&] { p->validate_secret(kSendgridPublic); });
  EXPECT_NE(not_pem.find("PEM"), std::string::npos);
  EXPECT_EQ(not_pem.find(kSendgridPublic.substr(0, 20)), std::string::npos) << "no key echoed";
  (void)usage_message([&] { p->validate_secret(kDiscordSeed); });
  p->validate_verifying_key(kSendgridPublic);
  p->validate_verifying_key(
      crypto::der_to_pem(*crypto::base64_decode(kSendgridPublic), "PUBLIC KEY"));
  (void)usage_message([&] { p->validate_verifying_key("not base64!"); });
  (void)usage_message([&] { p->validate_verifying_key("AAAA"); });
  (void)usage_message([&] { p->validate_verifying_key(kSendgridPem); });
}

TEST(Sendgrid, MalformedHeadersAreInvalid) {
  const auto p = providers::make_provider("sendgrid");
  const auto d = compose(*p, "delivered", std::string(kSendgridPem), kTs);
  const auto with = [&](std::string_view name, std::optional<std::string> value) {
    auto r = d.request;
    std::erase_if(r.headers, [&](const auto& h) { return util::iequals(h.name, name); });
    if (value)
      r.headers.push_back({std::string(name), *value});
    return p->verify(r, params(std::string(kSendgridPublic), kTs));
  };
  const std::string sig_name = "X-Twilio-Email-Event-Webhook-Signature";
  EXPECT_EQ(with(sig_name, "").status, VerdictStatus::invalid);
  EXPECT_NE(with(sig_name, "%%%").reason.find("malformed"), std::string::npos);
  // Raw r||s (64 bytes) is not DER: @sendgrid/eventwebhook rejects it too.
  EXPECT_EQ(with(sig_name, crypto::base64_encode(std::string(64, '\x11'))).status,
            VerdictStatus::invalid);
  EXPECT_EQ(with("X-Twilio-Email-Event-Webhook-Timestamp", std::nullopt).status,
            VerdictStatus::invalid);
  const auto bad_key = p->verify(d.request, params("AAAA", kTs));
  EXPECT_EQ(bad_key.status, VerdictStatus::invalid);
  EXPECT_NE(bad_key.reason.find("public key"), std::string::npos);
}

TEST(Sendgrid, EventsAreReadFromTheFirstArrayElement) {
  const auto p = providers::make_provider("sendgrid");
  model::HttpRequest req;
  req.body = R"([{"event":"open","sg_event_id":"a"},{"event":"click","sg_event_id":"b"}])";
  EXPECT_EQ(p->event_info(req).type, "open");
  EXPECT_EQ(p->event_info(req).id, "a");
  req.body = "{}";
  EXPECT_EQ(p->event_info(req).type, "");
  req.body = R"([{"event":"open"}])";
  ASSERT_TRUE(p->set_unknown_event(req));
  EXPECT_EQ(p->event_info(req).type, "hooktool_unknown_event");
}

// ---- Standard Webhooks v1a (Ed25519) ------------------------------------------------------

namespace {

// tests/vectors/signatures.json, the spec-derived v1a entries.
const std::string kWhsk = "whsk_gdPx3g7KCbJTVegvsg91aexlDEpHweMCXdrKh1EC+nSRF2kd/4HFb9kEN7PO/"
                          "oOSHyWxHyp+VfX+s7zfj4vg+A==";
const std::string kWhskSeed = "whsk_gdPx3g7KCbJTVegvsg91aexlDEpHweMCXdrKh1EC+nQ=";
const std::string kWhpk = "whpk_kRdpHf+BxW/ZBDezzv6Dkh8lsR8qflX1/rO834+L4Pg=";
const std::string kWhsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

model::HttpRequest standard_request(const std::string& body = R"({"type":"contact.deleted"})") {
  model::HttpRequest req;
  req.body = body;
  req.headers = {{"Content-Type", "application/json"}, {"webhook-id", "msg_2"}};
  return req;
}

} // namespace

TEST(StandardV1a, BothSecretKeyFormsSignIdenticallyAndVerifyWithThePublicKey) {
  const auto p = providers::make_provider("standard");
  auto a = standard_request();
  auto b = standard_request();
  p->sign(a, {kWhsk, kTs, {}});
  p->sign(b, {kWhskSeed, kTs, {}});
  const auto sig = std::string(*model::find_header(a.headers, "webhook-signature"));
  EXPECT_TRUE(sig.starts_with("v1a,")) << sig;
  EXPECT_EQ(sig, *model::find_header(b.headers, "webhook-signature"));
  EXPECT_EQ(p->verifying_key(kWhsk), kWhpk);
  EXPECT_EQ(p->verifying_key(kWhskSeed), kWhpk);
  EXPECT_EQ(p->verifying_key(kWhsec), kWhsec);
  EXPECT_EQ(p->verify(a, params(kWhpk, kTs)).status, VerdictStatus::valid);
  EXPECT_EQ(p->verify(a, params(kWhsk, kTs)).status, VerdictStatus::valid) << "the secret key too";
  auto tampered = a;
  tampered.body += " ";
  EXPECT_EQ(p->verify(tampered, params(kWhpk, kTs)).status, VerdictStatus::invalid);
  const auto other = "whpk_" + crypto::base64_encode(crypto::ed25519_generate().public_key);
  EXPECT_EQ(p->verify(a, params(other, kTs)).status, VerdictStatus::invalid);
}

TEST(StandardV1a, EitherAV1OrAV1aEntryMatches) {
  const auto p = providers::make_provider("standard");
  auto v1 = standard_request();
  auto v1a = standard_request();
  p->sign(v1, {kWhsec, kTs, {}});
  p->sign(v1a, {kWhsk, kTs, {}});
  auto both = v1;
  model::set_header(both.headers, "webhook-signature",
                    std::string(*model::find_header(v1a.headers, "webhook-signature")) + " " +
                        std::string(*model::find_header(v1.headers, "webhook-signature")));
  EXPECT_EQ(p->verify(both, params(kWhsec, kTs)).status, VerdictStatus::valid);
  EXPECT_EQ(p->verify(both, params(kWhpk, kTs)).status, VerdictStatus::valid);
  // A key of the other kind says which key the header's entries want.
  const auto wrong_kind = p->verify(v1a, params(kWhsec, kTs));
  EXPECT_EQ(wrong_kind.status, VerdictStatus::invalid);
  EXPECT_NE(wrong_kind.reason.find("whpk_"), std::string::npos) << wrong_kind.reason;
  const auto wrong_kind2 = p->verify(v1, params(kWhpk, kTs));
  EXPECT_NE(wrong_kind2.reason.find("whsec_"), std::string::npos) << wrong_kind2.reason;
}

TEST(StandardV1a, WindowIsPlusMinus300Seconds) {
  const auto p = providers::make_provider("standard");
  auto req = standard_request();
  p->sign(req, {kWhsk, kTs, {}});
  EXPECT_EQ(p->verify(req, params(kWhpk, kTs + 300)).status, VerdictStatus::valid);
  EXPECT_EQ(p->verify(req, params(kWhpk, kTs - 300)).status, VerdictStatus::valid);
  EXPECT_EQ(p->verify(req, params(kWhpk, kTs + 301)).status, VerdictStatus::expired);
  EXPECT_EQ(p->verify(req, params(kWhpk, kTs - 301)).status, VerdictStatus::expired);
  EXPECT_EQ(p->verify(req, params(kWhpk, kTs + 100000, 0)).status, VerdictStatus::valid);
}

TEST(StandardV1a, MalformedEntriesAndKeys) {
  const auto p = providers::make_provider("standard");
  auto req = standard_request();
  p->sign(req, {kWhsk, kTs, {}});
  for (const std::string bad : {"v1a,", "v1a,!!!!", "v1a,AAAA", "v1a", ""}) {
    auto r = req;
    model::set_header(r.headers, "webhook-signature", bad);
    EXPECT_EQ(p->verify(r, params(kWhpk, kTs)).status, VerdictStatus::invalid) << bad;
  }
  EXPECT_EQ(p->verify(req, params("whpk_AAAA", kTs)).status, VerdictStatus::invalid);
  EXPECT_NE(usage_message([&] { p->validate_secret(kWhpk); }).find("public key"),
            std::string::npos);
  (void)usage_message([&] { p->validate_secret("whsk_AAAA"); });
  // A 64-byte key whose second half is not the seed's public key.
  (void)usage_message(
      [&] { p->validate_secret("whsk_" + crypto::base64_encode(std::string(64, '\x01'))); });
  p->validate_verifying_key(kWhpk);
  p->validate_verifying_key(kWhsec);
  (void)usage_message([&] { p->validate_verifying_key("whpk_AAAA"); });
  // Svix's flavour keeps to v1, as the svix library does.
  (void)usage_message([&] { providers::make_provider("svix")->validate_secret(kWhsk); });
}

// ---- Standard Webhooks flavours: openai, resend, clerk -------------------------------------

TEST(StandardFlavours, EveryFixtureRoundTripsAndReadsBack) {
  for (const std::string id : {"openai", "resend", "clerk"}) {
    const auto p = providers::make_provider(id);
    ASSERT_TRUE(p) << id;
    const auto secret = p->generate_secret();
    EXPECT_TRUE(secret.starts_with("whsec_"));
    p->validate_secret(secret);
    EXPECT_FALSE(p->asymmetric());
    const auto events = events_of(*p);
    EXPECT_GE(events.size(), 4u) << id;
    EXPECT_NE(std::find(events.begin(), events.end(), p->default_event()), events.end());
    for (const auto& event : events) {
      SCOPED_TRACE(id + "/" + event);
      const auto d = compose(*p, event, secret, kTs);
      EXPECT_EQ(p->verify(d.request, params(secret, kTs)).status, VerdictStatus::valid);
      EXPECT_EQ(p->verify(d.request, params(p->generate_secret(), kTs)).status,
                VerdictStatus::invalid);
      EXPECT_EQ(p->event_info(d.request).type, event);
      EXPECT_FALSE(p->event_info(d.request).id.empty());
      EXPECT_EQ(p->verify(d.request, params(secret, kTs + 301)).status, VerdictStatus::expired);
      EXPECT_EQ(p->verify(d.request, params(secret, kTs - 301)).status, VerdictStatus::expired);
      EXPECT_EQ(p->verify(d.request, params(secret, kTs + 300)).status, VerdictStatus::valid);
      for (const auto t : {core::Tamper::body, core::Tamper::signature, core::Tamper::timestamp})
        EXPECT_EQ(p->verify(compose(*p, event, secret, kTs, t).request, params(secret, kTs)).status,
                  VerdictStatus::invalid);
    }
  }
}

// By headers alone (no body): Resend and Clerk are Svix.
TEST(StandardFlavours, DetectionOpenaiByItsHeadersResendAndClerkAsSvix) {
  const std::map<std::string, std::string> expected{{"openai", "openai"},
                                                    {"resend", "svix"},
                                                    {"clerk", "svix"},
                                                    {"standard", "standard"},
                                                    {"svix", "svix"}};
  for (const auto& [id, detected] : expected) {
    const auto p = providers::make_provider(id);
    for (const auto& event : events_of(*p)) {
      SCOPED_TRACE(id + "/" + event);
      const auto d = compose(*p, event, p->generate_secret(), kTs);
      const auto* found = providers::detect_provider(d.request.headers);
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(found->id(), detected);
    }
  }
  // A Standard Webhooks delivery whose id is OpenAI's "wh_" form is OpenAI's, whatever the
  // User-Agent.
  const model::Headers openai_id{{"webhook-id", "wh_685342796d888190a5d37d2f1c5f77b7"},
                                 {"webhook-signature", "v1,x"}};
  EXPECT_EQ(providers::detect_provider(openai_id)->id(), "openai");
  EXPECT_FALSE(providers::make_provider("resend")->detect({{"svix-id", "msg_1"}}));
  EXPECT_FALSE(providers::make_provider("clerk")->detect({{"svix-id", "msg_1"}}));
}

// By headers alone Resend and Clerk are Svix; with the body, each fixture is its own provider's,
// and a Svix payload of neither shape stays Svix. The secret listen holds wins over the shape.
TEST(StandardFlavours, ResendAndClerkAreToldApartFromSvixByTheirBodies) {
  for (const std::string id : {"resend", "clerk", "svix"}) {
    const auto p = providers::make_provider(id);
    for (const auto& event : events_of(*p)) {
      SCOPED_TRACE(id + "/" + event);
      const auto d = compose(*p, event, p->generate_secret(), kTs);
      const auto* found = providers::detect_provider(d.request.headers, d.request.body);
      ASSERT_NE(found, nullptr);
      EXPECT_EQ(found->id(), id);
    }
  }
  const model::Headers svix{
      {"svix-id", "msg_1"}, {"svix-timestamp", "1"}, {"svix-signature", "v1,x"}};
  const std::string resend_body =
      R"({"type":"email.sent","created_at":"2026-01-01T00:00:00Z","data":{}})";
  const std::string clerk_body =
      R"({"data":{},"object":"event","type":"user.created","timestamp":1})";
  EXPECT_EQ(providers::detect_provider(svix, resend_body)->id(), "resend");
  EXPECT_EQ(providers::detect_provider(svix, clerk_body)->id(), "clerk");
  EXPECT_EQ(providers::detect_provider(svix, R"({"type":"invoice.paid"})")->id(), "svix");
  EXPECT_EQ(providers::detect_provider(svix, "not json")->id(), "svix");
  // A Resend-shaped body with an "object" member is not Resend's.
  EXPECT_EQ(
      providers::detect_provider(svix, R"({"type":"email.sent","created_at":"x","object":"e"})")
          ->id(),
      "svix");
  const auto& all = providers::all_providers();
  const auto* detected = providers::detect_provider(svix);
  ASSERT_NE(detected, nullptr);
  const auto holds = [](std::string family) {
    return [family](std::string_view f) {
      return f == family;
    };
  };
  EXPECT_EQ(providers::told_apart(*detected, all, resend_body, holds("standard")).id(), "svix");
  EXPECT_EQ(providers::told_apart(*detected, all, clerk_body, holds("resend")).id(), "resend");
  EXPECT_EQ(providers::told_apart(*detected, all, resend_body, holds("nobody")).id(), "resend");
}

TEST(StandardFlavours, OpenaiSecretsWithoutWhsecAreUtf8AndBareEntriesCount) {
  const auto p = providers::make_provider("openai");
  const std::string secret = "plain-secret-Zo\xc3\xab";
  p->validate_secret(secret);
  model::HttpRequest req;
  req.body = R"({"type":"batch.completed"})";
  req.headers = {{"webhook-id", "msg_1"}};
  p->sign(req, {secret, kTs, {}});
  const auto expected = crypto::base64_encode(crypto::hmac(
      crypto::Digest::sha256, secret, "msg_1." + std::to_string(kTs) + "." + req.body));
  EXPECT_EQ(*model::find_header(req.headers, "webhook-signature"), "v1," + expected);
  auto bare = req;
  model::set_header(bare.headers, "webhook-signature", "v1,AAAA " + expected);
  EXPECT_EQ(p->verify(bare, params(secret, kTs)).status, VerdictStatus::valid);
  // The standard provider base64-decodes the same text and cannot use it.
  EXPECT_THROW(providers::make_provider("standard")->validate_secret(secret), Error);
  // openai reads webhook-* only.
  model::HttpRequest svix_headed;
  svix_headed.body = req.body;
  for (const auto& h : req.headers)
    svix_headed.headers.push_back({"svix-" + h.name.substr(8), h.value});
  EXPECT_EQ(p->verify(svix_headed, params(secret, kTs)).status, VerdictStatus::unsigned_);
  EXPECT_THROW(p->validate_secret(""), Error);
}

TEST(StandardFlavours, ClerkReadsSvixHeadersOnlyAndTrimsThem) {
  const auto clerk = providers::make_provider("clerk");
  const auto resend = providers::make_provider("resend");
  model::HttpRequest req;
  req.body = R"({"type":"session.ended"})";
  req.headers = {{"svix-id", "msg_2"}};
  clerk->sign(req, {kWhsec, kTs, {}});
  EXPECT_EQ(clerk->verify(req, params(kWhsec, kTs)).status, VerdictStatus::valid);
  auto padded = req;
  for (auto& h : padded.headers)
    h.value = "  " + h.value + " ";
  EXPECT_EQ(clerk->verify(padded, params(kWhsec, kTs)).status, VerdictStatus::valid);
  model::HttpRequest webhook_headed;
  webhook_headed.body = req.body;
  for (const auto& h : req.headers)
    webhook_headed.headers.push_back({"webhook-" + h.name.substr(5), h.value});
  EXPECT_EQ(clerk->verify(webhook_headed, params(kWhsec, kTs)).status, VerdictStatus::unsigned_);
  EXPECT_EQ(resend->verify(webhook_headed, params(kWhsec, kTs)).status, VerdictStatus::valid)
      << "resend.webhooks.verify takes the values, whichever header carried them";
}

// The resend key-rotation vector (tests/vectors/signatures.json): Svix's header lists a stale
// signature from an old key first. The official header verifies as is; signing with the
// current key reproduces exactly its second entry (no signer can reproduce the stale one, so
// the generic vector test's byte-for-byte comparison cannot pass for this entry).
TEST(StandardFlavours, ResendRotationVectorVerifiesAndItsCurrentEntryIsReproduced) {
  const auto p = providers::make_provider("resend");
  const std::string secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  const std::string body =
      "{\"type\":\"email.bounced\",\"data\":{\"email_id\":\"e1\",\"bounce\":{\"message\":\"550 "
      "\xe2\x80\x9cno such user\xe2\x80\x9d & more\"}}}";
  model::HttpRequest req;
  req.body = body;
  req.headers = {{"svix-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"}};
  p->sign(req, {secret, kTs, {}});
  EXPECT_EQ(*model::find_header(req.headers, "svix-signature"),
            "v1,UdSk61a2yN6uT5BE6w2BN1z1uixkFxc8j5GhPtB5xmk=");
  model::set_header(req.headers, "svix-signature",
                    "v1,BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc= "
                    "v1,UdSk61a2yN6uT5BE6w2BN1z1uixkFxc8j5GhPtB5xmk=");
  EXPECT_EQ(p->verify(req, params(secret, kTs)).status, VerdictStatus::valid);
}

} // namespace suite_providers_asym
