// End-to-end tests for `hooktool check`: the report card is run against hooktool_test_handler
// (tests/handlers/flawed_handler.cpp), a loopback handler that is either correct or flawed in
// one deliberate way. The correct one must pass every check for every provider; each flawed one
// must be caught by exactly the check(s) meant for it, every other check keeping its PASS/SKIP.
// Side effects are observed through --probe 'cat STATEFILE' (the handler's processed counter).

#include "background.hpp"
#include "flawed_handler.hpp"
#include "process.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_check {

namespace {

using e2e::Background;
using e2e::ProcessResult;
using e2e::Stream;
using Json = nlohmann::json;

// Every check, in the order the battery runs them (hooktool check --list).
const std::vector<std::string> kChecks{
    "accepts-valid",
    "rejects-wrong-signature",
    "rejects-tampered-body",
    "rejects-missing-signature",
    "rejects-malformed-signature",
    "rejects-stale-timestamp",
    "rejects-future-timestamp",
    "verifies-raw-bytes",
    "accepts-unknown-event",
    "handles-duplicate",
    "handles-concurrent-duplicates",
};

// The checks a provider's card has: answers-handshake only where the provider has a handshake.
std::vector<std::string> checks_for(const std::string& provider) {
  auto out = kChecks;
  if (provider == "slack" || provider == "zoom" || provider == "twitch" || provider == "discord")
    out.insert(out.begin() + 1, "answers-handshake");
  return out;
}

const std::vector<std::string> kProviders{"stripe", "github",   "shopify", "twilio",
                                          "slack",  "standard", "svix",    "generic"};

// A secret each provider's scheme accepts.
std::string secret_for(const std::string& provider) {
  if (provider == "stripe")
    return "whsec_e2eCheckStripeSecret0123456789";
  if (provider == "standard" || provider == "svix")
    return "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // base64 after whsec_
  if (provider == "twilio")
    return "0123456789abcdef0123456789abcdef"; // an Auth Token: 32 hex characters
  return "e2e-check-secret-" + provider;
}

// The checks that do not apply to a provider's scheme (SKIP) with the default fixture.
std::set<std::string> skipped_for(const std::string& provider) {
  std::set<std::string> out;
  if (provider == "github" || provider == "shopify" || provider == "twilio" ||
      provider == "generic")
    out.insert({"rejects-stale-timestamp", "rejects-future-timestamp"}); // no signed timestamp
  if (provider == "twilio")
    out.insert({"verifies-raw-bytes", "accepts-unknown-event"}); // form body, no event type
  return out;
}

bool timestamped(const std::string& provider) {
  return !skipped_for(provider).contains("rejects-stale-timestamp");
}

// Stripe's and Slack's libraries bound only the past: accepting a future timestamp is what a
// handler built on them does, so it PASSes (saying so).
bool past_only_window(const std::string& provider) {
  return provider == "stripe" || provider == "slack";
}

// The card a correct handler gets: PASS, or SKIP where the check does not apply.
std::map<std::string, std::string> baseline(const std::string& provider) {
  std::map<std::string, std::string> out;
  const auto skips = skipped_for(provider);
  for (const auto& c : checks_for(provider))
    out[c] = skips.contains(c) ? "SKIP" : "PASS";
  return out;
}

// hooktool_test_handler with the provider's test secret; --probe reads its counter.
class TestHandler : public e2e::FlawedHandler {
public:
  TestHandler(const std::string& mode, const std::string& provider, int delay_ms = 0)
      : FlawedHandler(mode, provider, secret_for(provider), delay_ms) {}
};

// A parsed `hooktool check --json` run.
struct Card {
  ProcessResult run;
  std::vector<std::string> order;    // check names in output order
  std::map<std::string, Json> lines; // check name -> its JSON object
  Json summary;                      // the "summary" object's contents
  std::string parse_error;           // empty when the output parsed as expected

