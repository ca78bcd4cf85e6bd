// The body-HMAC providers of issue 14: square, razorpay, coinbase, typeform, intercom,
// bitbucket, woocommerce, vercel, sentry. Round trips over every fixture, the verdicts for
// wrong secrets, altered bodies and malformed headers, and auto-detection against every other
// registered provider.
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "crypto/crypto.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <gtest/gtest.h>
#include <map>
#include <set>
#include <string>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_providers_hmac {

using namespace hooktool;
using model::VerdictStatus;

namespace {

const std::vector<std::string> kMine{"square",    "razorpay",    "coinbase", "typeform", "intercom",
                                     "bitbucket", "woocommerce", "vercel",   "sentry"};
const std::string kUrl = "http://127.0.0.1:3000/hooks/in?src=test";
constexpr std::int64_t kNow = 1764065326;

bool is_mine(std::string_view id) {
  for (const auto& m : kMine)
    if (m == id)
      return true;
  return false;
}

// A delivery for provider/event as send builds it: the fixture rendered, enveloped and signed.
core::Composed deliver(const providers::Provider& p, const std::string& event,
                       const std::string& secret) {
  const core::FixtureStore store;
  core::PayloadSpec spec;
  spec.fixture_family = std::string(p.fixture_family());
  spec.event = event;
  spec.pretty_json = p.pretty_json();
  spec.now_ms = kNow * 1000;
  core::ComposeInput in;
  in.provider = &p;
  in.event = event;
  in.payload = core::render_payload(store, spec);
  in.url = kUrl;
  in.secret = secret;
  in.timestamp = kNow;
  return core::compose(in);
}

providers::VerifyParams params(std::optional<std::string> secret,
                               std::vector<std::string> urls = {kUrl}) {
  providers::VerifyParams v;
  v.secret = std::move(secret);
  v.now = kNow;
  v.urls = std::move(urls);
  return v;
}

VerdictStatus status_of(const providers::Provider& p, const model::HttpRequest& req,
                        const std::string& secret) {
  return p.verify(req, params(secret)).status;
}

class HmacProviders : public ::testing::TestWithParam<std::string> {
protected:
  std::unique_ptr<providers::Provider> p = providers::make_provider(GetParam());
  const std::string secret = "s3cret-" + GetParam() + "-Zoë";
  core::Composed d = deliver(*p, std::string(p->default_event()), secret);
};

} // namespace

TEST_P(HmacProviders, IsRegisteredAndDefaultEventExists) {
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id(), GetParam());
  EXPECT_EQ(p->window(), providers::Window::none) << "none of these signs a timestamp";
  EXPECT_EQ(p->default_tolerance(), 0);
  EXPECT_NO_THROW((void)core::FixtureStore().load(p->fixture_family(), p->default_event()));
  EXPECT_GE(core::FixtureStore().list(p->fixture_family()).size(),
            GetParam() == "typeform" ? 2u : 5u)
      << "Typeform publishes two event types; the others get five or more";
  EXPECT_NO_THROW(p->validate_secret(p->generate_secret()));
}

TEST_P(HmacProviders, SignedDeliveryVerifies) {
  const auto v = p->verify(d.request, params(secret));
  EXPECT_EQ(v.status, VerdictStatus::valid) << v.reason;
  // Deterministic: signing the same bytes again gives the same headers.
  auto again = d.request;
  const auto first = p->sign(again, {secret, kNow, {}});
  const auto second = p->sign(again, {secret, kNow, {}});
  EXPECT_EQ(first, second);
  EXPECT_EQ(p->verify(again, params(secret)).status, VerdictStatus::valid);
}

TEST_P(HmacProviders, WrongSecretIsInvalid) {
  const auto v = p->verify(d.request, params(secret + "x"));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_NE(v.reason.find("does not match"), std::string::npos) << v.reason;
}

TEST_P(HmacProviders, AlteredBodyIsInvalid) {
  auto req = d.request;
  req.body += " ";
  EXPECT_EQ(status_of(*p, req, secret), VerdictStatus::invalid);
  req = d.request;
  req.body[req.body.size() / 2] ^= 0x01;
  EXPECT_EQ(status_of(*p, req, secret), VerdictStatus::invalid);
}

TEST_P(HmacProviders, TamperedSignatureIsInvalidButWellFormed) {
  auto req = d.request;
  p->tamper_signature(req.headers);
  const auto v = p->verify(req, params(secret));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_NE(v.reason.find("does not match"), std::string::npos)
      << "the tamper drill keeps the header parseable: " << v.reason;
}

