// End-to-end tests for `hooktool send --scenario` and `hooktool fixtures --scenarios`: the
// built binary delivers a scenario's events to a loopback receiver; order, shared ids, --set
// over every event, stopping at the first failure, and the usage errors are checked on what
// arrived (signatures with OpenSSL directly, never with hooktool's provider code).

#include "process.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <set>
#include <string>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_scenario {

namespace {

using e2e::Receiver;
using e2e::TempDir;
using json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kScenarioStripeSecret = "whsec_e2e_scenarios_3c1d9a";
const std::string kScenarioGithubSecret = "scenario-github-secret";
const std::vector<std::string> kCheckoutEvents = {
    "customer.created",         "payment_intent.created",     "charge.succeeded",
    "payment_intent.succeeded", "checkout.session.completed", "charge.updated"};

std::vector<json> scenario_bodies(const Receiver& r) {
  std::vector<json> out;
  for (const auto& req : r.requests())
    out.push_back(json::parse(req.body));
  return out;
}

std::vector<std::string> scenario_types(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events)
    out.push_back(e.value("type", ""));
  return out;
}

// Stripe-Signature t=…,v1=… over "t.body", checked with OpenSSL.
bool scenario_stripe_signed(const e2e::ReceivedRequest& req) {
  const auto header = req.header("Stripe-Signature").value_or("");
  const auto t = header.substr(2, header.find(',') - 2);
  const auto v1 = header.substr(header.find("v1=") + 3);
  return e2e::ref::hex(e2e::ref::hmac(EVP_sha256(), kScenarioStripeSecret, t + "." + req.body)) ==
         v1;
}

e2e::ProcessResult send_checkout(const Receiver& r, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--no-config",    "send",     "stripe",
                                   "--scenario",     "checkout", "--to",
                                   r.url("/hook"),   "--secret", kScenarioStripeSecret,
                                   "--scenario-gap", "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::hooktool(args);
}

TEST(SendScenario, StripeCheckoutArrivesInOrderSignedAndSharingIds) {
  Receiver r;
  const auto res = send_checkout(r);
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  const auto events = scenario_bodies(r);
  EXPECT_EQ(scenario_types(events), kCheckoutEvents);
  std::set<std::string> event_ids;
  for (const auto& req : r.requests())
    EXPECT_TRUE(scenario_stripe_signed(req)) << req.body.substr(0, 200);
  for (const auto& e : events)
    event_ids.insert(e["id"].get<std::string>());
  EXPECT_EQ(event_ids.size(), kCheckoutEvents.size()) << "each event has its own evt_ id";
  ASSERT_EQ(events.size(), kCheckoutEvents.size());
  const auto customer = events[0]["data"]["object"]["id"].get<std::string>();
  const auto intent = events[1]["data"]["object"]["id"].get<std::string>();
  const auto charge = events[2]["data"]["object"]["id"].get<std::string>();
  EXPECT_TRUE(customer.starts_with("cus_")) << customer;
  EXPECT_EQ(events[1]["data"]["object"]["customer"], customer);
  EXPECT_EQ(events[2]["data"]["object"]["customer"], customer);
  EXPECT_EQ(events[2]["data"]["object"]["payment_intent"], intent);
  EXPECT_EQ(events[3]["data"]["object"]["id"], intent);
  EXPECT_EQ(events[3]["data"]["object"]["latest_charge"], charge);
  EXPECT_EQ(events[4]["data"]["object"]["customer"], customer);
  EXPECT_EQ(events[4]["data"]["object"]["payment_intent"], intent);
  EXPECT_EQ(events[5]["data"]["object"]["id"], charge);
  // The file's `set` for the first event applies to it alone.
  EXPECT_EQ(events[0]["data"]["object"]["email"], "chloe.dubois@example.com");
  EXPECT_NE(res.err.find("scenario checkout: 6 events delivered"), std::string::npos) << res.err;
}

TEST(SendScenario, TwoRunsDrawFreshSharedIds) {
  Receiver r;
  ASSERT_EQ(send_checkout(r).exit_code, 0);
  ASSERT_EQ(send_checkout(r).exit_code, 0);
  const auto events = scenario_bodies(r);
  ASSERT_EQ(events.size(), 2 * kCheckoutEvents.size());
  EXPECT_NE(events[0]["data"]["object"]["id"], events[6]["data"]["object"]["id"]);
}