  [[nodiscard]] std::string result(const std::string& check) const {
    const auto it = lines.find(check);
    return it == lines.end() ? "(absent)" : it->second.value("result", "(no result)");
  }
  [[nodiscard]] std::string evidence(const std::string& check) const {
    const auto it = lines.find(check);
    return it == lines.end() ? "" : it->second.value("evidence", "");
  }
  [[nodiscard]] std::map<std::string, std::string> outcomes() const {
    std::map<std::string, std::string> out;
    for (const auto& [name, j] : lines)
      out[name] = j.value("result", "(no result)");
    return out;
  }
};

Card parse_card(ProcessResult run) {
  Card card;
  card.run = std::move(run);
  const auto text = e2e::lines_of(card.run.out);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto j = Json::parse(text[i], nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      card.parse_error = "not a JSON object: " + text[i];
      return card;
    }
    if (j.contains("summary")) {
      if (i + 1 != text.size()) {
        card.parse_error = "the summary is not the last line";
        return card;
      }
      card.summary = j["summary"];
      continue;
    }
    const auto name = j.value("check", "");
    if (name.empty() || card.lines.contains(name)) {
      card.parse_error = "a line without a check name, or a repeated one: " + text[i];
      return card;
    }
    card.order.push_back(name);
    card.lines[name] = j;
  }
  if (card.summary.is_null())
    card.parse_error = "no summary line";
  return card;
}

// hooktool check PROVIDER --to … --secret … --json ARGS….
Card check_json(const std::string& provider, const std::string& to,
                const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"check", provider, "--to", to, "--secret", secret_for(provider),
                                "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  return parse_card(e2e::hooktool(args, std::chrono::seconds(30)));
}

// Runs the whole battery against h with its probe.
Card check_handler(const std::string& provider, const TestHandler& h,
                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"--probe", h.probe()};
  args.insert(args.end(), extra.begin(), extra.end());
  return check_json(provider, h.to(), args);
}

std::string show(const Card& card) {
  return card.run.describe() + (card.parse_error.empty() ? "" : "\nPARSE: " + card.parse_error);
}

std::string show(const Card& card, const TestHandler& h) {
  return show(card) + "\n--- handler ---\n" + h.describe();
}

// The card is well formed: one line per selected check in battery order, a summary whose counts
// match, advice exactly on FAIL/WARN, and an exit status that agrees with `ok`.
void expect_well_formed(const Card& card, const std::vector<std::string>& selected, bool strict,
                        const std::string& context) {
  ASSERT_TRUE(card.parse_error.empty()) << context;
  EXPECT_EQ(card.order, selected) << context;
  std::map<std::string, int> counts;
  for (const auto& [name, j] : card.lines) {
    const auto r = j.value("result", "");
    ++counts[r];
    EXPECT_TRUE(r == "PASS" || r == "FAIL" || r == "WARN" || r == "SKIP") << name << context;
    EXPECT_TRUE(j.contains("evidence") && j["evidence"].is_string()) << name << context;
    const bool flagged = r == "FAIL" || r == "WARN";
    EXPECT_EQ(j.contains("advice"), flagged) << name << " " << r << context;
    if (r == "SKIP") {
      EXPECT_FALSE(j.value("evidence", "").empty()) << name << ": SKIP without a reason" << context;
    }
  }
  EXPECT_EQ(card.summary.value("passed", -1), counts["PASS"]) << context;
  EXPECT_EQ(card.summary.value("failed", -1), counts["FAIL"]) << context;
  EXPECT_EQ(card.summary.value("warned", -1), counts["WARN"]) << context;
  EXPECT_EQ(card.summary.value("skipped", -1), counts["SKIP"]) << context;
  const bool ok = counts["FAIL"] == 0 && (!strict || counts["WARN"] == 0);
  EXPECT_EQ(card.summary.value("ok", !ok), ok) << context;
  EXPECT_EQ(card.run.exit_code, ok ? 0 : 1) << context;
}

