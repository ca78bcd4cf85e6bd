// core::explain_mismatch: each mistake class per scheme family (Stripe-style t=,v1=, GitHub
// sha256 hex, Svix base64 with whsec_, Twilio URL-signed, a form body), the secret never in
// the text, the candidate bound and the large-body path.
#include "core/mismatch.hpp"
#include "crypto/crypto.hpp"
#include "providers/registry.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using namespace hooktool;
using model::VerdictStatus;

namespace {

constexpr std::int64_t kNow = 1764065326;
const std::string kStripeSecret = "whsec_5f2b8c1d9e0a47b3a6c2d8e1f0b9a7c6";
const std::string kPretty = "{\n  \"id\": \"evt_1\",\n  \"type\": \"invoice.paid\",\n  \"data\": "
                            "{\n    \"object\": {\n      \"amount_paid\": 2000,\n      \"note\": "
                            "\"Zoë/ok\"\n    }\n  }\n}";

struct Delivery {
  std::unique_ptr<providers::Provider> provider;
  model::HttpRequest req;
  providers::VerifyParams params;
};

// A delivery whose signature was made over signed_body with signed_secret (at ts, for url),
// received as sent_body and verified with secret against urls.
Delivery make(const std::string& id, const std::string& signed_body, const std::string& sent_body,
              const std::string& signed_secret, const std::string& secret,
              providers::BodyFormat format = providers::BodyFormat::json,
              const std::string& signed_url = "https://hooks.example.com/in",
              std::vector<std::string> urls = {"https://hooks.example.com/in"},
              std::int64_t ts = kNow) {
  Delivery d{providers::make_provider(id), {}, {}};
  d.req.method = "POST";
  d.req.url = signed_url;
  d.req.headers =
      d.provider->envelope({.event = "invoice.paid", .format = format, .timestamp = ts});
  d.req.body = signed_body;
  providers::SignParams sp;
  sp.secret = signed_secret;
  sp.timestamp = ts;
  sp.signing_url = signed_url;
  d.provider->sign(d.req, sp);
  d.req.body = sent_body;
  d.params.secret = secret;
  d.params.now = kNow;
  d.params.urls = std::move(urls);
  return d;
}

model::Verdict explain(const Delivery& d, const std::vector<core::AlternateSecret>& others = {}) {
  return core::explain_mismatch(*d.provider, d.req, d.params, d.provider->verify(d.req, d.params),
                                others);
}

std::string compact(const std::string& body) {
  return nlohmann::ordered_json::parse(body).dump();
}

// Neither the secret nor any 8 characters of it appear in text.
void expect_no_secret(const std::string& text, const std::string& secret) {
  for (std::size_t i = 0; i + 8 <= secret.size(); ++i)
    EXPECT_EQ(text.find(secret.substr(i, 8)), std::string::npos) << text;
}

} // namespace

TEST(Mismatch, StripeCompactBodyIsNamedExactly) {
  const auto d = make("stripe", compact(kPretty), kPretty, kStripeSecret, kStripeSecret);
  const auto v = explain(d);
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_EQ(v.reason, "signature does not match; it matches the body re-serialised compactly "
                      "(the sender parsed and re-encoded the JSON before signing)");
}