TEST_P(HmacProviders, MissingSignatureIsUnsignedAndNoSecretUnverified) {
  auto req = d.request;
  for (const auto name : p->signature_headers())
    model::remove_header(req.headers, name);
  EXPECT_EQ(status_of(*p, req, secret), VerdictStatus::unsigned_);
  EXPECT_EQ(p->verify(d.request, params(std::nullopt)).status, VerdictStatus::unverified);
}

TEST_P(HmacProviders, EveryMalformedSignatureHeaderIsInvalid) {
  const auto good = std::string(*model::find_header(d.request.headers, p->signature_header()));
  const auto eq = good.find('=');
  const bool prefixed = eq != std::string::npos && eq < 7 && (good.starts_with("sha"));
  const auto bare = prefixed ? good.substr(eq + 1) : good;
  std::vector<std::string> malformed{"",
                                     "   ",
                                     "hooktool=malformed,,v1",
                                     good.substr(0, good.size() - 2),
                                     good + "00",
                                     std::string(good.size(), 'Z'),
                                     "!" + good.substr(1),
                                     good.substr(0, good.size() / 2) + "%" +
                                         good.substr(good.size() / 2 + 1)};
  if (prefixed) {
    malformed.push_back(bare);                   // prefix missing
    malformed.push_back(good.substr(0, eq + 1)); // nothing after the prefix
    malformed.push_back("md5=" + bare);          // another algorithm named
    malformed.push_back(util::to_lower(good.substr(0, eq)) == good.substr(0, eq)
                            ? "SHA" + good.substr(3) // prefix in the wrong case
                            : good);
  }
  for (const auto& value : malformed) {
    if (value == good)
      continue;
    SCOPED_TRACE("'" + value + "'");
    auto req = d.request;
    model::set_header(req.headers, std::string(p->signature_header()), value);
    const auto v = p->verify(req, params(secret));
    EXPECT_EQ(v.status, VerdictStatus::invalid) << v.reason;
    EXPECT_FALSE(v.reason.empty());
  }
}

TEST_P(HmacProviders, EveryFixtureRoundTripsNamesItsEventAndIsDetected) {
  for (const auto& f : core::FixtureStore().list(p->fixture_family())) {
    SCOPED_TRACE(f.event);
    const auto delivery = deliver(*p, f.event, secret);
    const auto info = p->event_info(delivery.request);
    EXPECT_EQ(info.type, f.event);
    EXPECT_FALSE(info.id.empty());
    EXPECT_EQ(p->verify(delivery.request, params(secret)).status, VerdictStatus::valid);
    const auto* detected = providers::detect_provider(delivery.request.headers);
    ASSERT_NE(detected, nullptr) << "not detected";
    EXPECT_EQ(detected->id(), p->id());
  }
}

TEST_P(HmacProviders, UnknownEventIsReadBackAfterResigning) {
  auto req = d.request;
  ASSERT_TRUE(p->set_unknown_event(req));
  p->sign(req, {secret, kNow, kUrl});
  const auto info = p->event_info(req);
  EXPECT_NE(info.type, p->default_event());
  EXPECT_NE(info.type.find("unknown"), std::string::npos) << info.type;
  EXPECT_EQ(p->verify(req, params(secret)).status, VerdictStatus::valid);
  EXPECT_EQ(providers::detect_provider(req.headers)->id(), p->id());
}

TEST_P(HmacProviders, TamperTimestampIsAUsageError) {
  auto headers = d.request.headers;
  EXPECT_THROW(p->tamper_timestamp(headers), hooktool::Error);
  EXPECT_FALSE(p->signed_timestamp(d.request.headers).has_value());
}

INSTANTIATE_TEST_SUITE_P(Issue14, HmacProviders, ::testing::ValuesIn(kMine),
                         [](const auto& param_info) { return param_info.param; });

// No other registered provider's delivery is taken for one of these, and none of these is
// taken for another: every fixture of every provider, enveloped and signed as send does it.
TEST(HmacDetection, NeverConfusedWithAnotherRegisteredProvider) {
  const core::FixtureStore store;
  std::size_t checked = 0;
  for (const auto& p : providers::all_providers()) {
    if (p->asymmetric())
      continue; // keys, not shared secrets: their fixtures go through their own tests
    for (const auto& f : store.list(p->fixture_family())) {
      SCOPED_TRACE(std::string(p->id()) + "/" + f.event);
      core::Composed delivery;
      try {
        delivery = deliver(*p, f.event, p->generate_secret());
      } catch (const hooktool::Error& e) {
        ADD_FAILURE() << e.what();
        continue;
      }
      const auto* detected = providers::detect_provider(delivery.request.headers);
      ++checked;
      if (is_mine(p->id())) {
        ASSERT_NE(detected, nullptr);
        EXPECT_EQ(detected->id(), p->id());
      } else if (detected != nullptr) {
        EXPECT_FALSE(is_mine(detected->id())) << "taken for " << detected->id();
      }
    }
  }
  EXPECT_GT(checked, 60u);
}