// "probe A -> B" in a duplicate check's evidence: {A, B}.
std::optional<std::pair<double, double>> probe_values(const std::string& evidence) {
  static const std::regex kProbe(R"(probe (-?[0-9.]+) -> (-?[0-9.]+))");
  std::smatch m;
  if (!std::regex_search(evidence, m, kProbe))
    return std::nullopt;
  return std::make_pair(std::stod(m[1].str()), std::stod(m[2].str()));
}

// Every provider.
class CheckProviderTest : public ::testing::TestWithParam<std::string> {};
// Providers whose deliveries are compact JSON, which a re-serialising handler reproduces
// byte for byte (Stripe's are pretty-printed: see ReserializedHandlerOnStripe…; Twilio's are
// forms).
class CheckCompactJsonTest : public ::testing::TestWithParam<std::string> {};
// Providers whose deliveries carry an event type (Twilio's do not: the check is SKIP).
class CheckEventTypeTest : public ::testing::TestWithParam<std::string> {};

std::string provider_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

// ---- the correct handler passes everything ----------------------------------------------

TEST_P(CheckProviderTest, CorrectHandlerPassesEveryCheck) {
  const auto provider = GetParam();
  TestHandler h("correct", provider);
  for (const bool strict : {false, true}) {
    const auto card =
        strict ? check_handler(provider, h, {"--strict"}) : check_handler(provider, h);
    const auto context = "\n" + provider + (strict ? " --strict" : "") + "\n" + show(card, h);
    expect_well_formed(card, checks_for(provider), strict, context);
    EXPECT_EQ(card.outcomes(), baseline(provider)) << context;
    EXPECT_EQ(card.run.exit_code, 0) << context;
    EXPECT_EQ(card.summary.value("ok", false), true) << context;
    EXPECT_EQ(card.summary.value("provider", ""), provider) << context;
    // Duplicates: each batch of copies is one delivery's worth of side effects.
    for (const auto* name : {"handles-duplicate", "handles-concurrent-duplicates"}) {
      const auto probe = probe_values(card.evidence(name));
      ASSERT_TRUE(probe) << name << context;
      EXPECT_EQ(probe->second - probe->first, 1.0) << name << context;
    }
  }
}

// ---- flawed handlers: each caught by exactly its check(s) -------------------------------

// Never verifies: every forgery is accepted; nothing else is wrong.
TEST_P(CheckProviderTest, NoVerifyHandlerFailsTheSignatureChecks) {
  const auto provider = GetParam();
  TestHandler h("no-verify", provider);
  const auto card = check_handler(provider, h);
  const auto context = "\n" + provider + "\n" + show(card, h);
  expect_well_formed(card, checks_for(provider), false, context);
  auto expected = baseline(provider);
  for (const auto* name : {"rejects-wrong-signature", "rejects-tampered-body",
                           "rejects-missing-signature", "rejects-malformed-signature"})
    expected[name] = "FAIL";
  if (timestamped(provider)) {
    expected["rejects-stale-timestamp"] = "FAIL";
    expected["rejects-future-timestamp"] = past_only_window(provider) ? "PASS" : "FAIL";
  }
  if (expected["verifies-raw-bytes"] != "SKIP")
    expected["verifies-raw-bytes"] = "FAIL"; // it accepts the re-serialised signature too
  EXPECT_EQ(card.outcomes(), expected) << context;
  EXPECT_EQ(card.run.exit_code, 1) << context;
  EXPECT_NE(card.evidence("rejects-wrong-signature").find("200"), std::string::npos) << context;
  EXPECT_NE(
      card.evidence("rejects-wrong-signature").find("accepted a delivery with a wrong signature"),
      std::string::npos)
      << context;
}

