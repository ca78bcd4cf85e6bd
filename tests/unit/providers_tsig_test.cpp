// Timestamped HMAC schemes of issue 14: paddle, linear, hubspot, workos, mux, calendly. Round
// trips through compose for every fixture, wrong secrets, tampering, window edges, malformed
// headers, event read-back and detection; the official vectors run in providers_test.cpp.
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "crypto/crypto.hpp"
#include "fixture_delivery.hpp"
#include "providers/common.hpp"
#include "providers/linear.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_providers_tsig {

using namespace hooktool;
using model::VerdictStatus;

namespace {

constexpr std::int64_t kTs = 1764065326;
constexpr std::string_view kUrl = "http://localhost:3000/hooks?portal=1";

const std::vector<std::string>& tsig_ids() {
  static const std::vector<std::string> ids{"paddle", "linear", "hubspot",
                                            "workos", "mux",    "calendly"};
  return ids;
}

providers::VerifyParams params(std::string secret, std::int64_t now,
                               std::optional<std::int64_t> tolerance = std::nullopt) {
  providers::VerifyParams p;
  p.secret = std::move(secret);
  p.now = now;
  p.tolerance = tolerance;
  p.urls = {std::string(kUrl)};
  return p;
}

core::Composed compose(const providers::Provider& p, const std::string& event,
                       const std::string& secret, std::int64_t ts,
                       core::Tamper tamper = core::Tamper::none) {
  return test::compose_fixture(p, event, secret, ts, std::string(kUrl), tamper);
}

std::vector<std::string> events_of(const providers::Provider& p) {
  std::vector<std::string> out;
  for (const auto& f : core::FixtureStore().list(p.fixture_family()))
    out.push_back(f.event);
  return out;
}

VerdictStatus verdict(const providers::Provider& p, const model::HttpRequest& req,
                      const std::string& secret, std::int64_t now,
                      std::optional<std::int64_t> tolerance = std::nullopt) {
  return p.verify(req, params(secret, now, tolerance)).status;
}

// The request with the provider's signature header replaced by value.
model::HttpRequest with_signature(const providers::Provider& p, model::HttpRequest req,
                                  std::string value) {
  model::set_header(req.headers, std::string(p.signature_header()), std::move(value));
  return req;
}

std::string upper(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string hmac_hex(std::string_view secret, std::string_view data) {
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, data));
}

} // namespace

TEST(TsigProviders, AreRegisteredWithFixturesForTheirDefaultEvent) {
  for (const auto& id : tsig_ids()) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    ASSERT_NE(p, nullptr);
    const auto events = events_of(*p);
    EXPECT_GE(events.size(), 4u);
    EXPECT_NE(std::find(events.begin(), events.end(), std::string(p->default_event())),
              events.end());
    EXPECT_NE(p->window(), providers::Window::none);
    EXPECT_GT(p->default_tolerance(), 0);
  }
}

// Every fixture: signed, verified, read back under its own name, detected as its provider,
// refused with a wrong secret, a changed body or a corrupted signature.
TEST(TsigProviders, EveryFixtureRoundTripsAndIsDetected) {
  for (const auto& id : tsig_ids()) {
    const auto p = providers::make_provider(id);
    const auto secret = p->generate_secret();
    EXPECT_NO_THROW(p->validate_secret(secret)) << id;
    for (const auto& event : events_of(*p)) {
      SCOPED_TRACE(id + " " + event);
      const auto d = compose(*p, event, secret, kTs);
      EXPECT_EQ(verdict(*p, d.request, secret, kTs), VerdictStatus::valid)
          << p->verify(d.request, params(secret, kTs)).reason;
      const auto info = p->event_info(d.request);
      EXPECT_EQ(info.type, event);
      EXPECT_FALSE(info.id.empty());
      const auto* detected = providers::detect_provider(d.request.headers);
      ASSERT_NE(detected, nullptr);
      EXPECT_EQ(detected->id(), id);
      EXPECT_EQ(verdict(*p, d.request, secret + "x", kTs), VerdictStatus::invalid);
      EXPECT_EQ(
          verdict(*p, compose(*p, event, secret, kTs, core::Tamper::body).request, secret, kTs),
          VerdictStatus::invalid);
      EXPECT_EQ(verdict(*p, compose(*p, event, secret, kTs, core::Tamper::signature).request,
                        secret, kTs),
                VerdictStatus::invalid);
    }
  }
}