TEST(Mismatch, StripeSortedPrettyPythonPhpAndEscapedBodies) {
  const auto doc = nlohmann::ordered_json::parse(kPretty);
  const nlohmann::json sorted = nlohmann::json::parse(kPretty);
  const std::vector<std::pair<std::string, std::string>> cases{
      {sorted.dump(), "re-serialised with its keys sorted"},
      {doc.dump(4, ' ', true), "pretty-printed with 4-space indents, as Python's json.dumps"},
      {"{\"id\": \"evt_1\", \"type\": \"invoice.paid\", \"data\": {\"object\": {\"amount_paid\": "
       "2000, \"note\": \"Zo\\u00eb/ok\"}}}",
       "re-encoded as Python's json.dumps writes it by default"},
      {doc.dump(-1, ' ', true), "re-serialised compactly with non-ASCII escaped as \\uXXXX"},
      {"{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"amount_paid\":2000,"
       "\"note\":\"Zo\\u00eb\\/ok\"}}}",
       "re-encoded as PHP's json_encode"},
  };
  for (const auto& [signed_body, expected] : cases) {
    const auto v = explain(make("stripe", signed_body, kPretty, kStripeSecret, kStripeSecret));
    EXPECT_NE(v.reason.find("; it matches the body " + expected), std::string::npos) << v.reason;
  }
  // 2-space pretty printing, received compact.
  const auto compact_body = doc.dump();
  const auto v = explain(make("stripe", doc.dump(2), compact_body, kStripeSecret, kStripeSecret));
  EXPECT_NE(v.reason.find("2-space indents, as JSON.stringify"), std::string::npos) << v.reason;
}

TEST(Mismatch, StripeTrailingNewlineEitherWay) {
  auto v = explain(make("stripe", kPretty + "\n", kPretty, kStripeSecret, kStripeSecret));
  EXPECT_NE(v.reason.find("it matches the body with a trailing newline added"), std::string::npos)
      << v.reason;
  v = explain(make("stripe", kPretty, kPretty + "\n", kStripeSecret, kStripeSecret));
  EXPECT_NE(v.reason.find("it matches the body without its trailing newline"), std::string::npos)
      << v.reason;
}

TEST(Mismatch, StripeSecretPrefixDroppedOrAddedAndNewline) {
  const auto bare = kStripeSecret.substr(6);
  auto v = explain(make("stripe", kPretty, kPretty, bare, kStripeSecret));
  EXPECT_EQ(v.reason, "signature does not match; it matches the secret without its whsec_ prefix "
                      "(Stripe keys the HMAC with the whole whsec_ string)");
  v = explain(make("stripe", kPretty, kPretty, kStripeSecret, bare));
  EXPECT_NE(v.reason.find("it matches the secret with a whsec_ prefix"), std::string::npos)
      << v.reason;
  v = explain(make("stripe", kPretty, kPretty, kStripeSecret + "\n", kStripeSecret));
  EXPECT_NE(v.reason.find("it matches the secret with a trailing newline"), std::string::npos)
      << v.reason;
  v = explain(make("stripe", kPretty, kPretty, kStripeSecret, kStripeSecret + "\n"));
  EXPECT_NE(v.reason.find("it matches the secret without its surrounding whitespace"),
            std::string::npos)
      << v.reason;
  expect_no_secret(v.reason, bare);
}