// Verifies re-serialised JSON: only verifies-raw-bytes can tell.
TEST_P(CheckCompactJsonTest, ReserializedHandlerFailsOnlyRawBytes) {
  const auto provider = GetParam();
  TestHandler h("reserialized", provider);
  const auto card = check_handler(provider, h);
  const auto context = "\n" + provider + "\n" + show(card, h);
  expect_well_formed(card, checks_for(provider), false, context);
  auto expected = baseline(provider);
  expected["verifies-raw-bytes"] = "FAIL";
  EXPECT_EQ(card.outcomes(), expected) << context;
  EXPECT_EQ(card.run.exit_code, 1) << context;
  EXPECT_NE(
      card.evidence("verifies-raw-bytes").find("accepted a signature made over re-serialised JSON"),
      std::string::npos)
      << context;
}

// Answers 500 to event types it does not know.
TEST_P(CheckEventTypeTest, Unknown500HandlerFailsOnlyUnknownEvent) {
  const auto provider = GetParam();
  TestHandler h("unknown-500", provider);
  const auto card = check_handler(provider, h);
  const auto context = "\n" + provider + "\n" + show(card, h);
  expect_well_formed(card, checks_for(provider), false, context);
  auto expected = baseline(provider);
  expected["accepts-unknown-event"] = "FAIL";
  EXPECT_EQ(card.outcomes(), expected) << context;
  EXPECT_EQ(card.run.exit_code, 1) << context;
  EXPECT_NE(card.evidence("accepts-unknown-event").find("500"), std::string::npos) << context;
}

// Processes every copy of a delivery: only the probe can see it.
TEST_P(CheckProviderTest, DoubleProcessingHandlerFailsTheDuplicateChecks) {
  const auto provider = GetParam();
  TestHandler h("double-process", provider);
  const auto card = check_handler(provider, h);
  const auto context = "\n" + provider + "\n" + show(card, h);
  expect_well_formed(card, checks_for(provider), false, context);
  auto expected = baseline(provider);
  expected["handles-duplicate"] = "FAIL";
  expected["handles-concurrent-duplicates"] = "FAIL";
  EXPECT_EQ(card.outcomes(), expected) << context;
  EXPECT_EQ(card.run.exit_code, 1) << context;
  const std::vector<std::pair<std::string, double>> copies{{"handles-duplicate", 2.0},
                                                           {"handles-concurrent-duplicates", 5.0}};
  for (const auto& [name, n] : copies) {
    const auto evidence = card.evidence(name);
    const auto probe = probe_values(evidence);
    ASSERT_TRUE(probe) << name << context;
    EXPECT_EQ(probe->second - probe->first, n) << name << context;
    EXPECT_NE(evidence.find("processed more than once"), std::string::npos) << name << context;
  }
}

INSTANTIATE_TEST_SUITE_P(Providers, CheckProviderTest, ::testing::ValuesIn(kProviders),
                         provider_name);
INSTANTIATE_TEST_SUITE_P(Providers, CheckCompactJsonTest,
                         ::testing::Values("github", "shopify", "slack", "standard", "svix",
                                           "generic"),
                         provider_name);
INSTANTIATE_TEST_SUITE_P(Providers, CheckEventTypeTest,
                         ::testing::Values("stripe", "github", "shopify", "slack", "standard",
                                           "svix", "generic"),
                         provider_name);

// Without --probe the duplicate checks can only see statuses: the double-processing handler
// answers 200 every time, so they PASS and say how to see more.
TEST(CheckTest, DoubleProcessingIsInvisibleWithoutProbe) {
  TestHandler h("double-process", "stripe");
  const auto card =
      check_json("stripe", h.to(), {"--only", "handles-duplicate,handles-concurrent-duplicates"});
  const auto context = "\n" + show(card, h);
  expect_well_formed(card, {"handles-duplicate", "handles-concurrent-duplicates"}, false, context);
  EXPECT_EQ(card.result("handles-duplicate"), "PASS") << context;
  EXPECT_EQ(card.result("handles-concurrent-duplicates"), "PASS") << context;
  EXPECT_NE(card.evidence("handles-duplicate").find("add --probe"), std::string::npos) << context;
}