TEST(TsigProviders, UnsignedAndUnverified) {
  for (const auto& id : tsig_ids()) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    auto d = compose(*p, std::string(p->default_event()), "s3cret", kTs);
    providers::VerifyParams no_secret;
    no_secret.now = kTs;
    no_secret.urls = {std::string(kUrl)};
    EXPECT_EQ(p->verify(d.request, no_secret).status, VerdictStatus::unverified);
    for (const auto name : p->signature_headers())
      model::remove_header(d.request.headers, name);
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs), VerdictStatus::unsigned_);
  }
}

// --tamper timestamp moves the signed time without re-signing: the signature must fail.
TEST(TsigProviders, TamperedTimestampIsInvalid) {
  for (const auto& id : tsig_ids()) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    const auto event = std::string(p->default_event());
    if (id == "linear") {
      // The signed time is the body's webhookTimestamp: set stale there, not re-signed.
      const auto d = compose(*p, event, "s3cret", kTs, core::Tamper::timestamp);
      EXPECT_TRUE(d.tamper_applied);
      EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs), VerdictStatus::invalid);
      continue;
    }
    const auto d = compose(*p, event, "s3cret", kTs, core::Tamper::timestamp);
    EXPECT_EQ(p->signed_timestamp(d.request.headers), kTs + 1);
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs), VerdictStatus::invalid);
  }
}

// Exactly the tolerance old passes, one second more is expired (after the signature matched);
// future times pass for the past-only schemes and are bounded for linear; tolerance 0 is off.
TEST(TsigProviders, WindowEdges) {
  const std::map<std::string, std::int64_t> tolerance{{"paddle", 5},    {"linear", 60},
                                                      {"hubspot", 300}, {"workos", 180},
                                                      {"mux", 300},     {"calendly", 180}};
  for (const auto& id : tsig_ids()) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    const auto tol = tolerance.at(id);
    EXPECT_EQ(p->default_tolerance(), tol);
    const auto d = compose(*p, std::string(p->default_event()), "s3cret", kTs);
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs + tol), VerdictStatus::valid);
    const auto late = p->verify(d.request, params("s3cret", kTs + tol + 1));
    EXPECT_EQ(late.status, VerdictStatus::expired);
    EXPECT_NE(late.reason.find(" ago (tolerance "), std::string::npos) << late.reason;
    EXPECT_EQ(verdict(*p, d.request, "wrong", kTs + tol + 1), VerdictStatus::invalid);
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs + 100000, 0), VerdictStatus::valid);
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs + 20, 10), VerdictStatus::expired);
    if (id == "linear") {
      EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs - tol), VerdictStatus::valid);
      EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs - tol - 1), VerdictStatus::expired);
    } else {
      EXPECT_EQ(p->window(), providers::Window::past);
      EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs - 100000), VerdictStatus::valid);
    }
  }
}

// send --age: the whole delivery is signed in the past, Linear's body field included.
TEST(TsigProviders, AgedDeliveriesAreExpired) {
  for (const auto& id : tsig_ids()) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    const auto d = compose(*p, std::string(p->default_event()), "s3cret", kTs - 1000);
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs), VerdictStatus::expired);
  }
}

