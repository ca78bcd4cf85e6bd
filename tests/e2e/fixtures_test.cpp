// `hooktool fixtures` end to end: browsing the catalogue (a provider, a glob, an event group),
// printing one event's rendered body, --json for scripts, did-you-mean, and --fixtures errors.

#include "process.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_fixtures {

namespace {

using e2e::hooktool;
using e2e::lines_of;
using json = nlohmann::json;

// The "event" of every line of `hooktool fixtures ... --json`.
std::vector<std::string> json_events(const e2e::ProcessResult& r) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(r.out))
    out.push_back(json::parse(line).at("event").get<std::string>());
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(FixturesE2E, PrintsTheBodySendWouldSendWithFreshValues) {
  const auto a = hooktool({"fixtures", "github", "push"});
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_EQ(a.out.find("{{"), std::string::npos) << "placeholder left unrendered";
  const auto body = json::parse(a.out);
  EXPECT_EQ(body.at("repository").at("full_name"), "acme-labs/webhook-relay");
  EXPECT_TRUE(body.at("repository").at("id").is_number_integer());
  const auto b = hooktool({"fixtures", "github", "push"});
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_NE(json::parse(b.out).at("after"), body.at("after")) << "the SHA is fresh per render";

  const auto stripe = hooktool({"fixtures", "stripe", "invoice.paid"});
  ASSERT_EQ(stripe.exit_code, 0) << stripe.describe();
  EXPECT_EQ(json::parse(stripe.out).at("type"), "invoice.paid");
}

TEST(FixturesE2E, JsonWithAnEventCarriesTheExactBody) {
  const auto r = hooktool({"fixtures", "github", "pull_request.opened", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  const auto j = json::parse(lines[0]);
  EXPECT_EQ(j.at("provider"), "github");
  EXPECT_EQ(j.at("event"), "pull_request.opened");
  EXPECT_EQ(j.at("format"), "json");
  const auto body = json::parse(j.at("body").get<std::string>());
  EXPECT_EQ(body.at("action"), "opened");
  EXPECT_EQ(body.at("pull_request").at("state"), "open");
}

TEST(FixturesE2E, GlobListsTheMatchingEvents) {
  const auto r = hooktool({"fixtures", "stripe", "invoice.*", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto events = json_events(r);
  EXPECT_TRUE(contains(events, "invoice.paid"));
  EXPECT_TRUE(contains(events, "invoice.payment_failed"));
  for (const auto& e : events)
    EXPECT_TRUE(e.starts_with("invoice.")) << e;
  const auto text = hooktool({"fixtures", "stripe", "invoice.pa?d"});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  EXPECT_EQ(lines_of(text.out), (std::vector<std::string>{"stripe", "  invoice.paid"}));
}

TEST(FixturesE2E, GroupListsAnEventsActions) {
  const auto r = hooktool({"fixtures", "github", "pull_request", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto events = json_events(r);
  for (const auto* e : {"pull_request.opened", "pull_request.closed", "pull_request.synchronize",
                        "pull_request.reopened", "pull_request.edited"})
    EXPECT_TRUE(contains(events, e)) << e;
  for (const auto& e : events)
    EXPECT_TRUE(e.starts_with("pull_request.")) << e << " (pull_request_review is another event)";
}

TEST(FixturesE2E, UnknownNamesSuggestTheClosestOrTheProviderThatHasIt) {
  const auto typo = hooktool({"fixtures", "github", "pull_requst"});
  EXPECT_EQ(typo.exit_code, 2) << typo.describe();
  EXPECT_NE(typo.err.find("did you mean 'pull_request'"), std::string::npos) << typo.err;
  EXPECT_TRUE(typo.out.empty());
  const auto action = hooktool({"fixtures", "github", "pull_request.opend"});
  EXPECT_EQ(action.exit_code, 2);
  EXPECT_NE(action.err.find("did you mean 'pull_request.opened'"), std::string::npos) << action.err;
  const auto elsewhere = hooktool({"fixtures", "stripe", "pull_request.opened"});
  EXPECT_EQ(elsewhere.exit_code, 2);
  EXPECT_NE(elsewhere.err.find("found in: github"), std::string::npos) << elsewhere.err;
  EXPECT_EQ(lines_of(elsewhere.err).size(), 1u) << "one-line error";
}

TEST(FixturesE2E, MissingFixtureDirectoryIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"fixtures", "stripe", "--fixtures", "/nonexistent/hooktool-fixtures"},
           {"fixtures", "--fixtures", "/nonexistent/hooktool-fixtures"},
           {"fixtures", "github", "push", "--fixtures", "/nonexistent/hooktool-fixtures"}}) {
    const auto r = hooktool(args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find("--fixtures /nonexistent/hooktool-fixtures: not a directory"),
              std::string::npos)
        << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(FixturesE2E, UserFixturesShadowAndScenarioFilesAreNotEvents) {
  e2e::TempDir dir;
  std::filesystem::create_directories(dir.file("stripe/scenarios"));
  (void)dir.write("stripe/scenarios/checkout.json", R"({"events": ["invoice.paid"]})");
  (void)dir.write("stripe/invoice.paid.json", R"({"type": "invoice.paid", "id": "evt_mine"})");
  const auto list = hooktool({"fixtures", "stripe", "--json", "--fixtures", dir.path().string()});
  ASSERT_EQ(list.exit_code, 0) << list.describe();
  const auto events = json_events(list);
  EXPECT_TRUE(contains(events, "invoice.paid"));
  for (const auto& e : events)
    EXPECT_FALSE(e.starts_with("scenarios")) << e;
  const auto body =
      hooktool({"fixtures", "stripe", "invoice.paid", "--fixtures", dir.path().string()});
  ASSERT_EQ(body.exit_code, 0) << body.describe();
  EXPECT_EQ(json::parse(body.out).at("id"), "evt_mine");
  const auto scenario =
      hooktool({"fixtures", "stripe", "scenarios/checkout", "--fixtures", dir.path().string()});
  EXPECT_EQ(scenario.exit_code, 2) << scenario.describe();
}

} // namespace

} // namespace e2e_fixtures