// Stripe sends pretty-printed JSON, so a handler that re-serialises before verifying cannot
// verify a single genuine Stripe delivery: verifies-raw-bytes fails, and so does everything
// that needs a valid delivery accepted.
TEST(CheckTest, ReserializedHandlerOnStripeFailsRawBytesAndValidDeliveries) {
  TestHandler h("reserialized", "stripe");
  const auto card = check_handler("stripe", h);
  const auto context = "\n" + show(card, h);
  expect_well_formed(card, kChecks, false, context);
  auto expected = baseline("stripe");
  for (const auto* name : {"accepts-valid", "verifies-raw-bytes", "accepts-unknown-event",
                           "handles-duplicate", "handles-concurrent-duplicates"})
    expected[name] = "FAIL";
  EXPECT_EQ(card.outcomes(), expected) << context;
  EXPECT_NE(card.evidence("verifies-raw-bytes").find("(compact)"), std::string::npos) << context;
}

// No replay window: stale (and far-future) timestamps are accepted.
TEST(CheckTest, NoTimestampHandlerFailsOnlyTheTimestampChecks) {
  for (const std::string provider : {"stripe", "standard", "slack", "svix"}) {
    TestHandler h("no-timestamp", provider);
    const auto card = check_handler(provider, h);
    const auto context = "\n" + provider + "\n" + show(card, h);
    expect_well_formed(card, checks_for(provider), false, context);
    auto expected = baseline(provider);
    expected["rejects-stale-timestamp"] = "FAIL";
    expected["rejects-future-timestamp"] = past_only_window(provider) ? "PASS" : "FAIL";
    EXPECT_EQ(card.outcomes(), expected) << context;
    EXPECT_EQ(card.run.exit_code, 1) << context;
    EXPECT_NE(card.evidence("rejects-stale-timestamp").find("s old"), std::string::npos) << context;
  }
}

// Slow answers: a WARN on accepts-valid only; exit 0, but 1 with --strict.
TEST(CheckTest, SlowHandlerWarnsOnAcceptsValid) {
  TestHandler h("slow", "stripe", 300);
  const auto card = check_handler("stripe", h, {"--slow-after", "150"});
  const auto context = "\n" + show(card, h);
  expect_well_formed(card, kChecks, false, context);
  auto expected = baseline("stripe");
  expected["accepts-valid"] = "WARN";
  EXPECT_EQ(card.outcomes(), expected) << context;
  EXPECT_EQ(card.run.exit_code, 0) << context;
  EXPECT_NE(card.lines.at("accepts-valid").value("advice", "").find("acknowledge first"),
            std::string::npos)
      << context;

  const auto strict =
      check_handler("stripe", h, {"--slow-after", "150", "--strict", "--only", "accepts-valid"});
  const auto strict_context = "\n" + show(strict, h);
  expect_well_formed(strict, {"accepts-valid"}, true, strict_context);
  EXPECT_EQ(strict.result("accepts-valid"), "WARN") << strict_context;
  EXPECT_EQ(strict.summary.value("ok", true), false) << strict_context;
  EXPECT_EQ(strict.run.exit_code, 1) << strict_context;
}

// ---- selection, output format, errors ---------------------------------------------------

TEST(CheckTest, ListNamesEveryCheckInOrder) {
  const auto r = e2e::hooktool({"check", "--list"}, std::chrono::seconds(10));
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::vector<std::string> names;
  for (const auto& line : e2e::lines_of(r.out))
    names.push_back(line.substr(0, line.find(' ')));
  EXPECT_EQ(names, checks_for("slack")) << r.describe(); // every check, the handshake's too
}