TEST(TsigProviders, MalformedPairedHeadersAreInvalid) {
  struct Case {
    std::string id;
    std::vector<std::string> values;
  };
  const std::vector<Case> cases{
      {"mux",
       {"", "t=,v1=00", "v1=00", "t=1764065326", "t=abc,v1=00", "t=-5,v1=00",
        "t=1,v1=", "t=1764065326,v0=00", "1764065326,00", "t=1764065326;v1=00"}},
      {"calendly", {"", "v1=00", "t=1764065326", "t=1.5,v1=00", "t=1764065326,v2=00"}},
      {"workos", {"", "t=1764065326123", "v1=00", "t=x, v1=00", "t=1764065326123,  "}},
      {"paddle",
       {"", "ts=1764065326", "h1=00", "ts=1764065326,h1=00", "t=1764065326;v1=00", "ts=abc;h1=00"}},
  };
  for (const auto& c : cases) {
    const auto p = providers::make_provider(c.id);
    const auto d = compose(*p, std::string(p->default_event()), "s3cret", kTs);
    for (const auto& value : c.values) {
      SCOPED_TRACE(c.id + " '" + value + "'");
      const auto v = p->verify(with_signature(*p, d.request, value), params("s3cret", kTs));
      EXPECT_EQ(v.status, VerdictStatus::invalid);
      EXPECT_FALSE(v.reason.empty());
    }
  }
}

TEST(TsigProviders, MalformedLinearAndHubspotHeadersAreInvalid) {
  const auto linear = providers::make_provider("linear");
  const auto l = compose(*linear, "Issue.create", "s3cret", kTs);
  const auto good = std::string(*model::find_header(l.request.headers, "Linear-Signature"));
  for (const auto& value : {std::string(), std::string("zz"), good.substr(2), good + "00",
                            "sha256=" + good, std::string(64, 'g')}) {
    SCOPED_TRACE("linear '" + value + "'");
    EXPECT_EQ(verdict(*linear, with_signature(*linear, l.request, value), "s3cret", kTs),
              VerdictStatus::invalid);
  }
  // @linear/sdk reads the hex case-insensitively (Buffer.from(sig, "hex")).
  EXPECT_EQ(verdict(*linear, with_signature(*linear, l.request, upper(good)), "s3cret", kTs),
            VerdictStatus::valid);

  const auto hubspot = providers::make_provider("hubspot");
  const auto h = compose(*hubspot, "contact.creation", "s3cret", kTs);
  for (const auto& value : {"", "not base64", "AAAA"}) {
    SCOPED_TRACE(std::string("hubspot '") + value + "'");
    EXPECT_EQ(verdict(*hubspot, with_signature(*hubspot, h.request, value), "s3cret", kTs),
              VerdictStatus::invalid);
  }
  auto no_ts = h.request;
  model::remove_header(no_ts.headers, "X-HubSpot-Request-Timestamp");
  EXPECT_EQ(verdict(*hubspot, no_ts, "s3cret", kTs), VerdictStatus::invalid);
  auto bad_ts = h.request;
  model::set_header(bad_ts.headers, "X-HubSpot-Request-Timestamp", "17640653261.5");
  EXPECT_EQ(verdict(*hubspot, bad_ts, "s3cret", kTs), VerdictStatus::invalid);
  // Only the legacy v1 header: it covers no URL and no time, so it is not enough.
  auto v1_only = h.request;
  model::remove_header(v1_only.headers, "X-HubSpot-Signature-v3");
  const auto v = hubspot->verify(v1_only, params("s3cret", kTs));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_NE(v.reason.find("v1"), std::string::npos) << v.reason;
}

// Paddle: ts=<s>;h1=<hex> over "<ts>:<body>"; any h1 that matches is valid.
TEST(TsigProviders, PaddleSignsTimestampColonBodyAndAcceptsAnyH1) {
  const auto p = providers::make_provider("paddle");
  const std::string secret = "pdl_ntfset_01abc_secret";
  auto d = compose(*p, "transaction.completed", secret, kTs);
  const auto expected = hmac_hex(secret, std::to_string(kTs) + ":" + d.request.body);
  EXPECT_EQ(*model::find_header(d.request.headers, "Paddle-Signature"),
            "ts=" + std::to_string(kTs) + ";h1=" + expected);
  const auto other = std::string(64, 'a');
  for (const auto& value : {"ts=" + std::to_string(kTs) + ";h1=" + other + ";h1=" + expected,
                            "ts=" + std::to_string(kTs) + ";h1=" + expected + ";h1=" + other,
                            "h1=" + expected + ";ts=" + std::to_string(kTs)}) {
    SCOPED_TRACE(value);
    EXPECT_EQ(verdict(*p, with_signature(*p, d.request, value), secret, kTs), VerdictStatus::valid);
  }
  EXPECT_THROW(p->validate_secret("pdl_live_apikey_01abc"), hooktool::Error);
  EXPECT_TRUE(util::starts_with(p->generate_secret(), "pdl_ntfset_"));
}