TEST(HmacDetection, XHubSignatureAloneIsIntercomOnlyForSha1) {
  const auto detected = [](model::Headers h) {
    const auto* p = providers::detect_provider(h);
    return p == nullptr ? std::string("none") : std::string(p->id());
  };
  const std::string sha1 = "sha1=" + std::string(40, 'a');
  const std::string sha256 = "sha256=" + std::string(64, 'a');
  EXPECT_EQ(detected({{"X-Hub-Signature", sha1}}), "intercom");
  EXPECT_EQ(detected({{"User-Agent", "intercom-parrot-service-client/1.0"}}), "intercom");
  // GitHub's legacy header comes with X-GitHub-Event (and the sha256 one).
  EXPECT_EQ(detected({{"X-Hub-Signature", sha1}, {"X-GitHub-Event", "push"}}), "github");
  EXPECT_EQ(detected({{"X-Hub-Signature", sha1}, {"X-Hub-Signature-256", sha256}}), "github");
  // Bitbucket (Cloud and Data Center) names the event in X-Event-Key.
  EXPECT_EQ(detected({{"X-Hub-Signature", sha256}, {"X-Event-Key", "repo:push"}}), "bitbucket");
  EXPECT_EQ(detected({{"X-Event-Key", "repo:refs_changed"}, {"X-Request-Id", "r"}}), "bitbucket");
  EXPECT_NE(detected({{"X-Hub-Signature", sha256}}), "intercom");
  EXPECT_EQ(detected({{"User-Agent", "WooCommerce/10.3.5 Hookshot (WordPress/6.8.3)"}}),
            "woocommerce");
  EXPECT_EQ(detected({{"User-Agent", "GitHub-Hookshot/abc1234"}}), "none");
  EXPECT_EQ(detected({{"User-Agent", "weipay-webhooks"}}), "coinbase");
}

// Square signs the notification URL byte for byte (WebhooksHelper.verifySignature).
TEST(SquareUrl, TheUrlTheHandlerSeesIsSignedExactly) {
  const auto p = providers::make_provider("square");
  auto d = deliver(*p, "payment.updated", "key");
  EXPECT_EQ(p->verify(d.request, params("key", {kUrl})).status, VerdictStatus::valid);
  for (const std::string other :
       {"http://127.0.0.1:3000/hooks/in", "http://127.0.0.1:3000/hooks/in/?src=test",
        "https://127.0.0.1:3000/hooks/in?src=test", "http://127.0.0.1/hooks/in?src=test"}) {
    SCOPED_TRACE(other);
    const auto v = p->verify(d.request, params("key", {other}));
    EXPECT_EQ(v.status, VerdictStatus::invalid);
    EXPECT_NE(v.reason.find("notification URL"), std::string::npos) << v.reason;
  }
  // Any one of the URLs the receiver may have been reached at (listen: --public-url, Host).
  EXPECT_EQ(p->verify(d.request, params("key", {"https://tunnel.example/x", kUrl})).status,
            VerdictStatus::valid);
  // --signing-url: the handler behind a proxy sees another URL than the one dialled.
  core::ComposeInput in;
  in.provider = p.get();
  in.event = "payment.updated";
  in.payload.body = R"({"type":"payment.updated","event_id":"e1"})";
  in.url = "http://127.0.0.1:9000/";
  in.signing_url = "https://shop.example/square";
  in.secret = "key";
  const auto proxied = core::compose(in);
  EXPECT_EQ(p->verify(proxied.request, params("key", {"https://shop.example/square"})).status,
            VerdictStatus::valid);
  EXPECT_EQ(p->verify(proxied.request, params("key", {"http://127.0.0.1:9000/"})).status,
            VerdictStatus::invalid);
}

TEST(SquareUrl, UnknownUrlAndLegacyOnlyHeaderAreInvalidWithReasons) {
  const auto p = providers::make_provider("square");
  model::HttpRequest req;
  req.url = "/relative";
  req.body = "{}";
  req.headers = {{"x-square-hmacsha256-signature", crypto::base64_encode(std::string(32, 'x'))}};
  auto v = p->verify(req, params("key", {}));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_NE(v.reason.find("URL"), std::string::npos);
  req.headers = {{"x-square-signature", "abc="}};
  v = p->verify(req, params("key"));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_NE(v.reason.find("x-square-signature"), std::string::npos);
  EXPECT_EQ(providers::detect_provider(req.headers)->id(), "square");
}