TEST(CheckTest, OnlyAndSkipSelectChecks) {
  TestHandler h("correct", "github");
  {
    // Listed out of order and repeated as flags: the battery's order is kept.
    const auto card =
        check_json("github", h.to(), {"--only", "verifies-raw-bytes", "--only", "accepts-valid"});
    expect_well_formed(card, {"accepts-valid", "verifies-raw-bytes"}, false, show(card, h));
  }
  {
    const auto card = check_json("github", h.to(),
                                 {"--skip", "handles-duplicate,handles-concurrent-duplicates",
                                  "--skip", "rejects-stale-timestamp"});
    std::vector<std::string> rest;
    for (const auto& c : kChecks)
      if (c != "handles-duplicate" && c != "handles-concurrent-duplicates" &&
          c != "rejects-stale-timestamp")
        rest.push_back(c);
    expect_well_formed(card, rest, false, show(card, h));
  }
  {
    // --skip wins over --only.
    const auto card =
        check_json("github", h.to(),
                   {"--only", "accepts-valid,accepts-unknown-event", "--skip", "accepts-valid"});
    expect_well_formed(card, {"accepts-unknown-event"}, false, show(card, h));
  }
  // An unknown check name is a usage error, and nothing is sent.
  for (const auto* flag : {"--only", "--skip"}) {
    const auto card = check_json("github", h.to(), {flag, "accepts-valid,no-such-check"});
    EXPECT_EQ(card.run.exit_code, 2) << card.run.describe();
    EXPECT_NE(card.run.err.find("no-such-check"), std::string::npos) << card.run.describe();
    EXPECT_TRUE(card.run.out.empty()) << card.run.describe();
  }
}

TEST(CheckTest, JsonEndsWithSummaryObject) {
  TestHandler h("correct", "shopify");
  const auto card =
      check_json("shopify", h.to(), {"--only", "accepts-valid,rejects-stale-timestamp"});
  const auto context = "\n" + show(card, h);
  expect_well_formed(card, {"accepts-valid", "rejects-stale-timestamp"}, false, context);
  const auto last = Json::parse(e2e::lines_of(card.run.out).back());
  ASSERT_TRUE(last.contains("summary")) << context;
  EXPECT_EQ(last.size(), 1U) << context;
  const auto& s = last["summary"];
  EXPECT_EQ(s.value("provider", ""), "shopify") << context;
  EXPECT_EQ(s.value("url", ""), "http://" + h.to()) << context;
  EXPECT_EQ(s.value("passed", -1), 1) << context;
  EXPECT_EQ(s.value("skipped", -1), 1) << context;
  EXPECT_EQ(s.value("ok", false), true) << context;
  EXPECT_EQ(card.result("rejects-stale-timestamp"), "SKIP") << context;
  EXPECT_NE(card.evidence("rejects-stale-timestamp").find("signs no timestamp"), std::string::npos)
      << context;
}

TEST(CheckTest, HumanReportCard) {
  TestHandler h("no-verify", "stripe");
  const auto r =
      e2e::hooktool({"check", "stripe", "--to", h.to(), "--secret", secret_for("stripe"), "--only",
                     "accepts-valid,rejects-wrong-signature,rejects-future-timestamp", "--strict"},
                    std::chrono::seconds(30));
  const auto context = "\n" + r.describe() + "\n--- handler ---\n" + h.describe();
  EXPECT_EQ(r.exit_code, 1) << context;
  EXPECT_NE(r.out.find("hooktool check stripe"), std::string::npos) << context;
  EXPECT_NE(r.out.find("PASS  accepts-valid"), std::string::npos) << context;
  EXPECT_NE(r.out.find("FAIL  rejects-wrong-signature"), std::string::npos) << context;
  EXPECT_NE(r.out.find("PASS  rejects-future-timestamp"), std::string::npos) << context;
  EXPECT_NE(r.out.find("→ verify the signature over the raw body"), std::string::npos) << context;
  EXPECT_NE(r.out.find("2 passed, 1 failed, 0 warned, 0 skipped"), std::string::npos) << context;
}