// WorkOS: "t=<ms>, v1=<hex>" with the space, over "<ms>.<body>".
TEST(TsigProviders, WorkosSignsMillisecondsWithASpace) {
  const auto p = providers::make_provider("workos");
  model::HttpRequest req;
  req.body = R"({"id":"event_01","event":"user.created","data":{"name":"Zoë"}})";
  providers::SignParams sp{"whsec", kTs, {}, kTs * 1000 + 123};
  p->sign(req, sp);
  const auto expected = hmac_hex("whsec", std::to_string(kTs * 1000 + 123) + "." + req.body);
  EXPECT_EQ(*model::find_header(req.headers, "WorkOS-Signature"),
            "t=" + std::to_string(kTs * 1000 + 123) + ", v1=" + expected);
  EXPECT_EQ(p->signed_timestamp(req.headers), kTs);
  EXPECT_EQ(verdict(*p, req, "whsec", kTs + 180), VerdictStatus::valid);
  EXPECT_EQ(verdict(*p, req, "whsec", kTs + 181), VerdictStatus::expired);
  // Without the space it still reads (the SDK splits at ',' and takes what follows '=').
  EXPECT_EQ(
      verdict(*p,
              with_signature(*p, req, "t=" + std::to_string(kTs * 1000 + 123) + ",v1=" + expected),
              "whsec", kTs),
      VerdictStatus::valid);
  // The raw bytes are verified: a re-spaced body no longer matches.
  auto respaced = req;
  respaced.body = R"({"id": "event_01", "event": "user.created", "data": {"name": "Zoë"}})";
  EXPECT_EQ(verdict(*p, respaced, "whsec", kTs), VerdictStatus::invalid);
}

// Fixture bodies go out in JSON.stringify form (compact, non-ASCII as UTF-8), which is what
// @workos-inc/node 8 re-serialises before signing.
TEST(TsigProviders, WorkosBodiesAreCompactJson) {
  const auto p = providers::make_provider("workos");
  for (const auto& event : events_of(*p)) {
    SCOPED_TRACE(event);
    const auto d = compose(*p, event, "whsec", kTs);
    const auto doc = nlohmann::ordered_json::parse(d.request.body);
    EXPECT_EQ(doc.dump(-1, ' ', false), d.request.body);
    EXPECT_EQ(d.request.body.find('\n'), std::string::npos);
  }
}

TEST(TsigProviders, MuxAndCalendlySignTimestampDotBody) {
  for (const auto& [id, header] : std::vector<std::pair<std::string, std::string>>{
           {"mux", "Mux-Signature"}, {"calendly", "Calendly-Webhook-Signature"}}) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    const auto d = compose(*p, std::string(p->default_event()), "key", kTs);
    EXPECT_EQ(*model::find_header(d.request.headers, header),
              "t=" + std::to_string(kTs) +
                  ",v1=" + hmac_hex("key", std::to_string(kTs) + "." + d.request.body));
    // Several v1 (rotation): any match.
    const auto two = "t=" + std::to_string(kTs) + ",v1=" + std::string(64, '0') +
                     ",v1=" + hmac_hex("key", std::to_string(kTs) + "." + d.request.body);
    EXPECT_EQ(verdict(*p, with_signature(*p, d.request, two), "key", kTs), VerdictStatus::valid);
  }
}