TEST(Mismatch, MatchOutsideTheWindowSaysBoth) {
  const auto d = make("stripe", compact(kPretty), kPretty, kStripeSecret, kStripeSecret,
                      providers::BodyFormat::json, "https://hooks.example.com/in",
                      {"https://hooks.example.com/in"}, kNow - 3600);
  const auto v = explain(d);
  EXPECT_NE(v.reason.find("re-serialised compactly"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("; it is also expired: signed 1 h ago (tolerance 5 min)"),
            std::string::npos)
      << v.reason;
}

TEST(Mismatch, NothingMatchesListsWhatWasTriedWithoutTheSecret) {
  const auto other = "whsec_0000aaaa1111bbbb2222cccc3333dddd";
  const auto v = explain(make("stripe", kPretty, kPretty, other, kStripeSecret));
  EXPECT_EQ(v.status, VerdictStatus::invalid);
  EXPECT_EQ(v.reason,
            "signature does not match (tried: trailing newline, compact/sorted/4-space/"
            "Python-style/ASCII-escaped/PHP-style body, secret without whsec_, secret with a "
            "trailing newline; none matches: wrong secret, or the body was altered)");
  expect_no_secret(v.reason, kStripeSecret.substr(6));
  expect_no_secret(v.reason, std::string(other).substr(6));
}

TEST(Mismatch, AnotherConfiguredSecretIsNamedNotPrinted) {
  const std::string dev = "whsec_9999eeee8888ffff7777aaaa6666bbbb";
  const auto v = explain(make("stripe", kPretty, kPretty, dev, kStripeSecret),
                         {{dev, "hooktool's development secret for stripe"}});
  EXPECT_EQ(v.reason, "signature does not match; it matches hooktool's development secret for "
                      "stripe instead");
  expect_no_secret(v.reason, dev.substr(6));
}

TEST(Mismatch, GithubSecretDecodedAndOtherAlgorithm) {
  const std::string hex = "00ff10ab9c8d7e6f5a4b3c2d1e0f";
  const std::string raw("\x00\xff\x10\xab\x9c\x8d\x7e\x6f\x5a\x4b\x3c\x2d\x1e\x0f", 14);
  auto v = explain(make("github", kPretty, kPretty, raw, hex));
  EXPECT_NE(v.reason.find("it matches the secret hex-decoded"), std::string::npos) << v.reason;
  expect_no_secret(v.reason, hex);
  const std::string b64 = crypto::base64_encode("raw key bytes!");
  v = explain(make("github", kPretty, kPretty, "raw key bytes!", b64));
  EXPECT_NE(v.reason.find("it matches the secret base64-decoded"), std::string::npos) << v.reason;

  auto d = make("github", kPretty, kPretty, "s3cret-token", "s3cret-token");
  model::set_header(
      d.req.headers, "X-Hub-Signature-256",
      "sha256=" + crypto::to_hex(crypto::hmac(crypto::Digest::sha1, "s3cret-token", kPretty)));
  v = explain(d);
  EXPECT_EQ(v.reason, "signature does not match; it matches the right input signed with "
                      "HMAC-SHA1 instead (the sender used the scheme's other algorithm)");
  v = explain(make("github", compact(kPretty), kPretty, "s3cret-token", "s3cret-token"));
  EXPECT_NE(v.reason.find("re-serialised compactly"), std::string::npos) << v.reason;
}

TEST(Mismatch, SvixSecretTextInsteadOfBase64Key) {
  const std::string secret = "whsec_" + crypto::base64_encode("0123456789abcdef01234567");
  const auto as_text = [](const std::string& text) {
    return "whsec_" + crypto::base64_encode(text); // a whsec_ secret whose key is text's bytes
  };
  auto v = explain(make("svix", kPretty, kPretty, as_text(secret), secret));
  EXPECT_NE(v.reason.find("it matches the whole secret text, whsec_ included, as the HMAC key"),
            std::string::npos)
      << v.reason;
  v = explain(make("svix", kPretty, kPretty, as_text(secret.substr(6)), secret));
  EXPECT_NE(v.reason.find("it matches the secret after whsec_ as text"), std::string::npos)
      << v.reason;
  expect_no_secret(v.reason, secret.substr(6));
  v = explain(make("svix", compact(kPretty), kPretty, secret, secret));
  EXPECT_NE(v.reason.find("re-serialised compactly"), std::string::npos) << v.reason;
}

TEST(Mismatch, TwilioWrongUrlVariants) {
  const std::string form = "CallSid=CA1&From=%2B15550001&To=%2B15550002";
  const auto form_fmt = providers::BodyFormat::form;
  const std::string token = "0123456789abcdef0123456789abcdef";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"http://hooks.example.com/in", "(http, not https: the sender signed another URL)"},
      {"https://hooks.example.com/in/", "(with a trailing slash: the sender signed another URL)"},
  };
  for (const auto& [signed_url, expected] : cases) {
    const auto v = explain(make("twilio", form, form, token, token, form_fmt, signed_url));
    EXPECT_EQ(v.reason, "signature does not match for https://hooks.example.com/in; it matches "
                        "the URL " +
                            signed_url + " " + expected)
        << v.reason;
  }
  auto v = explain(make("twilio", form, form, token, token, form_fmt,
                        "https://hooks.example.com/in", {"https://hooks.example.com/in?x=1"}));
  EXPECT_NE(v.reason.find("without the query string"), std::string::npos) << v.reason;
  auto d = make("twilio", form, form, token, token, form_fmt, "https://public.example.net/in",
                {"http://127.0.0.1:3000/in"});
  model::set_header(d.req.headers, "X-Forwarded-Host", "public.example.net");
  model::set_header(d.req.headers, "X-Forwarded-Proto", "https");
  v = explain(d);
  EXPECT_NE(v.reason.find("it matches the URL https://public.example.net/in (the forwarded host"),
            std::string::npos)
      << v.reason;
  expect_no_secret(v.reason, token);
}