// A handler built on Stripe's official library accepts future timestamps (the library bounds
// only the past): --strict must not fail it for that.
TEST(CheckTest, StrictPassesAHandlerThatAcceptsFutureTimestampsAsStripesLibraryDoes) {
  TestHandler h("no-timestamp", "stripe");
  const auto r = e2e::hooktool({"check", "stripe", "--to", h.to(), "--secret", secret_for("stripe"),
                                "--only", "accepts-valid,rejects-future-timestamp", "--strict"},
                               std::chrono::seconds(30));
  const auto context = "\n" + r.describe() + "\n--- handler ---\n" + h.describe();
  EXPECT_EQ(r.exit_code, 0) << context;
  EXPECT_NE(r.out.find("PASS  rejects-future-timestamp"), std::string::npos) << context;
  EXPECT_NE(r.out.find("as stripe's official library does (it bounds only the past)"),
            std::string::npos)
      << context;
}

TEST(CheckTest, ProbeThatPrintsNoNumberIsAUsageError) {
  TestHandler h("correct", "stripe");
  // The command line is wrong, not the handler: exit 2 before any delivery, and say why.
  const auto card = check_json("stripe", h.to(),
                               {"--probe", "echo no count here", "--only",
                                "accepts-valid,handles-duplicate,handles-concurrent-duplicates"});
  const auto context = "\n" + show(card, h);
  EXPECT_EQ(card.run.exit_code, 2) << context;
  EXPECT_TRUE(card.run.out.empty()) << context;
  EXPECT_NE(card.run.err.find("the probe printed no number"), std::string::npos) << context;
  EXPECT_NE(card.run.err.find("no count here"), std::string::npos) << context;

  // A probe that fails is reported with its status.
  const auto failing =
      check_json("stripe", h.to(), {"--probe", "exit 3", "--only", "handles-duplicate"});
  EXPECT_EQ(failing.run.exit_code, 2) << show(failing, h);
  EXPECT_NE(failing.run.err.find("status 3"), std::string::npos) << show(failing, h);
}

TEST(CheckTest, UnreachableHandlerStopsAfterTheFirstCheckWithOneLine) {
  // The whole battery against a port where nobody listens: one FAIL, then one line.
  const auto full = check_json("stripe", "127.0.0.1:1/hook");
  const auto context = "\n" + show(full);
  expect_well_formed(full, {"accepts-valid"}, false, context);
  EXPECT_EQ(full.result("accepts-valid"), "FAIL") << context;
  EXPECT_NE(full.evidence("accepts-valid").find("no answer"), std::string::npos) << context;
  EXPECT_FALSE(full.summary.value("stopped", "").empty()) << context;
  EXPECT_EQ(full.summary.value("passed", -1), 0) << context;
  EXPECT_EQ(full.run.exit_code, 1) << context;
  const auto err = e2e::lines_of(full.run.err);
  ASSERT_EQ(err.size(), 1U) << context;
  EXPECT_NE(err[0].find("check stopped: could not reach http://127.0.0.1:1/hook"),
            std::string::npos)
      << context;

  // The human card: no advice about signatures, timestamps or raw bytes.
  const auto human = e2e::hooktool(
      {"check", "stripe", "--to", "127.0.0.1:1/hook", "--secret", secret_for("stripe")},
      std::chrono::seconds(30));
  EXPECT_EQ(human.exit_code, 1) << human.describe();
  EXPECT_EQ(human.out.find("timestamp"), std::string::npos) << human.describe();
  EXPECT_EQ(human.out.find("raw"), std::string::npos) << human.describe();
  EXPECT_EQ(human.out.find("rejects-"), std::string::npos) << human.describe();
}

// A handler that never verifies but answers 400 to event types it does not know: the body
// drill must leave the event type alone, so that only the signature could make it refuse.
TEST(CheckTest, RouteOnlyHandlerFailsTheTamperedBodyCheck) {
  for (const std::string provider : {"stripe", "github", "slack"}) {
    TestHandler h("route-only", provider);
    const auto card =
        check_json(provider, h.to(),
                   {"--only", "accepts-valid,rejects-wrong-signature,rejects-tampered-body"});
    const auto context = "\n" + provider + "\n" + show(card, h);
    expect_well_formed(card, {"accepts-valid", "rejects-wrong-signature", "rejects-tampered-body"},
                       false, context);
    EXPECT_EQ(card.result("accepts-valid"), "PASS") << context;
    EXPECT_EQ(card.result("rejects-wrong-signature"), "FAIL") << context;
    EXPECT_EQ(card.result("rejects-tampered-body"), "FAIL") << context;
    // The report says which byte changed, and where.
    EXPECT_NE(card.evidence("rejects-tampered-body").find("body byte "), std::string::npos)
        << context;
    EXPECT_NE(card.evidence("rejects-tampered-body").find("event type and id unchanged"),
              std::string::npos)
        << context;
  }
}