// Linear signs the body alone; its timestamp is the body's top-level webhookTimestamp.
TEST(TsigProviders, LinearRewritesWebhookTimestampInTheBody) {
  const auto p = providers::make_provider("linear");
  model::HttpRequest req;
  req.body = R"({"type":"Issue","data":{"webhookTimestamp":1,"t":"\"webhookTimestamp\":2"},)"
             R"("webhookTimestamp" : 5 ,"action":"create"})";
  p->sign(req, {"k", kTs, {}, kTs * 1000 + 7});
  EXPECT_EQ(req.body,
            R"({"type":"Issue","data":{"webhookTimestamp":1,"t":"\"webhookTimestamp\":2"},)"
            R"("webhookTimestamp" : 1764065326007 ,"action":"create"})");
  EXPECT_EQ(*model::find_header(req.headers, "Linear-Signature"), hmac_hex("k", req.body));
  EXPECT_EQ(verdict(*p, req, "k", kTs), VerdictStatus::valid);

  // A body without the field gets it (Linear always sends one).
  model::HttpRequest bare;
  bare.body = R"({"type":"Issue","action":"create"})";
  p->sign(bare, {"k", kTs, {}, 0});
  EXPECT_EQ(bare.body, R"({"type":"Issue","action":"create","webhookTimestamp":1764065326000})");
  model::HttpRequest empty;
  empty.body = "{}";
  p->sign(empty, {"k", kTs, {}, 0});
  EXPECT_EQ(empty.body, R"({"webhookTimestamp":1764065326000})");

  // Signed without a timestamp, or with one that is not an integer: invalid.
  for (const auto& body :
       {std::string(R"({"type":"Issue"})"), std::string(R"({"webhookTimestamp":"1764065326000"})"),
        std::string(R"({"webhookTimestamp":1.5})"), std::string("[1,2]")}) {
    SCOPED_TRACE(body);
    model::HttpRequest r;
    r.body = body;
    model::set_header(r.headers, "Linear-Signature", hmac_hex("k", body));
    EXPECT_EQ(verdict(*p, r, "k", kTs), VerdictStatus::invalid);
  }
  EXPECT_EQ(p->signed_timestamp(req.headers), std::nullopt); // the body is not in reach
}

TEST(TsigProviders, LinearTimestampSpanOnlyFindsTheTopLevelMember) {
  using providers::linear_timestamp_span;
  const std::string nested = R"({"data":{"webhookTimestamp":1}})";
  EXPECT_EQ(linear_timestamp_span(nested), std::nullopt);
  const std::string value_not_key = R"({"k":"webhookTimestamp","n":[{"webhookTimestamp":2}]})";
  EXPECT_EQ(linear_timestamp_span(value_not_key), std::nullopt);
  const std::string top = "{\"a\":[1,{\"b\":2}],\n  \"webhookTimestamp\":\t123}";
  const auto span = linear_timestamp_span(top);
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(top.substr(span->first, span->second), "123");
  for (const auto* broken : {"", "{", "{\"webhookTimestamp\"", "{\"webhookTimestamp\":",
                             "{\"webhookTimestamp\":\"x\"}", "}}", "\"unterminated"})
    EXPECT_EQ(linear_timestamp_span(broken), std::nullopt) << broken;
}

TEST(TsigProviders, LinearEnvelopeAndEventInfo) {
  const auto p = providers::make_provider("linear");
  const auto headers = p->envelope({"Comment.create", providers::BodyFormat::json, kTs, "d-1"});
  EXPECT_EQ(*model::find_header(headers, "Linear-Event"), "Comment");
  EXPECT_EQ(*model::find_header(headers, "Linear-Delivery"), "d-1");
  model::HttpRequest req;
  req.headers = headers;
  req.body = R"({"action":"create","type":"Comment","webhookTimestamp":1})";
  const auto info = p->event_info(req);
  EXPECT_EQ(info.type, "Comment.create");
  EXPECT_EQ(info.id, "d-1");
}