TEST(SendScenario, GithubPullRequestMergedKeepsOnePullRequestAndItsShas) {
  Receiver r;
  const auto res =
      e2e::hooktool({"--no-config", "send", "github", "--scenario", "pull_request_merged", "--to",
                     r.url("/gh"), "--secret", kScenarioGithubSecret, "--scenario-gap", "0"});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  std::vector<std::string> kinds;
  for (const auto& req : r.requests()) {
    kinds.push_back(req.header("X-GitHub-Event").value_or(""));
    EXPECT_EQ(req.header("X-Hub-Signature-256").value_or(""),
              "sha256=" +
                  e2e::ref::hex(e2e::ref::hmac(EVP_sha256(), kScenarioGithubSecret, req.body)));
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"pull_request", "pull_request", "check_suite", "check_run",
                                      "check_run", "check_suite", "pull_request", "push"}));
  const auto e = scenario_bodies(r);
  ASSERT_EQ(e.size(), 8u);
  const auto& opened = e[0]["pull_request"];
  const auto& sync = e[1];
  EXPECT_EQ(e[0]["action"], "opened");
  EXPECT_EQ(sync["action"], "synchronize");
  EXPECT_EQ(sync["pull_request"]["id"], opened["id"]);
  EXPECT_EQ(sync["pull_request"]["node_id"], opened["node_id"]);
  EXPECT_EQ(sync["before"], opened["head"]["sha"]);
  const auto head = sync["after"];
  EXPECT_NE(head, opened["head"]["sha"]);
  EXPECT_EQ(sync["pull_request"]["head"]["sha"], head);
  EXPECT_EQ(e[2]["check_suite"]["head_sha"], head);
  EXPECT_EQ(e[2]["check_suite"]["pull_requests"][0]["id"], opened["id"]);
  EXPECT_EQ(e[3]["check_run"]["head_sha"], head);
  EXPECT_EQ(e[3]["check_run"]["check_suite"]["id"], e[2]["check_suite"]["id"]);
  EXPECT_EQ(e[4]["check_run"]["id"], e[3]["check_run"]["id"]);
  EXPECT_EQ(e[5]["check_suite"]["id"], e[2]["check_suite"]["id"]);
  const auto& closed = e[6]["pull_request"];
  EXPECT_EQ(closed["id"], opened["id"]);
  EXPECT_EQ(closed["number"], opened["number"]);
  EXPECT_EQ(closed["merged"], true);
  EXPECT_EQ(closed["head"]["sha"], head);
  EXPECT_EQ(e[7]["ref"], "refs/heads/" + opened["base"]["ref"].get<std::string>());
  EXPECT_EQ(e[7]["after"], closed["merge_commit_sha"]);
  EXPECT_EQ(e[7]["before"], opened["base"]["sha"]);
}

std::vector<json> send_github(const std::string& scenario) {
  Receiver r;
  const auto res =
      e2e::hooktool({"--no-config", "send", "github", "--scenario", scenario, "--to", r.url(),
                     "--secret", kScenarioGithubSecret, "--scenario-gap", "0"});
  EXPECT_EQ(res.exit_code, 0) << res.describe();
  return scenario_bodies(r);
}

TEST(SendScenario, GithubIssueReleaseAndInstallationShareTheirIds) {
  const auto issue = send_github("issue_triage");
  ASSERT_EQ(issue.size(), 4u);
  for (const auto& e : issue) {
    EXPECT_EQ(e["issue"]["id"], issue[0]["issue"]["id"]);
    EXPECT_EQ(e["issue"]["number"], issue[0]["issue"]["number"]);
  }
  EXPECT_EQ(issue[2]["label"]["id"], issue[3]["issue"]["labels"][0]["id"]);
  EXPECT_EQ(issue[3]["issue"]["state"], "closed");
  const auto release = send_github("release");
  ASSERT_EQ(release.size(), 3u);
  EXPECT_EQ(release[1]["ref"], "refs/tags/" + release[0]["ref"].get<std::string>());
  EXPECT_EQ(release[2]["release"]["tag_name"], release[0]["ref"]);
  const auto install = send_github("installation");
  ASSERT_EQ(install.size(), 2u);
  EXPECT_EQ(install[0]["installation"]["app_id"], install[1]["installation"]["app_id"]);
  EXPECT_EQ(install[0]["installation"]["id"], install[1]["installation"]["id"]);
}