TEST(CheckTest, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases{
      {"check", "nosuchprovider", "--to", "127.0.0.1:1/hook", "--secret", "s"}, // unknown provider
      {"check", "stripe", "--secret", "whsec_x"},                               // no --to
      {"check", "stripe", "--to", "127.0.0.1:1/hook"},                          // no secret
      {"check", "--to", "127.0.0.1:1/hook", "--secret", "s"},                   // no provider
      {"check", "stripe", "--to", "127.0.0.1:1/hook", "--secret", "whsec_x", "--event",
       "no.such.event"}, // unknown fixture
  };
  for (const auto& args : cases) {
    const auto r = e2e::hooktool(args, std::chrono::seconds(10)); // HOOKTOOL_SECRET is unset
    std::string cmd;
    for (const auto& a : args)
      cmd += a + " ";
    EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << r.describe();
    EXPECT_FALSE(r.err.empty()) << cmd << "\n" << r.describe();
    EXPECT_TRUE(r.out.empty()) << cmd << "\n" << r.describe();
  }
}

// A secret from HOOKTOOL_SECRET is enough (the CI form: the secret lives in the environment).
TEST(CheckTest, SecretFromEnvironment) {
  TestHandler h("correct", "github");
  e2e::ProcessOptions opts;
  opts.timeout = std::chrono::seconds(30);
  opts.unset_env.clear();
  opts.env["HOOKTOOL_SECRET"] = secret_for("github");
  const auto card = parse_card(e2e::hooktool(
      {"check", "github", "--to", h.to(), "--json", "--only", "accepts-valid"}, opts));
  expect_well_formed(card, {"accepts-valid"}, false, show(card, h));
  EXPECT_EQ(card.result("accepts-valid"), "PASS") << show(card, h);
}

// ---- known bugs in src/ (these tests fail until they are fixed) -------------------------

// BUG: the --json summary is dumped without the UTF-8 replacement the per-check lines use, so a
// --to URL whose query holds a byte that is not UTF-8 makes the summary throw: "internal error",
// no summary line, and a non-zero exit although every check passed.
TEST(CheckTest, JsonSummarySurvivesNonUtf8Url) {
  TestHandler h("correct", "github");
  const auto card = check_json("github", h.to() + "?tag=\xff", {"--only", "accepts-valid"});
  const auto context = "\n" + show(card, h);
  EXPECT_EQ(card.result("accepts-valid"), "PASS") << context;
  EXPECT_TRUE(card.parse_error.empty()) << context;
  EXPECT_EQ(card.run.exit_code, 0) << context;
  EXPECT_EQ(card.run.err.find("internal error"), std::string::npos) << context;
}

// A probe killed by a signal was once reported as "the probe exited with status 0" (WEXITSTATUS
// of a status that is not an exit). It is a usage error now, and says what happened.
TEST(CheckTest, ProbeKilledBySignalIsNotReportedAsStatusZero) {
  const auto card = check_json("stripe", "127.0.0.1:1/hook",
                               {"--probe", "kill -9 $$", "--only", "handles-duplicate"});
  const auto context = "\n" + show(card);
  EXPECT_EQ(card.run.exit_code, 2) << context;
  EXPECT_NE(card.run.err.find("killed by signal 9"), std::string::npos) << context;
  EXPECT_EQ(card.run.err.find("status 0"), std::string::npos) << context;
}

} // namespace

} // namespace e2e_check