TEST(Mismatch, FormBodyReEncodedOrSorted) {
  const std::string sent = "token=abc&text=hello+world&user_id=U1";
  auto v = explain(make("slack", "token=abc&text=hello%20world&user_id=U1", sent, "slack-secret",
                        "slack-secret", providers::BodyFormat::form));
  EXPECT_NE(v.reason.find("it matches the form body re-encoded with %20 for spaces"),
            std::string::npos)
      << v.reason;
  v = explain(make("slack", "text=hello+world&token=abc&user_id=U1", sent, "slack-secret",
                   "slack-secret", providers::BodyFormat::form));
  EXPECT_NE(v.reason.find("it matches the form body with its parameters sorted by name"),
            std::string::npos)
      << v.reason;
}

TEST(Mismatch, OnlySignatureMismatchesAreExplained) {
  auto d = make("stripe", kPretty, kPretty, kStripeSecret, kStripeSecret);
  EXPECT_EQ(explain(d).status, VerdictStatus::valid);
  EXPECT_EQ(explain(d).reason, "");
  model::set_header(d.req.headers, "Stripe-Signature", "garbage");
  const auto v = explain(d);
  EXPECT_EQ(v.reason, "malformed Stripe-Signature header: no t= timestamp");
}

TEST(Mismatch, LargeBodiesAreNotReSerialised) {
  std::string big =
      "{\n  \"data\": \"" + std::string(core::kMismatchMaxReserialiseBytes, 'x') + "\"\n}";
  auto v = explain(make("stripe", compact(big), big, kStripeSecret, kStripeSecret));
  EXPECT_NE(v.reason.find("; body over 1 MiB: not re-serialised"), std::string::npos)
      << v.reason.substr(0, 300);
  EXPECT_EQ(v.reason.find("compact"), std::string::npos) << v.reason.substr(0, 300);
  // The secret forms are still tried.
  v = explain(make("stripe", big, big, kStripeSecret.substr(6), kStripeSecret));
  EXPECT_NE(v.reason.find("without its whsec_ prefix"), std::string::npos);
}

TEST(Mismatch, AtMostAFixedNumberOfCandidates) {
  const std::string form = "CallSid=CA1";
  const std::string token = "0123456789abcdef0123456789abcdef";
  std::vector<std::string> urls;
  for (int i = 0; i < 20; ++i)
    urls.push_back("https://h" + std::to_string(i) + ".example.com/in?q=1");
  const auto v = explain(make("twilio", form, form, token, "ffff" + token.substr(4),
                              providers::BodyFormat::form, "https://elsewhere.example.com/", urls));
  EXPECT_NE(v.reason.find("; the first " + std::to_string(core::kMismatchMaxCandidates) + " of "),
            std::string::npos)
      << v.reason;
}

TEST(Mismatch, SquareUrlAndBodySignedTogether) {
  const std::string key = "AbCdEfGhIjKlMnOpQrStUv";
  auto v = explain(make("square", kPretty, kPretty, key, key, providers::BodyFormat::json,
                        "https://hooks.example.com/in", {"https://hooks.example.com:8443/in"}));
  EXPECT_EQ(v.reason, "signature does not match for https://hooks.example.com:8443/in; it matches "
                      "the URL https://hooks.example.com/in (without the port: the sender signed "
                      "another URL)");
  v = explain(make("square", compact(kPretty), kPretty, key, key));
  EXPECT_NE(v.reason.find("it matches the body re-serialised compactly"), std::string::npos)
      << v.reason;
  expect_no_secret(v.reason, key);
}