TEST(SendScenario, SetAppliesToEveryEventThatHasThePath) {
  Receiver r;
  const auto res =
      send_checkout(r, {"--set", "livemode=true", "--set", "data.object.amount_captured=1234"});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  EXPECT_EQ(res.err.find("warning"), std::string::npos) << res.err;
  const auto events = scenario_bodies(r);
  ASSERT_EQ(events.size(), kCheckoutEvents.size());
  for (const auto& e : events) {
    EXPECT_EQ(e["livemode"], true) << e["type"];
    const bool charge = e["type"].get<std::string>().starts_with("charge.");
    EXPECT_EQ(e["data"]["object"].contains("amount_captured"), charge) << e["type"];
    if (charge) {
      EXPECT_EQ(e["data"]["object"]["amount_captured"], 1234);
    }
  }
}

TEST(SendScenario, SetThatNoEventHasWarnsAndSendsAnyway) {
  Receiver r;
  const auto res = send_checkout(r, {"--set", "data.object.no_such_field=1"});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  EXPECT_NE(res.err.find("warning: --set data.object.no_such_field: no event of scenario "
                         "checkout has this field"),
            std::string::npos)
      << res.err;
  for (const auto& e : scenario_bodies(r))
    EXPECT_FALSE(e["data"]["object"].contains("no_such_field"));
  EXPECT_EQ(r.count(), kCheckoutEvents.size());
}

TEST(SendScenario, StopsAtTheFirstNon2xx) {
  Receiver r({200, 200, 500});
  const auto res = send_checkout(r);
  EXPECT_EQ(res.exit_code, 1) << res.describe();
  EXPECT_EQ(r.count(), 3u) << "nothing after the failed event";
  EXPECT_NE(res.err.find("scenario checkout stopped at event 3 of 6 (charge.succeeded)"),
            std::string::npos)
      << res.err;
}

TEST(SendScenario, StopsWhenTheTargetIsUnreachable) {
  int port = 0;
  {
    Receiver gone; // a port that was free a moment ago and is closed now
    port = gone.port();
  }
  const auto res = e2e::hooktool({"--no-config", "send", "stripe", "--scenario", "refund", "--to",
                                  "http://127.0.0.1:" + std::to_string(port) + "/", "--secret",
                                  kScenarioStripeSecret, "--scenario-gap", "0", "--timeout", "5"});
  EXPECT_EQ(res.exit_code, 1) << res.describe();
  EXPECT_NE(res.err.find("stopped at event 1 of 5 (charge.succeeded)"), std::string::npos)
      << res.err;
}

TEST(SendScenario, WaitsTheCappedGapBetweenEvents) {
  Receiver r;
  // cancellation: two events, the second 5000 ms after the first in the file; capped at 400.
  const auto res =
      e2e::hooktool({"--no-config", "send", "stripe", "--scenario", "cancellation", "--to", r.url(),
                     "--secret", kScenarioStripeSecret, "--scenario-gap", "400"});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  EXPECT_EQ(r.count(), 2u);
  EXPECT_GE(res.elapsed.count(), 400) << "the second event waits the gap";
  EXPECT_LT(res.elapsed.count(), 5000) << "the file's 5 s delay is capped";
}