// coinbase-commerce-node's verifyEventBody: a correct signature over a body without an
// "event" object is still refused.
TEST(Coinbase, BodyWithoutEventObjectIsInvalid) {
  const auto p = providers::make_provider("coinbase");
  for (const std::string body : {R"({"id":1})", R"({"event":"charge:confirmed"})", "[]", "x"}) {
    SCOPED_TRACE(body);
    model::HttpRequest req;
    req.body = body;
    p->sign(req, {"k", 0, {}});
    const auto v = p->verify(req, params("k"));
    EXPECT_EQ(v.status, VerdictStatus::invalid);
    EXPECT_NE(v.reason.find("'event'"), std::string::npos) << v.reason;
  }
}

// WooCommerce's ping (WC_Webhook::deliver_ping): form body, only a User-Agent, no signature.
TEST(Woocommerce, UnsignedPingIsRecognisedAndSaysWhy) {
  const auto p = providers::make_provider("woocommerce");
  model::HttpRequest req;
  req.headers = {{"User-Agent", "WooCommerce/10.3.5 Hookshot (WordPress/6.8.3)"},
                 {"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "webhook_id=12";
  EXPECT_EQ(providers::detect_provider(req.headers)->id(), "woocommerce");
  const auto info = p->event_info(req);
  EXPECT_EQ(info.type, "ping");
  EXPECT_EQ(info.id, "12");
  const auto v = p->verify(req, params("k"));
  EXPECT_EQ(v.status, VerdictStatus::unsigned_);
  EXPECT_NE(v.reason.find("ping"), std::string::npos);
  // The envelope send uses for it carries no X-WC-Webhook-* header, as WooCommerce's does not.
  for (const auto& h : p->envelope({"ping", providers::BodyFormat::form, kNow, {}}))
    EXPECT_EQ(h.name.find("X-WC-"), std::string::npos) << h.name;
}

TEST(Woocommerce, EnvelopeSplitsTheTopic) {
  const auto p = providers::make_provider("woocommerce");
  const auto h = p->envelope({"order.created", providers::BodyFormat::json, kNow, "d-1"});
  EXPECT_EQ(*model::find_header(h, "X-WC-Webhook-Topic"), "order.created");
  EXPECT_EQ(*model::find_header(h, "X-WC-Webhook-Resource"), "order");
  EXPECT_EQ(*model::find_header(h, "X-WC-Webhook-Event"), "created");
  EXPECT_EQ(*model::find_header(h, "X-WC-Webhook-Delivery-ID"), "d-1");
}

// Sentry-Hook-Timestamp is not signed: an old one (or a changed one) leaves the verdict valid,
// and re-signing sends the current time.
TEST(Sentry, TimestampIsNotSignedAndResigningRefreshesIt) {
  const auto p = providers::make_provider("sentry");
  auto d = deliver(*p, "issue.created", "cs");
  EXPECT_EQ(*model::find_header(d.request.headers, "Sentry-Hook-Timestamp"), std::to_string(kNow));
  EXPECT_EQ(*model::find_header(d.request.headers, "Sentry-Hook-Resource"), "issue");
  auto req = d.request;
  model::set_header(req.headers, "Sentry-Hook-Timestamp", "1000000000");
  auto later = params("cs");
  later.now = kNow + 86400 * 365;
  EXPECT_EQ(p->verify(req, later).status, VerdictStatus::valid);
  const auto set = p->sign(req, {"cs", kNow + 60, {}});
  EXPECT_EQ(*model::find_header(req.headers, "Sentry-Hook-Timestamp"), std::to_string(kNow + 60));
  EXPECT_EQ(set.size(), 2u);
}

TEST(Bitbucket, RetriesCountAttempts) {
  const auto p = providers::make_provider("bitbucket");
  auto h = p->envelope({"repo:push", providers::BodyFormat::json, kNow, {}});
  EXPECT_EQ(*model::find_header(h, "X-Attempt-Number"), "1");
  p->mark_retry(h, 1); // the first retry
  EXPECT_EQ(*model::find_header(h, "X-Attempt-Number"), "2");
}

// Razorpay repeats X-Razorpay-Event-Id on redeliveries: it is the id duplicates are keyed on.
TEST(Razorpay, EventIdHeaderIsTheEventId) {
  const auto p = providers::make_provider("razorpay");
  const auto h =
      p->envelope({"payment.captured", providers::BodyFormat::json, kNow, "Rp71ZiqdEWusLa"});
  model::HttpRequest req;
  req.headers = h;
  req.body = R"({"entity":"event","event":"payment.captured"})";
  const auto info = p->event_info(req);
  EXPECT_EQ(info.type, "payment.captured");
  EXPECT_EQ(info.id, "Rp71ZiqdEWusLa");
}

} // namespace suite_providers_hmac
