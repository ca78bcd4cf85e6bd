// End-to-end tests for `hooktool send`: the built binary delivers to an in-test
// loopback receiver, and every signature is checked here with OpenSSL directly
// (never with hooktool's own provider code).

#include "process.hpp"
#include "providers/registry.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <set>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_send {

namespace {

using e2e::ProcessResult;
using e2e::read_file;
using e2e::ReceivedRequest;
using e2e::Receiver;
using e2e::TempDir;
using e2e::ref::b64decode;
using e2e::ref::b64encode;
using e2e::ref::hex;
using e2e::ref::hmac;
using e2e::ref::sha256;
using e2e::ref::split;
using json = nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------
// Independent signature oracle (OpenSSL only, through reference_crypto.hpp)

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

// One secret per provider, in that provider's own format.
const std::string kStripeSecret = "whsec_e2e_stripe_5f1c0d2a9b8e7f6a";
const std::string kGithubSecret = "It's a Secret to Everybody";
const std::string kShopifySecret = "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";
const std::string kTwilioSecret = "12345678901234567890abcdefabcdef";
const std::string kSlackSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const std::string kStandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const std::string kGenericSecret = "generic-e2e-secret";

std::string secret_for(const std::string& provider) {
  if (provider == "stripe")
    return kStripeSecret;
  if (provider == "github")
    return kGithubSecret;
  if (provider == "shopify")
    return kShopifySecret;
  if (provider == "twilio")
    return kTwilioSecret;
  if (provider == "slack")
    return kSlackSecret;
  if (provider == "standard" || provider == "svix")
    return kStandardSecret;
  return kGenericSecret;
}

std::string must_header(const ReceivedRequest& r, const std::string& name) {
  const auto v = r.header(name);
  if (!v)
    throw std::runtime_error("missing header " + name);
  return *v;
}

// Stripe: "t=<ts>,v1=<hex>[,v1=…]" over "<ts>.<body>".
testing::AssertionResult stripe_valid(const ReceivedRequest& r, const std::string& secret) {
  const auto header = r.header("Stripe-Signature");
  if (!header)
    return testing::AssertionFailure() << "no Stripe-Signature header";
  if (contains(*header, " "))
    return testing::AssertionFailure() << "spaces in Stripe-Signature: " << *header;
  std::string ts;
  std::vector<std::string> v1;
  for (const auto& item : split(*header, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      continue;
    if (item.substr(0, eq) == "t")
      ts = item.substr(eq + 1);
    else if (item.substr(0, eq) == "v1")
      v1.push_back(item.substr(eq + 1));
  }
  if (ts.empty() || v1.empty())
    return testing::AssertionFailure() << "malformed Stripe-Signature: " << *header;
  const auto expected = hex(hmac(EVP_sha256(), secret, ts + "." + r.body));
  if (std::find(v1.begin(), v1.end(), expected) == v1.end())
    return testing::AssertionFailure() << "Stripe-Signature " << *header << " != v1=" << expected;
  return testing::AssertionSuccess();
}

long long stripe_timestamp(const ReceivedRequest& r) {
  const auto header = must_header(r, "Stripe-Signature");
  for (const auto& item : split(header, ','))
    if (starts_with(item, "t="))
      return std::stoll(item.substr(2));
  throw std::runtime_error("no t= in " + header);
}

testing::AssertionResult github_valid(const ReceivedRequest& r, const std::string& secret) {
  const auto s256 = r.header("X-Hub-Signature-256");
  const auto s1 = r.header("X-Hub-Signature");
  if (!s256 || !s1)
    return testing::AssertionFailure() << "missing X-Hub-Signature(-256)";
  const auto e256 = "sha256=" + hex(hmac(EVP_sha256(), secret, r.body));
  const auto e1 = "sha1=" + hex(hmac(EVP_sha1(), secret, r.body));
  if (*s256 != e256)
    return testing::AssertionFailure() << "X-Hub-Signature-256 " << *s256 << " != " << e256;
  if (*s1 != e1)
    return testing::AssertionFailure() << "X-Hub-Signature " << *s1 << " != " << e1;
  return testing::AssertionSuccess();
}

testing::AssertionResult shopify_valid(const ReceivedRequest& r, const std::string& secret) {
  for (const char* name : {"X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version",
                           "X-Shopify-Webhook-Id"})
    if (!r.header(name) || r.header(name)->empty())
      return testing::AssertionFailure() << "missing mandatory " << name;
  const auto sig = r.header("X-Shopify-Hmac-Sha256");
  if (!sig)
    return testing::AssertionFailure() << "no X-Shopify-Hmac-Sha256";
  const auto expected = b64encode(hmac(EVP_sha256(), secret, r.body));
  if (*sig != expected)
    return testing::AssertionFailure() << "X-Shopify-Hmac-Sha256 " << *sig << " != " << expected;
  return testing::AssertionSuccess();
}

testing::AssertionResult slack_valid(const ReceivedRequest& r, const std::string& secret) {
  const auto ts = r.header("X-Slack-Request-Timestamp");
  const auto sig = r.header("X-Slack-Signature");
  if (!ts || !sig)
    return testing::AssertionFailure() << "missing X-Slack-Request-Timestamp / X-Slack-Signature";
  if (ts->empty() ||
      !std::all_of(ts->begin(), ts->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return testing::AssertionFailure() << "X-Slack-Request-Timestamp not integer seconds: " << *ts;
  const auto expected = "v0=" + hex(hmac(EVP_sha256(), secret, "v0:" + *ts + ":" + r.body));
  if (*sig != expected)
    return testing::AssertionFailure() << "X-Slack-Signature " << *sig << " != " << expected;
  return testing::AssertionSuccess();
}

testing::AssertionResult standard_valid(const ReceivedRequest& r, const std::string& secret,
                                        const std::string& prefix) {
  const auto id = r.header(prefix + "id");
  const auto ts = r.header(prefix + "timestamp");
  const auto sig = r.header(prefix + "signature");
  if (!id || !ts || !sig)
    return testing::AssertionFailure() << "missing " << prefix << "id/timestamp/signature";
  std::string key_text = secret;
  if (starts_with(key_text, "whsec_"))
    key_text.erase(0, 6);
  const auto key = b64decode(key_text);
  const auto expected = "v1," + b64encode(hmac(EVP_sha256(), key, *id + "." + *ts + "." + r.body));
  for (const auto& part : split(*sig, ' '))
    if (part == expected)
      return testing::AssertionSuccess();
  return testing::AssertionFailure() << prefix << "signature " << *sig << " has no " << expected;
}

// Twilio: base64 hmac-sha1(token, URL + sorted name+value pairs); JSON bodies sign the URL
// carrying bodySHA256=<hex sha256(body)> and no parameters.
testing::AssertionResult twilio_valid(const ReceivedRequest& r, const std::string& token,
                                      const std::string& url_without_query) {
  const auto sig = r.header("X-Twilio-Signature");
  if (!sig)
    return testing::AssertionFailure() << "no X-Twilio-Signature";
  const auto ct = r.header("Content-Type").value_or("");
  std::string data;
  if (contains(ct, "json")) {
    const auto body_hash = r.query_param("bodySHA256");
    if (!body_hash)
      return testing::AssertionFailure() << "JSON delivery without bodySHA256 in " << r.target;
    if (*body_hash != hex(sha256(r.body)))
      return testing::AssertionFailure() << "bodySHA256 " << *body_hash << " != sha256(body)";
    data = url_without_query + "?" + r.query;
  } else {
    if (!r.query.empty())
      return testing::AssertionFailure() << "unexpected query on a form delivery: " << r.query;
    auto params = e2e::parse_form(r.body);
    std::sort(params.begin(), params.end());
    data = url_without_query;
    for (const auto& [k, v] : params)
      data += k + v;
  }
  const auto expected = b64encode(hmac(EVP_sha1(), token, data));
  if (*sig != expected)
    return testing::AssertionFailure() << "X-Twilio-Signature " << *sig << " != " << expected;
  return testing::AssertionSuccess();
}

testing::AssertionResult generic_valid(const ReceivedRequest& r, const std::string& secret) {
  const auto sig = r.header("X-Signature");
  if (!sig)
    return testing::AssertionFailure() << "no X-Signature";
  const auto expected = hex(hmac(EVP_sha256(), secret, r.body));
  if (*sig != expected)
    return testing::AssertionFailure() << "X-Signature " << *sig << " != " << expected;
  return testing::AssertionSuccess();
}

testing::AssertionResult signature_valid(const std::string& provider, const ReceivedRequest& r,
                                         const std::string& secret, const std::string& url) {
  if (provider == "stripe")
    return stripe_valid(r, secret);
  if (provider == "github")
    return github_valid(r, secret);
  if (provider == "shopify")
    return shopify_valid(r, secret);
  if (provider == "slack")
    return slack_valid(r, secret);
  if (provider == "standard")
    return standard_valid(r, secret, "webhook-");
  if (provider == "svix")
    return standard_valid(r, secret, "svix-");
  if (provider == "twilio")
    return twilio_valid(r, secret, url);
  if (provider == "generic")
    return generic_valid(r, secret);
  return testing::AssertionFailure() << "no oracle for " << provider;
}

// ---------------------------------------------------------------------------------------
// Helpers

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// hooktool send <provider> <event> --to <url> --secret <secret> <extra…>
ProcessResult send(const std::string& provider, const std::string& event, const std::string& url,
                   const std::vector<std::string>& extra = {},
                   const e2e::ProcessOptions& opts = {}) {
  return e2e::hooktool(
      concat({"send", provider, event, "--to", url, "--secret", secret_for(provider)}, extra),
      opts);
}

// Exactly one non-empty line on stderr, ending with a newline.
testing::AssertionResult one_line(const std::string& err) {
  if (err.empty())
    return testing::AssertionFailure() << "stderr is empty";
  if (err.back() != '\n')
    return testing::AssertionFailure() << "stderr does not end with a newline: [" << err << "]";
  if (std::count(err.begin(), err.end(), '\n') != 1)
    return testing::AssertionFailure() << "stderr has more than one line: [" << err << "]";
  if (err.size() < 2)
    return testing::AssertionFailure() << "stderr line is blank";
  return testing::AssertionSuccess();
}

json parse_json_or_fail(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    throw std::runtime_error("not JSON: " + text);
  return j;
}

struct Fixture {
  std::string provider;
  std::string event;
  std::string format;
};

std::vector<Fixture> list_fixtures(const std::vector<std::string>& extra = {}) {
  const auto r = e2e::hooktool(concat({"fixtures", "--json"}, extra));
  if (r.exit_code != 0)
    throw std::runtime_error("hooktool fixtures --json failed: " + r.describe());
  std::vector<Fixture> out;
  for (const auto& line : e2e::lines_of(r.out)) {
    const auto j = parse_json_or_fail(line);
    out.push_back({j.at("provider").get<std::string>(), j.at("event").get<std::string>(),
                   j.at("format").get<std::string>()});
  }
  return out;
}

const std::vector<std::string> kProviders = {"stripe", "github",   "shopify", "twilio",
                                             "slack",  "standard", "svix",    "generic"};

long long now_s() {
  return static_cast<long long>(std::time(nullptr));
}

// ---------------------------------------------------------------------------------------
// 1. Every provider × every fixture event: delivered once, signature verified here.

class SendEveryFixture : public testing::TestWithParam<std::string> {};

TEST_P(SendEveryFixture, DeliversOnceWithIndependentlyValidSignature) {
  const auto provider = GetParam();
  const auto all = list_fixtures();
  std::vector<Fixture> mine;
  std::copy_if(all.begin(), all.end(), std::back_inserter(mine),
               [&](const Fixture& f) { return f.provider == provider; });
  const std::size_t minimum = provider == "stripe" || provider == "github" ? 6 : 4;
  ASSERT_GE(mine.size(), minimum) << provider << " lists too few events";

  Receiver rx;
  const auto secret = secret_for(provider);
  for (const auto& f : mine) {
    SCOPED_TRACE(provider + " " + f.event);
    rx.clear();
    // The receiver does not answer Slack's url_verification handshake as Slack requires, which
    // send judges by default (handshake_test.cpp); an explicit --expect only checks the status.
    const auto r =
        send(provider, f.event, rx.url("/hook"),
             f.event == "url_verification" ? std::vector<std::string>{"--json", "--expect", "2xx"}
                                           : std::vector<std::string>{"--json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto reqs = rx.requests();
    ASSERT_EQ(reqs.size(), 1u) << r.describe();
    const auto& q = reqs[0];
    EXPECT_EQ(q.method, "POST");
    EXPECT_EQ(q.path, "/hook");
    EXPECT_TRUE(signature_valid(provider, q, secret, rx.url("/hook")));

    // The --json summary is one line describing this delivery.
    const auto lines = e2e::lines_of(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    const auto summary = parse_json_or_fail(lines[0]);
    EXPECT_EQ(summary.value("provider", ""), provider);
    EXPECT_EQ(summary.value("status", 0), 200);
    EXPECT_EQ(summary.value("ok", false), true);
    EXPECT_EQ(summary.value("event", ""), f.event); // the type read back from the delivery
    EXPECT_FALSE(summary.value("event_id", "").empty()) << lines[0];

    const auto ct = q.header("Content-Type").value_or("");
    if (f.format == "json") {
      EXPECT_TRUE(contains(ct, "application/json")) << ct;
      const auto body = json::parse(q.body, nullptr, false);
      ASSERT_FALSE(body.is_discarded()) << "body is not JSON:\n" << q.body;
      if (provider == "stripe") {
        EXPECT_EQ(body.value("type", ""), f.event);
        EXPECT_TRUE(starts_with(body.value("id", ""), "evt_")) << body.value("id", "");
        EXPECT_EQ(summary.value("event_id", ""), body.value("id", ""));
        EXPECT_EQ(summary.value("event", ""), f.event);
      } else if (provider == "github") {
        auto type = q.header("X-GitHub-Event").value_or("");
        if (body.contains("action") && body["action"].is_string())
          type += "." + body["action"].get<std::string>();
        EXPECT_EQ(type, f.event);
        EXPECT_TRUE(q.header("X-GitHub-Delivery").has_value());
      } else if (provider == "standard" || provider == "svix") {
        EXPECT_EQ(body.value("type", ""), f.event);
      }
    } else {
      EXPECT_TRUE(contains(ct, "application/x-www-form-urlencoded")) << ct;
      EXPECT_FALSE(e2e::parse_form(q.body).empty()) << q.body;
    }
    if (provider == "shopify") {
      EXPECT_EQ(q.header("X-Shopify-Topic").value_or(""), f.event);
    }
    if (provider == "stripe") {
      EXPECT_EQ(q.header("User-Agent").value_or(""),
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)");
      EXPECT_EQ(ct, "application/json; charset=utf-8");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Providers, SendEveryFixture, testing::ValuesIn(kProviders),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(SendFixtures, ListCoversEveryProvider) {
  const auto all = list_fixtures();
  std::set<std::string> seen;
  for (const auto& f : all)
    seen.insert(f.provider);
  const auto ids = hooktool::providers::provider_ids();
  EXPECT_EQ(seen, std::set<std::string>(ids.begin(), ids.end()));
}

// The oracle itself must reject what it should: a valid delivery with one body byte
// changed fails every provider's check.
TEST(SendOracle, RejectsAlteredBodyForEveryProvider) {
  Receiver rx;
  for (const auto& provider : kProviders) {
    SCOPED_TRACE(provider);
    rx.clear();
    const auto event = list_fixtures({});
    const auto it = std::find_if(event.begin(), event.end(),
                                 [&](const Fixture& f) { return f.provider == provider; });
    ASSERT_NE(it, event.end());
    const auto r = send(provider, it->event, rx.url());
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_EQ(rx.count(), 1u);
    auto q = rx.requests()[0];
    ASSERT_TRUE(signature_valid(provider, q, secret_for(provider), rx.url()));
    const auto wrong = provider == "standard" || provider == "svix"
                           ? std::string("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                           : secret_for(provider) + "x";
    EXPECT_FALSE(signature_valid(provider, q, wrong, rx.url()));
    q.body.back() = q.body.back() == '}' ? ']' : '}';
    EXPECT_FALSE(signature_valid(provider, q, secret_for(provider), rx.url()));
  }
}

// Twilio signs the URL the handler sees; a bare host:port target gets the slash.
TEST(SendTwilio, BareHostPortSignsUrlWithSlash) {
  Receiver rx;
  const auto target = "127.0.0.1:" + std::to_string(rx.port());
  const auto r = send("twilio", "message.incoming", target);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  EXPECT_EQ(rx.requests()[0].path, "/");
  EXPECT_TRUE(twilio_valid(rx.requests()[0], kTwilioSecret, rx.base() + "/"));
}

// ---------------------------------------------------------------------------------------
// 2. Fresh ids per send; --duplicate sends identical copies.

TEST(SendIds, TwoSendsHaveDifferentEventIds) {
  Receiver rx;
  ASSERT_EQ(send("stripe", "invoice.paid", rx.url()).exit_code, 0);
  ASSERT_EQ(send("stripe", "invoice.paid", rx.url()).exit_code, 0);
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const auto a = parse_json_or_fail(reqs[0].body);
  const auto b = parse_json_or_fail(reqs[1].body);
  EXPECT_NE(a.at("id"), b.at("id"));
  EXPECT_NE(a.at("data").at("object").at("id"), b.at("data").at("object").at("id"));
}

TEST(SendIds, DuplicateSendsIdenticalBytesAndSignature) {
  Receiver rx;
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--duplicate", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (const auto& q : reqs) {
    EXPECT_EQ(q.body, reqs[0].body);
    EXPECT_EQ(q.header("Stripe-Signature"), reqs[0].header("Stripe-Signature"));
    EXPECT_TRUE(stripe_valid(q, kStripeSecret));
  }
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out; // one JSON object per delivery
  const auto id = parse_json_or_fail(reqs[0].body).at("id").get<std::string>();
  for (const auto& line : lines)
    EXPECT_EQ(parse_json_or_fail(line).value("event_id", ""), id);
}

TEST(SendIds, DuplicateStandardKeepsWebhookId) {
  Receiver rx;
  const auto r = send("standard", "invoice.paid", rx.url(), {"--duplicate", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("webhook-id"), reqs[1].header("webhook-id"));
  EXPECT_EQ(reqs[0].header("webhook-signature"), reqs[1].header("webhook-signature"));
  EXPECT_EQ(reqs[0].body, reqs[1].body);
}

// ---------------------------------------------------------------------------------------
// 3. --tamper

class SendTamper : public testing::TestWithParam<std::string> {};

TEST_P(SendTamper, StripeDeliveryFailsIndependentCheckAndExpects4xx) {
  const auto mode = GetParam();
  {
    Receiver rx({400});
    const auto r = send("stripe", "invoice.paid", rx.url(), {"--tamper", mode});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    ASSERT_EQ(rx.count(), 1u);
    const auto q = rx.requests()[0];
    EXPECT_FALSE(stripe_valid(q, kStripeSecret)) << "tampered delivery still verifies";
    EXPECT_TRUE(q.header("Stripe-Signature").has_value());
  }
  {
    Receiver rx({200});
    const auto r = send("stripe", "invoice.paid", rx.url(), {"--tamper", mode});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
    ASSERT_EQ(rx.count(), 1u) << "a tampered delivery must not be retried";
    EXPECT_FALSE(stripe_valid(rx.requests()[0], kStripeSecret));
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, SendTamper, testing::Values("signature", "body", "timestamp"));

TEST(SendTamper, TamperTimestampOnGithubIsUsageError) {
  Receiver rx;
  const auto r = send("github", "push", rx.url(), {"--tamper", "timestamp"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(one_line(r.err));
  EXPECT_EQ(rx.count(), 0u);
}

TEST(SendTamper, TamperWithRetriesSendsOnce) {
  Receiver rx({200});
  const auto r = send("stripe", "invoice.paid", rx.url(),
                      {"--tamper", "signature", "--retries", "3", "--backoff", "1ms"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(rx.count(), 1u);
}

// Every provider: a tampered delivery (signature or body) fails the independent check.
class SendTamperEveryProvider : public testing::TestWithParam<std::string> {};

TEST_P(SendTamperEveryProvider, SignatureAndBodyTamperingBreakVerification) {
  const auto provider = GetParam();
  const auto all = list_fixtures();
  std::vector<std::string> events;
  for (const auto& f : all)
    if (f.provider == provider)
      events.push_back(f.event);
  ASSERT_FALSE(events.empty());
  if (provider == "twilio") // also the JSON variant, where the body hash sits in the URL
    events = {"call.status.completed", "com.twilio.messaging.message.delivered"};
  else
    events.resize(1);
  std::vector<std::string> modes{"signature", "body"};
  if (provider == "slack" || provider == "standard" || provider == "svix")
    modes.emplace_back("timestamp");
  for (const auto& event : events)
    for (const auto& mode : modes) {
      SCOPED_TRACE(provider + " " + event + " --tamper " + mode);
      Receiver rx({401});
      const auto r = send(provider, event, rx.url(), {"--tamper", mode});
      EXPECT_EQ(r.exit_code, 0) << r.describe();
      ASSERT_EQ(rx.count(), 1u);
      EXPECT_FALSE(signature_valid(provider, rx.requests()[0], secret_for(provider), rx.url()));
    }
}

INSTANTIATE_TEST_SUITE_P(Providers, SendTamperEveryProvider, testing::ValuesIn(kProviders),
                         [](const testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(SendTamper, TimestampTamperOnSchemesWithoutTimestampIsUsageError) {
  for (const auto& [provider, event] :
       std::vector<std::pair<std::string, std::string>>{{"shopify", "orders/create"},
                                                        {"twilio", "call.status.completed"},
                                                        {"generic", "ping"}}) {
    SCOPED_TRACE(provider);
    const auto r = send(provider, event, "127.0.0.1:1", {"--tamper", "timestamp"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_TRUE(one_line(r.err));
  }
}

// Mailgun signs a timestamp and token, GitLab sends a shared token: a changed body cannot be
// detected, so the drill is refused rather than sent as a delivery that proves nothing.
TEST(SendTamper, BodyTamperOnSchemesThatDoNotCoverTheBodyIsUsageError) {
  for (const auto& [provider, event] : std::vector<std::pair<std::string, std::string>>{
           {"mailgun", "clicked"}, {"gitlab", "push"}}) {
    SCOPED_TRACE(provider);
    const auto r = e2e::hooktool({"send", provider, event, "--to", "127.0.0.1:1", "--secret",
                                  "key-0123456789abcdef", "--tamper", "body"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_TRUE(one_line(r.err)) << r.describe();
    EXPECT_NE(r.err.find("not covered"), std::string::npos) << r.describe();
  }
}

// ---------------------------------------------------------------------------------------
// 4. --age

TEST(SendAge, StripeTimestampIsBackdated) {
  Receiver rx;
  const auto before = now_s();
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--age", "600"});
  const auto after = now_s();
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_TRUE(stripe_valid(q, kStripeSecret));
  const auto t = stripe_timestamp(q);
  EXPECT_GE(t, before - 600 - 5);
  EXPECT_LE(t, after - 600 + 5);
  // The payload's own time moves too.
  const auto body = parse_json_or_fail(q.body);
  EXPECT_LE(body.at("created").get<long long>(), after - 600 + 5);
}

TEST(SendAge, SlackAndStandardTimestampsBackdated) {
  Receiver rx;
  const auto before = now_s();
  ASSERT_EQ(send("slack", "message", rx.url(), {"--age", "600"}).exit_code, 0);
  ASSERT_EQ(send("standard", "user.created", rx.url(), {"--age", "600"}).exit_code, 0);
  const auto after = now_s();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const auto slack_ts = std::stoll(reqs[0].header("X-Slack-Request-Timestamp").value_or("0"));
  const auto std_ts = std::stoll(reqs[1].header("webhook-timestamp").value_or("0"));
  for (const auto ts : {slack_ts, std_ts}) {
    EXPECT_GE(ts, before - 605);
    EXPECT_LE(ts, after - 595);
  }
  EXPECT_TRUE(slack_valid(reqs[0], kSlackSecret));
  EXPECT_TRUE(standard_valid(reqs[1], kStandardSecret, "webhook-"));
}

TEST(SendAge, GithubWarnsButSucceeds) {
  Receiver rx;
  const auto r = send("github", "push", rx.url(), {"--age", "600"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.err, "warning")) << r.err;
  EXPECT_TRUE(contains(r.err, "--age")) << r.err;
  ASSERT_EQ(rx.count(), 1u);
  EXPECT_TRUE(github_valid(rx.requests()[0], kGithubSecret));
}

// ---------------------------------------------------------------------------------------
// 5. Retries

TEST(SendRetries, RetriesUntil2xx) {
  Receiver rx({500, 500, 200});
  const auto r =
      send("stripe", "invoice.paid", rx.url(), {"--retries", "2", "--backoff", "10ms", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const auto j = parse_json_or_fail(lines[0]);
  EXPECT_EQ(j.value("attempts", 0), 3);
  EXPECT_EQ(j.value("status", 0), 200);
  EXPECT_EQ(j.value("ok", false), true);
  // Every attempt is a valid delivery of the same event.
  const auto id = parse_json_or_fail(reqs[0].body).at("id");
  for (const auto& q : reqs) {
    EXPECT_TRUE(stripe_valid(q, kStripeSecret));
    EXPECT_EQ(parse_json_or_fail(q.body).at("id"), id);
  }
}

TEST(SendRetries, SlackRetriesCarryRetryNum) {
  Receiver rx({500, 500, 200});
  const auto r = send("slack", "app_mention", rx.url(), {"--retries", "2", "--backoff", "10ms"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_FALSE(reqs[0].header("X-Slack-Retry-Num").has_value());
  EXPECT_EQ(reqs[1].header("X-Slack-Retry-Num").value_or("<none>"), "1");
  EXPECT_EQ(reqs[2].header("X-Slack-Retry-Num").value_or("<none>"), "2");
  EXPECT_TRUE(reqs[1].header("X-Slack-Retry-Reason").has_value());
  for (const auto& q : reqs)
    EXPECT_TRUE(slack_valid(q, kSlackSecret));
}

TEST(SendRetries, StandardRetriesKeepMessageIdAndReSign) {
  Receiver rx({503, 200});
  const auto r = send("standard", "invoice.paid", rx.url(), {"--retries", "1", "--backoff", "1ms"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("webhook-id"), reqs[1].header("webhook-id"));
  EXPECT_EQ(reqs[0].body, reqs[1].body);
  for (const auto& q : reqs)
    EXPECT_TRUE(standard_valid(q, kStandardSecret, "webhook-"));
}

TEST(SendRetries, TwilioJsonRetriesKeepOneBodyHash) {
  Receiver rx({500, 200});
  const auto r = send("twilio", "com.twilio.messaging.message.delivered", rx.url(),
                      {"--retries", "1", "--backoff", "1ms"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& q : reqs) {
    EXPECT_EQ(std::count_if(q.query_params.begin(), q.query_params.end(),
                            [](const e2e::NameValue& kv) { return kv.first == "bodySHA256"; }),
              1)
        << q.target;
    EXPECT_TRUE(twilio_valid(q, kTwilioSecret, rx.url()));
  }
}

TEST(SendRetries, DuplicateCopiesAreJudgedEach) {
  Receiver rx({200, 500, 200});
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--duplicate", "3", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(rx.count(), 3u);
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(parse_json_or_fail(lines[0]).at("ok"), true);
  EXPECT_EQ(parse_json_or_fail(lines[1]).at("ok"), false);
  EXPECT_EQ(parse_json_or_fail(lines[2]).at("ok"), true);
}

TEST(SendRetries, GivesUpAfterRetries) {
  Receiver rx({500});
  const auto r =
      send("stripe", "invoice.paid", rx.url(), {"--retries", "1", "--backoff", "10ms", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(rx.count(), 2u);
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const auto j = parse_json_or_fail(lines[0]);
  EXPECT_EQ(j.value("attempts", 0), 2);
  EXPECT_EQ(j.value("status", 0), 500);
  EXPECT_EQ(j.value("ok", true), false);
}

TEST(SendRetries, NoRetriesByDefault) {
  Receiver rx({500});
  const auto r = send("stripe", "invoice.paid", rx.url());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(rx.count(), 1u);
}

// ---------------------------------------------------------------------------------------
// 6. --expect and --json

TEST(SendExpect, Expect4xx) {
  {
    Receiver rx({404});
    EXPECT_EQ(send("stripe", "invoice.paid", rx.url(), {"--expect", "4xx"}).exit_code, 0);
  }
  {
    Receiver rx({200});
    EXPECT_EQ(send("stripe", "invoice.paid", rx.url(), {"--expect", "4xx"}).exit_code, 1);
  }
  {
    Receiver rx({500});
    EXPECT_EQ(send("stripe", "invoice.paid", rx.url(), {"--expect", "4xx"}).exit_code, 1);
  }
}

TEST(SendExpect, ExpectExactCode) {
  {
    Receiver rx({202});
    const auto r = send("github", "push", rx.url(), {"--expect", "202"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
  }
  {
    Receiver rx({200});
    const auto r = send("github", "push", rx.url(), {"--expect", "202"});
    EXPECT_EQ(r.exit_code, 1) << r.describe();
  }
}

TEST(SendExpect, ExpectCodeList) {
  Receiver rx({204});
  EXPECT_EQ(send("stripe", "invoice.paid", rx.url(), {"--expect", "200,204"}).exit_code, 0);
  rx.set_statuses({202});
  EXPECT_EQ(send("stripe", "invoice.paid", rx.url(), {"--expect", "200,204"}).exit_code, 1);
}

TEST(SendExpect, Default2xx) {
  Receiver rx({204});
  EXPECT_EQ(send("stripe", "invoice.paid", rx.url()).exit_code, 0);
  rx.set_statuses({301});
  EXPECT_EQ(send("stripe", "invoice.paid", rx.url()).exit_code, 1);
}

TEST(SendJson, OneObjectPerDeliveryAndNothingElse) {
  Receiver rx({200});
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "extra output on stdout";
  const auto j = parse_json_or_fail(lines[0]);
  ASSERT_TRUE(j.is_object());
  for (const char* key :
       {"provider", "event", "event_id", "url", "status", "duration_ms", "attempts", "ok"})
    EXPECT_TRUE(j.contains(key)) << "missing key " << key << " in " << lines[0];
  ASSERT_EQ(rx.count(), 1u);
  const auto body = parse_json_or_fail(rx.requests()[0].body);
  EXPECT_EQ(j.at("provider"), "stripe");
  EXPECT_EQ(j.at("event"), "invoice.paid");
  EXPECT_EQ(j.at("event_id"), body.at("id"));
  EXPECT_EQ(j.at("url"), rx.url());
  EXPECT_EQ(j.at("status"), 200);
  EXPECT_TRUE(j.at("duration_ms").is_number_integer());
  EXPECT_GE(j.at("duration_ms").get<long long>(), 0);
  EXPECT_EQ(j.at("attempts"), 1);
  EXPECT_EQ(j.at("ok"), true);
}

TEST(SendJson, FailedExpectationIsOkFalse) {
  Receiver rx({503});
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const auto j = parse_json_or_fail(lines[0]);
  EXPECT_EQ(j.at("status"), 503);
  EXPECT_EQ(j.at("ok"), false);
}

// ---------------------------------------------------------------------------------------
// 7. --header, --set, --data, --dry-run

TEST(SendPayload, ExtraHeaderArrives) {
  Receiver rx;
  const auto r = send("stripe", "invoice.paid", rx.url(),
                      {"--header", "X-Extra: 1", "-H", "X-Another: two words"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_EQ(q.header("X-Extra").value_or("<none>"), "1");
  EXPECT_EQ(q.header("X-Another").value_or("<none>"), "two words");
  EXPECT_TRUE(stripe_valid(q, kStripeSecret));
}

TEST(SendPayload, SetNumberAndString) {
  Receiver rx;
  const auto r =
      send("stripe", "invoice.paid", rx.url(),
           {"--set", "data.object.amount_due=5000", "--set", "data.object.customer_email=x@y.z"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_TRUE(stripe_valid(q, kStripeSecret));
  const auto body = parse_json_or_fail(q.body);
  const auto& amount = body.at("data").at("object").at("amount_due");
  EXPECT_TRUE(amount.is_number_integer()) << amount.dump();
  EXPECT_EQ(amount, 5000);
  const auto& email = body.at("data").at("object").at("customer_email");
  EXPECT_TRUE(email.is_string()) << email.dump();
  EXPECT_EQ(email, "x@y.z");
}

TEST(SendPayload, DataFileSentByteForByte) {
  TempDir dir;
  // Odd spacing, key order, non-ASCII and a trailing newline: all must survive.
  const std::string bytes =
      "{\"type\":  \"invoice.paid\", \"id\":\"evt_custom_1\",\n \"note\": \"caf\xc3\xa9 \\u00e9\", "
      "\"data\": {\"object\": {\"amount_due\": 1.50}}}\n";
  const auto path = dir.write("payload.json", bytes);
  Receiver rx;
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--data", "@" + path});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_EQ(q.body, bytes);
  EXPECT_TRUE(stripe_valid(q, kStripeSecret));
}

TEST(SendPayload, DataFromStdin) {
  const std::string bytes = "{\"type\":\"user.created\",\"data\":{\"id\":\"u_1\"}}";
  Receiver rx;
  e2e::ProcessOptions opts;
  opts.stdin_text = bytes;
  const auto r = send("standard", "user.created", rx.url(), {"--data", "-"}, opts);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  EXPECT_EQ(rx.requests()[0].body, bytes);
  EXPECT_TRUE(standard_valid(rx.requests()[0], kStandardSecret, "webhook-"));
}

TEST(SendPayload, DryRunSendsNothingAndPrintsSignedRequest) {
  Receiver rx;
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx.count(), 0u);
  EXPECT_TRUE(contains(r.out, "Stripe-Signature: t=")) << r.out;
  EXPECT_TRUE(contains(r.out, ",v1=")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"invoice.paid\"")) << r.out;
  EXPECT_TRUE(contains(r.out, rx.url())) << r.out;
  EXPECT_FALSE(contains(r.out, kStripeSecret)) << "secret echoed";
}

TEST(SendPayload, SecretFromEnvAndFile) {
  Receiver rx;
  {
    e2e::ProcessOptions opts;
    opts.env["HOOKTOOL_SECRET"] = kGithubSecret;
    const auto r = e2e::hooktool({"send", "github", "push", "--to", rx.url()}, opts);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  TempDir dir;
  const auto file = dir.write("secret", kGithubSecret + "\n");
  {
    const auto r =
        e2e::hooktool({"send", "github", "push", "--to", rx.url(), "--secret-file", file});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_TRUE(github_valid(reqs[0], kGithubSecret));
  EXPECT_TRUE(github_valid(reqs[1], kGithubSecret));
}

TEST(SendPayload, NoSecretSignsWithTheDevelopmentSecretItPrintsOnce) {
  Receiver rx;
  const auto r = e2e::hooktool({"send", "github", "push", "--to", rx.url()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  // The note on stderr names the secret made for this provider; it must verify the delivery.
  const std::string lead = "Configure your handler with ";
  const auto pos = r.err.find(lead);
  ASSERT_NE(pos, std::string::npos) << r.err;
  const auto start = pos + lead.size();
  const auto secret = r.err.substr(start, r.err.find(' ', start) - start);
  EXPECT_TRUE(github_valid(rx.requests()[0], secret)) << "secret parsed as '" << secret << "'";
  // The next send uses the same secret and says nothing more about it.
  const auto again = e2e::hooktool({"send", "github", "push", "--to", rx.url()});
  ASSERT_EQ(again.exit_code, 0) << again.describe();
  EXPECT_EQ(again.err.find("development secret"), std::string::npos) << again.err;
  ASSERT_EQ(rx.count(), 2u);
  EXPECT_TRUE(github_valid(rx.requests()[1], secret));
}

TEST(SendPayload, HeaderOverridesProviderHeader) {
  Receiver rx;
  const auto r = send("stripe", "invoice.paid", rx.url(), {"-H", "User-Agent: custom-agent/2"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_EQ(q.header_count("User-Agent"), 1u);
  EXPECT_EQ(q.header("User-Agent").value_or(""), "custom-agent/2");
  EXPECT_TRUE(stripe_valid(q, kStripeSecret));
}

TEST(SendPayload, SetOnFormFixtureKeepsTwilioSignatureValid) {
  Receiver rx;
  const auto r = send("twilio", "message.incoming", rx.url(), {"--set", "Body=hello world & more"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  std::string body_param = "<none>";
  for (const auto& [k, v] : e2e::parse_form(q.body))
    if (k == "Body")
      body_param = v;
  EXPECT_EQ(body_param, "hello world & more") << q.body;
  EXPECT_TRUE(twilio_valid(q, kTwilioSecret, rx.url()));
}

TEST(SendSecrets, NamedSecretsPickTheProvidersOwn) {
  Receiver rx;
  const auto r =
      e2e::hooktool({"send", "github", "push", "--to", rx.url(), "--secret",
                     "stripe=whsec_not_this_one", "--secret", "github=" + kGithubSecret});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  EXPECT_TRUE(github_valid(rx.requests()[0], kGithubSecret));

  const auto other = e2e::hooktool(
      {"send", "github", "push", "--to", rx.url(), "--secret", "stripe=whsec_not_this_one"});
  EXPECT_EQ(other.exit_code, 2) << other.describe();
  EXPECT_TRUE(one_line(other.err));
  EXPECT_EQ(rx.count(), 1u);
}

TEST(SendSecrets, SvixNamedSecretSplitsAtFirstEqualsAndAppliesToStandard) {
  // base64("testsecret1") ends in '=': the split must happen at the first '=' only.
  const std::string secret = "whsec_dGVzdHNlY3JldDE=";
  Receiver rx;
  const auto r = e2e::hooktool(
      {"send", "standard", "user.created", "--to", rx.url(), "--secret", "svix=" + secret});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  EXPECT_TRUE(standard_valid(rx.requests()[0], secret, "webhook-"));
}

TEST(SendSecrets, SecretFileNamedForAnotherProviderIsNotUsed) {
  TempDir dir;
  const auto file = dir.write("secret", "stripe=whsec_not_for_github\n");
  Receiver rx;
  const auto r = e2e::hooktool({"send", "github", "push", "--to", rx.url(), "--secret-file", file});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(rx.count(), 0u);
}

TEST(SendTwilio, SigningUrlOverridesTheSignedUrl) {
  Receiver rx;
  const std::string public_url = "https://hooks.example.com/twilio/sms";
  const auto r =
      send("twilio", "message.status.delivered", rx.url(), {"--signing-url", public_url});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_EQ(q.path, "/hook");
  EXPECT_TRUE(twilio_valid(q, kTwilioSecret, public_url));
  EXPECT_FALSE(twilio_valid(q, kTwilioSecret, rx.url()));
}

TEST(SendTwilio, JsonSigningUrlCarriesBodyHash) {
  Receiver rx;
  const std::string public_url = "https://hooks.example.com/twilio/events";
  const auto r = send("twilio", "com.twilio.messaging.message.delivered", rx.url(),
                      {"--signing-url", public_url});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_EQ(rx.count(), 1u);
  const auto q = rx.requests()[0];
  EXPECT_TRUE(twilio_valid(q, kTwilioSecret, public_url));
}

// ---------------------------------------------------------------------------------------
// 8. --save

TEST(SendSave, RecordsEveryAttemptInCaptureFormat) {
  TempDir dir;
  const auto path = dir.file("sent.jsonl");
  Receiver rx({500, 200});
  const auto r = send("stripe", "invoice.paid", rx.url(),
                      {"--save", path, "--retries", "1", "--backoff", "1ms"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(fs::exists(path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << std::oct << (st.st_mode & 0777);

  const auto lines = e2e::lines_of(read_file(path));
  ASSERT_EQ(lines.size(), 2u) << read_file(path);
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 2u);
  const std::vector<int> statuses{500, 200};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    const auto j = parse_json_or_fail(lines[i]);
    for (const char* key : {"id", "received_at", "method", "path", "query", "headers", "body",
                            "provider", "event_type", "event_id", "verification", "response"})
      EXPECT_TRUE(j.contains(key)) << "missing " << key << ": " << lines[i];
    ids.insert(j.value("id", ""));
    EXPECT_EQ(j.value("method", ""), "POST");
    EXPECT_EQ(j.value("path", ""), "/hook");
    EXPECT_EQ(j.at("query"), "");
    EXPECT_EQ(j.value("provider", ""), "stripe");
    EXPECT_EQ(j.value("event_type", ""), "invoice.paid");
    EXPECT_EQ(j.value("body", ""), reqs[i].body);
    EXPECT_EQ(j.value("event_id", ""), parse_json_or_fail(reqs[i].body).value("id", "?"));
    EXPECT_EQ(j.at("verification").value("status", ""), "valid") << lines[i];
    EXPECT_EQ(j.at("response").value("status", 0), statuses[i]);
    // RFC 3339 with milliseconds, e.g. 2026-11-25T12:21:25.123Z
    const auto at = j.value("received_at", "");
    EXPECT_GE(at.size(), 24u) << at;
    EXPECT_EQ(at.substr(4, 1), "-") << at;
    EXPECT_EQ(at.substr(10, 1), "T") << at;
    EXPECT_EQ(at.substr(19, 1), ".") << at;
    // headers: array of [name, value] pairs, including the signature actually sent.
    const auto& headers = j.at("headers");
    ASSERT_TRUE(headers.is_array());
    std::string sent_sig;
    for (const auto& h : headers) {
      ASSERT_TRUE(h.is_array() && h.size() == 2) << h.dump();
      ASSERT_TRUE(h[0].is_string() && h[1].is_string()) << h.dump();
      if (e2e::iequals(h[0].get<std::string>(), "Stripe-Signature"))
        sent_sig = h[1].get<std::string>();
    }
    EXPECT_EQ(sent_sig, reqs[i].header("Stripe-Signature").value_or("<none>"));
  }
  EXPECT_EQ(ids.size(), 2u) << "capture ids must be unique";
  EXPECT_FALSE(contains(read_file(path), kStripeSecret)) << "secret written to the capture";

  // A second run appends.
  rx.set_statuses({200});
  ASSERT_EQ(send("stripe", "invoice.paid", rx.url(), {"--save", path}).exit_code, 0);
  EXPECT_EQ(e2e::lines_of(read_file(path)).size(), 3u);
}

TEST(SendSave, TamperedDeliveryIsSavedAsInvalid) {
  TempDir dir;
  const auto path = dir.file("sent.jsonl");
  Receiver rx({400});
  const auto r = send("stripe", "invoice.paid", rx.url(), {"--save", path, "--tamper", "body"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = e2e::lines_of(read_file(path));
  ASSERT_EQ(lines.size(), 1u);
  const auto j = parse_json_or_fail(lines[0]);
  EXPECT_EQ(j.at("verification").value("status", ""), "invalid") << lines[0];
  EXPECT_EQ(j.at("response").value("status", 0), 400);
}

// A -H header the capture reader would refuse (a name that is not an HTTP token, a value with
// a line break) is a usage error before anything is sent, and --save writes no record of it.
TEST(SendSave, HeaderThatCannotBeSentIsRefusedBeforeSendingOrSaving) {
  struct Case {
    std::string header;
    std::string says; // after "-H '<header, escaped>': "
  };
  const std::vector<Case> cases{{"X(A): b", "\"X(A)\" is not a valid header name"},
                                {"X A: b", "\"X A\" is not a valid header name"},
                                {"X-A\x7f: b", "\"X-A\\x7F\" is not a valid header name"},
                                {"X-A: b\r\nX-Injected: 1", "the value holds CR, LF or NUL"},
                                {"X-A: b\nc", "the value holds CR, LF or NUL"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.header);
    TempDir dir;
    const auto path = dir.file("sent.jsonl");
    Receiver rx;
    const auto r = send("stripe", "invoice.paid", rx.url(), {"-H", c.header, "--save", path});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_TRUE(one_line(r.err)) << r.describe();
    EXPECT_TRUE(starts_with(r.err, "hooktool: -H '")) << r.err;
    EXPECT_TRUE(contains(r.err, "': " + c.says)) << r.err;
    EXPECT_FALSE(contains(r.err, "\r")) << "raw CR on stderr";
    EXPECT_EQ(rx.count(), 0u) << "sent a header that cannot be sent";
    EXPECT_FALSE(fs::exists(path)) << read_file(path);
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // The same parser serves replay's -H.
  TempDir dir;
  const auto path = dir.file("sent.jsonl");
  Receiver rx;
  ASSERT_EQ(send("stripe", "invoice.paid", rx.url(), {"--save", path}).exit_code, 0);
  const auto r = e2e::hooktool({"replay", path, "--to", rx.url(), "-H", "X(A): b"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_TRUE(contains(r.err, "-H 'X(A): b': \"X(A)\" is not a valid header name")) << r.err;
  EXPECT_EQ(rx.count(), 1u) << "replay sent a header that cannot be sent";
}

// ---------------------------------------------------------------------------------------
// 9. Bad input: exit code 2 (or 1 for delivery failures) and one line on stderr.

struct BadInput {
  std::string name;
  std::vector<std::string> args; // after "send"; "{URL}" is replaced with the receiver URL
  int exit_code;
};

void PrintTo(const BadInput& c, std::ostream* os) {
  *os << c.name;
}

class SendBadInput : public testing::TestWithParam<BadInput> {};

TEST_P(SendBadInput, ExitsWithOneLineOnStderr) {
  const auto& c = GetParam();
  Receiver rx;
  std::vector<std::string> args{"send"};
  for (const auto& a : c.args)
    args.push_back(a == "{URL}" ? rx.url() : a);
  const auto r = e2e::hooktool(args);
  EXPECT_EQ(r.exit_code, c.exit_code) << r.describe();
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(one_line(r.err)) << r.describe();
  EXPECT_EQ(rx.count(), 0u) << "nothing may be sent on a usage error";
  EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SendBadInput,
    testing::Values(
        BadInput{"UnknownProvider", {"nope", "invoice.paid", "--to", "{URL}", "--secret", "s"}, 2},
        BadInput{"UnknownEvent", {"stripe", "invoice.nope", "--to", "{URL}", "--secret", "s"}, 2},
        BadInput{"MalformedSet",
                 {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--set", "data.x"},
                 2},
        BadInput{
            "UnclosedIpv6", {"stripe", "invoice.paid", "--to", "http://[::1", "--secret", "s"}, 2},
        BadInput{"FtpScheme", {"stripe", "invoice.paid", "--to", "ftp://x", "--secret", "s"}, 2},
        BadInput{
            "BadPort", {"stripe", "invoice.paid", "--to", "127.0.0.1:99999", "--secret", "s"}, 2},
        BadInput{
            "MissingSecretFile",
            {"stripe", "invoice.paid", "--to", "{URL}", "--secret-file", "/nonexistent/secret"},
            2},
        BadInput{"BadBackoff",
                 {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--backoff", "xyz"},
                 2},
        BadInput{"UnknownFlag",
                 {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--frobnicate"},
                 2},
        BadInput{"MissingTo", {"stripe", "invoice.paid", "--secret", "s"}, 2},
        BadInput{"BadTamperMode",
                 {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--tamper", "nope"},
                 2},
        BadInput{"BadExpect",
                 {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--expect", "abc"},
                 2},
        BadInput{
            "HeaderWithoutColon",
            {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--header", "NoColon"},
            2},
        BadInput{"MissingDataFile",
                 {"stripe", "invoice.paid", "--to", "{URL}", "--secret", "s", "--data",
                  "@/nonexistent/payload.json"},
                 2},
        BadInput{"StandardNonBase64Secret",
                 {"standard", "user.created", "--to", "{URL}", "--secret", "whsec_***"},
                 2},
        BadInput{"SvixNonBase64Secret",
                 {"svix", "user.created", "--to", "{URL}", "--secret", "whsec_not base64!"},
                 2}),
    [](const testing::TestParamInfo<BadInput>& p) { return p.param.name; });

TEST(SendFailure, UnreachableHostExits1AndSaysWhy) {
  // Port 1 on loopback: nothing listens there (connection refused).
  const auto r = send("stripe", "invoice.paid", "127.0.0.1:1", {"--timeout", "5"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_FALSE(r.timed_out);
  const auto all = r.out + r.err;
  EXPECT_TRUE(contains(all, "ERR") || contains(all, "onnect") || contains(all, "refused") ||
              contains(all, "fail"))
      << r.describe();
}

TEST(SendFailure, UnreachableHostJsonReportsError) {
  const auto r = send("stripe", "invoice.paid", "127.0.0.1:1", {"--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const auto j = parse_json_or_fail(lines[0]);
  EXPECT_TRUE(j.at("status").is_null()) << lines[0];
  EXPECT_EQ(j.at("ok"), false);
}

TEST(SendFailure, TimeoutAgainstSlowHandlerExits1) {
  Receiver rx;
  // The handler holds /slow until teardown releases it (at most 3 s).
  rx.hold_path("/slow", std::chrono::milliseconds(3000));
  const auto r = send("stripe", "invoice.paid", rx.url("/slow"), {"--timeout", "0.2"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_LT(r.elapsed.count(), 2000) << "--timeout 0.2 was not honoured";
  EXPECT_EQ(rx.count(), 1u);
  EXPECT_TRUE(contains(r.out + r.err, "imeout") || contains(r.out + r.err, "timed out"))
      << r.describe();
  rx.release();
}

TEST(SendFailure, TimeoutRetriesThenFails) {
  Receiver rx;
  rx.hold_path("/slow", std::chrono::milliseconds(3000));
  const auto r = send("stripe", "invoice.paid", rx.url("/slow"),
                      {"--timeout", "0.2", "--retries", "1", "--backoff", "1ms", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  ASSERT_TRUE(rx.wait_for(2, std::chrono::seconds(2)));
  EXPECT_EQ(rx.count(), 2u);
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const auto j = parse_json_or_fail(lines[0]);
  EXPECT_EQ(j.at("attempts"), 2);
  EXPECT_EQ(j.at("ok"), false);
  rx.release();
}

TEST(SendTargets, ShortFormsReachTheReceiver) {
  Receiver rx;
  const auto port = std::to_string(rx.port());
  // host:port/path
  ASSERT_EQ(send("github", "ping", "127.0.0.1:" + port + "/a/b").exit_code, 0);
  // http(s)://host:port/path with a query
  ASSERT_EQ(send("github", "ping", "http://127.0.0.1:" + port + "/c?x=1&y=two").exit_code, 0);
  // ":port" means this machine
  ASSERT_EQ(send("github", "ping", ":" + port).exit_code, 0);
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].path, "/");
  EXPECT_EQ(reqs[0].path, "/a/b");
  EXPECT_EQ(reqs[1].path, "/c");
  EXPECT_EQ(reqs[1].query, "x=1&y=two");
}

} // namespace

} // namespace e2e_send