TEST(SendScenario, UnknownScenarioIsAUsageErrorWithDidYouMean) {
  const auto res = e2e::hooktool({"--no-config", "send", "stripe", "--scenario", "chekout", "--to",
                                  "http://127.0.0.1:9/", "--secret", kScenarioStripeSecret});
  EXPECT_EQ(res.exit_code, 2) << res.describe();
  EXPECT_NE(res.err.find("unknown stripe scenario 'chekout' (did you mean 'checkout'?)"),
            std::string::npos)
      << res.err;
  EXPECT_NE(res.err.find("known: cancellation, checkout, dispute, refund, subscription_lifecycle, "
                         "trial_ending"),
            std::string::npos)
      << res.err;
  const auto both = e2e::hooktool({"--no-config", "send", "stripe", "invoice.paid", "--scenario",
                                   "checkout", "--to", "http://127.0.0.1:9/"});
  EXPECT_EQ(both.exit_code, 2) << both.describe();
  EXPECT_NE(both.err.find("--scenario sends the scenario's events"), std::string::npos) << both.err;
  const auto neither = e2e::hooktool({"--no-config", "send", "stripe", "--to", "127.0.0.1:9"});
  EXPECT_EQ(neither.exit_code, 2) << neither.describe();
  EXPECT_NE(neither.err.find("or --scenario NAME"), std::string::npos) << neither.err;
}

TEST(SendScenario, DryRunJsonPrintsEveryEventAndSendsNothing) {
  Receiver r;
  const auto res = send_checkout(r, {"--dry-run", "--json"});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  EXPECT_EQ(r.count(), 0u);
  const auto lines = e2e::lines_of(res.out);
  ASSERT_EQ(lines.size(), kCheckoutEvents.size()) << res.out;
  std::vector<json> events;
  for (const auto& l : lines)
    events.push_back(json::parse(json::parse(l)["body"].get<std::string>()));
  EXPECT_EQ(scenario_types(events), kCheckoutEvents);
  EXPECT_EQ(events[2]["data"]["object"]["customer"], events[0]["data"]["object"]["id"]);
}

TEST(SendScenario, JsonGivesOneRecordPerEventAndSaveCapturesThem) {
  Receiver r;
  TempDir dir;
  const auto save = dir.file("sent.jsonl");
  const auto res = send_checkout(r, {"--json", "--save", save});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  const auto lines = e2e::lines_of(res.out);
  ASSERT_EQ(lines.size(), kCheckoutEvents.size()) << res.out;
  std::vector<std::string> json_types;
  for (const auto& l : lines) {
    const auto j = json::parse(l);
    json_types.push_back(j["event"].get<std::string>());
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["status"], 200);
  }
  EXPECT_EQ(json_types, kCheckoutEvents);
  std::vector<std::string> saved;
  for (const auto& l : e2e::lines_of(e2e::read_file(save))) {
    const auto rec = json::parse(l);
    saved.push_back(rec["event_type"].get<std::string>());
    EXPECT_EQ(rec["verification"]["status"], "valid");
  }
  EXPECT_EQ(saved, kCheckoutEvents);
}

