// The body drill (`send --tamper body`, `check rejects-tampered-body`) must break the signature
// without giving a handler any other reason to refuse: the event type and id stay as signed,
// exactly one byte changes, and the drill says which.
#include "core/fixtures.hpp"
#include "core/tamper.hpp"
#include "fixture_delivery.hpp"
#include "providers/registry.hpp"

#include <gtest/gtest.h>
#include <set>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace suite_tamper {

namespace {

using hooktool::core::Tamper;
namespace providers = hooktool::providers;

constexpr std::int64_t kTs = 1764065326;
const std::string kUrl = "http://127.0.0.1:3000/webhooks";

std::size_t differing_bytes(const std::string& a, const std::string& b) {
  if (a.size() != b.size())
    return static_cast<std::size_t>(-1);
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    n += a[i] != b[i] ? 1 : 0;
  return n;
}

// Every fixture of every provider: one byte changed, inside a nested value where there is
// one, event type and id as read back before the drill, and the signature no longer valid.
TEST(TamperBody, EveryFixtureKeepsTypeAndIdAndBreaksTheSignature) {
  const hooktool::core::FixtureStore store;
  int checked = 0;
  std::set<std::string> uncovered;
  for (const auto& p : providers::all_providers()) {
    const auto secret = p->generate_secret();
    for (const auto& f : store.list(p->fixture_family())) {
      SCOPED_TRACE(std::string(p->id()) + " " + f.event);
      auto signed_delivery = test::compose_fixture(*p, f.event, secret, kTs, kUrl);
      auto req = signed_delivery.request;
      const auto before = p->event_info(req);
      providers::VerifyParams params;
      params.secret = p->asymmetric() ? p->verifying_key(secret) : secret;
      params.now = kTs;
      params.urls = {req.url};
      ASSERT_EQ(p->verify(req, params).status, hooktool::model::VerdictStatus::valid);
      const auto result = hooktool::core::tamper_body(req, *p, &params);
      if (!result.changed) {
        // Only schemes whose signature does not cover the body may decline, and say so.
        EXPECT_EQ(req.body, signed_delivery.request.body);
        EXPECT_NE(result.note.find("not covered"), std::string::npos);
        uncovered.insert(std::string(p->id()));
        continue;
      }
      const auto after = p->event_info(req);
      EXPECT_EQ(after.type, before.type);
      EXPECT_EQ(after.id, before.id);
      if (req.body.size() == signed_delivery.request.body.size()) {
        EXPECT_EQ(differing_bytes(req.body, signed_delivery.request.body), 1U);
        EXPECT_NE(result.note.find("(" + result.path + ")"), std::string::npos) << result.note;
        EXPECT_NE(result.note.find("body byte " + std::to_string(result.offset)),
                  std::string::npos);
      } else {
        EXPECT_EQ(req.body.substr(0, req.body.size() - 1), signed_delivery.request.body);
        EXPECT_NE(result.note.find("appended"), std::string::npos);
      }
      EXPECT_NE(p->verify(req, params).status, hooktool::model::VerdictStatus::valid);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  // Mailgun signs a timestamp and token, GitLab sends a shared token: nothing else declines.
  EXPECT_EQ(uncovered, (std::set<std::string>{"gitlab", "mailgun"}));
}

// The case the drill got wrong: the last letter of a Stripe body is in `type`. The tampered
// byte must now sit inside data.object, never in the envelope.
TEST(TamperBody, StripeChangesAValueInsideDataObject) {
  const auto p = providers::make_provider("stripe");
  for (const std::string event : {"invoice.paid", "invoice.payment_failed",
                                  "customer.subscription.created", "charge.refunded"}) {
    SCOPED_TRACE(event);
    const auto composed =
        test::compose_fixture(*p, event, "whsec_dGVzdA==", kTs, kUrl, Tamper::body);
    EXPECT_EQ(composed.tamper_note.rfind("body byte ", 0), 0U) << composed.tamper_note;
    EXPECT_NE(composed.tamper_note.find("(data.object."), std::string::npos)
        << composed.tamper_note;
    EXPECT_EQ(composed.info.type, event);
  }
}

TEST(TamperBody, FormBodyChangesAFieldValueNotAStatus) {
  hooktool::model::HttpRequest req;
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  req.body = "SmsStatus=received&Body=Hello%20there&MessageSid=SM123";
  const auto p = providers::make_provider("twilio");
  const auto result = hooktool::core::tamper_body(req, *p);
  EXPECT_EQ(result.path, "Body");
  EXPECT_EQ(req.body, "SmsStatus=received&Body=Hello%20therE&MessageSid=SM123");
}

TEST(TamperBody, NumbersStayValidJson) {
  hooktool::model::HttpRequest req;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = R"({"type":"x","data":{"object":{"id":"a_1","amount":9,"total":19.5e2}}})";
  const auto p = providers::make_provider("stripe");
  const auto result = hooktool::core::tamper_body(req, *p);
  EXPECT_EQ(result.path, "data.object.amount");
  EXPECT_EQ(req.body, R"({"type":"x","data":{"object":{"id":"a_1","amount":8,"total":19.5e2}}})");
}

TEST(TamperBody, NothingToChangeAppendsASpace) {
  hooktool::model::HttpRequest req;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = R"({"id":"evt_1","type":"ping"})";
  const auto p = providers::make_provider("stripe");
  const auto result = hooktool::core::tamper_body(req, *p);
  EXPECT_EQ(req.body, R"({"id":"evt_1","type":"ping"} )");
  EXPECT_NE(result.note.find("space appended"), std::string::npos);
}

TEST(TamperBody, EscapesAreNeverSplit) {
  hooktool::model::HttpRequest req;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = R"({"a":{"description":"\u00e9\n1"}})";
  const auto p = providers::make_provider("stripe");
  (void)hooktool::core::tamper_body(req, *p);
  EXPECT_EQ(req.body, R"({"a":{"description":"\u00e9\n2"}})");
}

} // namespace

} // namespace suite_tamper