// HubSpot v3 signs method + URL + body + ms timestamp; the URL must be the one signed.
TEST(TsigProviders, HubspotSignsMethodUrlBodyAndTimestamp) {
  const auto p = providers::make_provider("hubspot");
  EXPECT_TRUE(p->signs_url());
  const auto d = compose(*p, "contact.creation", "client-secret", kTs);
  const auto ts = std::to_string(kTs * 1000);
  EXPECT_EQ(*model::find_header(d.request.headers, "X-HubSpot-Request-Timestamp"), ts);
  EXPECT_EQ(*model::find_header(d.request.headers, "X-HubSpot-Signature-v3"),
            crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, "client-secret",
                                               "POST" + std::string(kUrl) + d.request.body + ts)));
  EXPECT_EQ(*model::find_header(d.request.headers, "X-HubSpot-Signature"),
            crypto::to_hex(crypto::hash(crypto::Digest::sha256, "client-secret" + d.request.body)));
  auto other_url = params("client-secret", kTs);
  other_url.urls = {"http://localhost:3000/hooks"};
  EXPECT_EQ(p->verify(d.request, other_url).status, VerdictStatus::invalid);
  other_url.urls.push_back(std::string(kUrl)); // one of the candidates is enough
  EXPECT_EQ(p->verify(d.request, other_url).status, VerdictStatus::valid);
  auto get = d.request;
  get.method = "GET";
  EXPECT_EQ(verdict(*p, get, "client-secret", kTs), VerdictStatus::invalid);
  auto no_url = params("client-secret", kTs);
  no_url.urls.clear();
  EXPECT_EQ(p->verify(d.request, no_url).status, VerdictStatus::valid) << "req.url is absolute";
  auto relative = d.request;
  relative.url = "/hooks";
  EXPECT_EQ(p->verify(relative, no_url).status, VerdictStatus::invalid);
  // --signing-url: the URL the handler sees behind a tunnel.
  auto tunnelled = d.request;
  p->sign(tunnelled, {"client-secret", kTs, "https://abc.ngrok.app/hooks"});
  auto tunnel = params("client-secret", kTs);
  tunnel.urls = {"https://abc.ngrok.app/hooks"};
  EXPECT_EQ(p->verify(tunnelled, tunnel).status, VerdictStatus::valid);
}

// check's accepts-unknown-event: each provider renames its event where it reads it.
TEST(TsigProviders, UnknownEventIsSetWhereTheTypeIsRead) {
  for (const auto& id : tsig_ids()) {
    SCOPED_TRACE(id);
    const auto p = providers::make_provider(id);
    auto d = compose(*p, std::string(p->default_event()), "s3cret", kTs);
    ASSERT_TRUE(p->set_unknown_event(d.request));
    const auto type = p->event_info(d.request).type;
    EXPECT_NE(type, p->default_event());
    EXPECT_NE(util::to_lower(type).find("unknown"), std::string::npos) << type;
    core::resign(d.request, *p, "s3cret", kTs, {}, {});
    EXPECT_EQ(verdict(*p, d.request, "s3cret", kTs), VerdictStatus::valid);
  }
}

// The paired-header reader shared with Stripe.
TEST(TsigProviders, ReadPairedHeader) {
  const providers::detail::PairedScheme stripe{.header = "Stripe-Signature"};
  auto parts = providers::detail::read_paired(stripe, "t=1,v1=a,v0=b,v1=c,junk,t=2");
  EXPECT_EQ(parts.timestamp, "2");
  EXPECT_EQ(parts.signatures, (std::vector<std::string_view>{"a", "c"}));
  parts = providers::detail::read_paired(stripe, "t=1, v1=a");
  EXPECT_TRUE(parts.signatures.empty()) << "exact: ' v1' is another key";
  const providers::detail::PairedScheme workos{.header = "WorkOS-Signature",
                                               .spacing = providers::detail::Spacing::trimmed};
  parts = providers::detail::read_paired(workos, "t=1,  v1=a ");
  EXPECT_EQ(parts.timestamp, "1");
  EXPECT_EQ(parts.signatures, (std::vector<std::string_view>{"a"}));
}

} // namespace suite_providers_tsig