// --json: each record names the scenario and its step (1-based) of how many, sent or dry run,
// up to the step that failed; a send outside a scenario has none of these fields.
TEST(SendScenario, JsonRecordsNameTheScenarioAndTheStep) {
  const auto expect_steps = [](const std::string& out, std::size_t records, bool sent) {
    const auto lines = e2e::lines_of(out);
    ASSERT_EQ(lines.size(), records) << out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      SCOPED_TRACE(lines[i]);
      const auto j = json::parse(lines[i]);
      EXPECT_EQ(j.value("scenario", ""), "checkout");
      EXPECT_EQ(j.value("step", 0u), i + 1);
      EXPECT_EQ(j.value("steps", 0u), kCheckoutEvents.size());
      if (sent) {
        EXPECT_EQ(j.value("event", ""), kCheckoutEvents[i]);
      }
    }
  };
  {
    Receiver r({200, 200, 500});
    const auto res = send_checkout(r, {"--json"});
    EXPECT_EQ(res.exit_code, 1) << res.describe();
    expect_steps(res.out, 3, true);
  }
  {
    Receiver r;
    const auto res = send_checkout(r, {"--json", "--dry-run"});
    ASSERT_EQ(res.exit_code, 0) << res.describe();
    expect_steps(res.out, kCheckoutEvents.size(), false);
  }
  Receiver r;
  const auto one = e2e::hooktool({"--no-config", "send", "stripe", "invoice.paid", "--to", r.url(),
                                  "--secret", kScenarioStripeSecret, "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  const auto j = json::parse(one.out);
  EXPECT_FALSE(j.contains("scenario") || j.contains("step") || j.contains("steps")) << one.out;
}

TEST(FixturesScenarios, ListsStripeAndGithubScenariosWithTheirEvents) {
  const auto stripe = e2e::hooktool({"--no-config", "fixtures", "stripe", "--scenarios", "--json"});
  ASSERT_EQ(stripe.exit_code, 0) << stripe.describe();
  std::vector<std::string> names;
  for (const auto& l : e2e::lines_of(stripe.out)) {
    const auto j = json::parse(l);
    names.push_back(j["scenario"].get<std::string>());
    EXPECT_EQ(j["provider"], "stripe");
    EXPECT_FALSE(j["events"].empty());
    if (j["scenario"] == "checkout") {
      std::vector<std::string> events;
      for (const auto& e : j["events"])
        events.push_back(e["event"].get<std::string>());
      EXPECT_EQ(events, kCheckoutEvents);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cancellation", "checkout", "dispute", "refund",
                                             "subscription_lifecycle", "trial_ending"}));
  const auto github = e2e::hooktool({"--no-config", "fixtures", "github", "--scenarios"});
  ASSERT_EQ(github.exit_code, 0) << github.describe();
  for (const auto* n : {"installation", "issue_triage", "pull_request_merged", "release"})
    EXPECT_NE(github.out.find(std::string("  ") + n + "  "), std::string::npos) << n;
  EXPECT_NE(github.out.find("1. pull_request.opened"), std::string::npos) << github.out;
  const auto one = e2e::hooktool({"--no-config", "fixtures", "stripe", "--scenarios", "refund"});
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  EXPECT_NE(one.out.find("5. refund.updated"), std::string::npos) << one.out;
  EXPECT_EQ(one.out.find("checkout"), std::string::npos) << one.out;
}

TEST(FixturesScenarios, ABareExecutableFindsTheBuiltInScenarios) {
  TempDir dir;
  const auto bin = dir.file("hooktool");
  fs::copy_file(e2e::kHooktool, bin);
  const auto res = e2e::run_process(bin, {"--no-config", "fixtures", "stripe", "--scenarios"});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  EXPECT_NE(res.out.find("subscription_lifecycle"), std::string::npos) << res.out;
}

TEST(FixturesScenarios, AUserDirectoryScenarioIsListedAndSent) {
  TempDir dir;
  fs::create_directories(dir.file("stripe/scenarios"));
  (void)dir.write("stripe/scenarios/checkout.json", R"({
    "scenario": "checkout", "description": "mine", "shared": ["{{id:cus_}}"],
    "events": [{"event": "customer.created", "delay_ms": 0},
               {"event": "customer.updated", "delay_ms": 10}]})");
  const auto list = e2e::hooktool({"--no-config", "fixtures", "stripe", "--scenarios", "checkout",
                                   "--fixtures", dir.path().string()});
  ASSERT_EQ(list.exit_code, 0) << list.describe();
  EXPECT_NE(list.out.find("mine"), std::string::npos) << list.out;
  Receiver r;
  const auto res =
      e2e::hooktool({"--no-config", "send", "stripe", "--scenario", "checkout", "--to", r.url(),
                     "--secret", kScenarioStripeSecret, "--fixtures", dir.path().string()});
  ASSERT_EQ(res.exit_code, 0) << res.describe();
  const auto events = scenario_bodies(r);
  EXPECT_EQ(scenario_types(events),
            (std::vector<std::string>{"customer.created", "customer.updated"}));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]["data"]["object"]["id"], events[1]["data"]["object"]["id"]);
  (void)dir.write("stripe/scenarios/broken.json", R"({"scenario": "broken", "events": [
    {"event": "customer.created", "delay_ms": -1}]})");
  const auto broken = e2e::hooktool({"--no-config", "send", "stripe", "--scenario", "broken",
                                     "--to", r.url(), "--fixtures", dir.path().string()});
  EXPECT_EQ(broken.exit_code, 2) << broken.describe();
  EXPECT_NE(broken.err.find("events[0]: delay_ms: expected a non-negative integer"),
            std::string::npos)
      << broken.err;
}

} // namespace

} // namespace e2e_scenario
