#include "core/scenario.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <unistd.h>

using namespace hooktool;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kScenarioNow = 1764065326123;

// A fixture directory with two events of a made-up family, removed at the end.
class ScenarioDir : public ::testing::Test {
protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("hooktool-scenario-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "acme" / "scenarios");
    write("acme/a.json", R"({"id": "{{id:x_}}", "fresh": "{{id:y_}}", "list": [1], "n": 1})");
    write("acme/b.json", R"({"ref": "{{id:x_}}", "local": "{{int:5#1}}",
                             "url": "/things/{{int:5#1}}", "n": 2})");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& text) const {
    std::ofstream(root_ / rel) << text;
  }
  [[nodiscard]] core::FixtureStore fixtures() const { return core::FixtureStore({root_}, {}); }
  [[nodiscard]] core::ScenarioStore scenarios() const { return core::ScenarioStore({root_}, {}); }

  fs::path root_;
};

core::Scenario scenario_two_steps() {
  return core::parse_scenario(R"({"scenario": "s", "description": "d",
    "shared": ["{{id:x_}}", "{{int:5#k}}"],
    "events": [{"event": "a", "delay_ms": 0},
               {"event": "b", "delay_ms": 10, "placeholders": {"{{int:5#1}}": "{{int:5#k}}"},
                "set": {"n": "{{int:5#k}}"}}]})",
                              "acme", "s", "test");
}

std::string scenario_usage_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

} // namespace

TEST_F(ScenarioDir, SharedPlaceholdersHaveOneValueAcrossEventsOthersAreFresh) {
  const core::ScenarioRun run(fixtures(), scenario_two_steps(), {}, false, kScenarioNow);
  ASSERT_EQ(run.size(), 2u);
  const auto a = ordered_json::parse(run.render(0, kScenarioNow).body);
  const auto b = ordered_json::parse(run.render(1, kScenarioNow).body);
  EXPECT_TRUE(a["id"].get<std::string>().starts_with("x_"));
  EXPECT_EQ(a["id"], b["ref"]);
  // The renamed local placeholder is the shared one, in the URL too, and in the set value.
  EXPECT_EQ("/things/" + b["local"].dump(), b["url"]);
  EXPECT_EQ(b["n"], b["local"]);
  // A second render of the same event keeps the shared ids and draws the rest afresh.
  const auto a2 = ordered_json::parse(run.render(0, kScenarioNow).body);
  EXPECT_EQ(a2["id"], a["id"]);
  EXPECT_NE(a2["fresh"], a["fresh"]);
}

TEST_F(ScenarioDir, UserSetsApplyWhereThePathExists) {
  const std::vector<core::SetOp> sets = {core::parse_set("list.0=7"), core::parse_set("n=9"),
                                         core::parse_set("nowhere.x=1")};
  const core::ScenarioRun run(fixtures(), scenario_two_steps(), sets, false, kScenarioNow);
  const auto a = ordered_json::parse(run.render(0, kScenarioNow).body);
  const auto b = ordered_json::parse(run.render(1, kScenarioNow).body);
  EXPECT_EQ(a["list"][0], 7);
  EXPECT_FALSE(b.contains("list"));
  EXPECT_EQ(a["n"], 9);
  EXPECT_EQ(b["n"], 9) << "--set comes after the file's set";
  EXPECT_FALSE(a.contains("nowhere"));
  EXPECT_EQ(run.unmatched_sets(), std::vector<std::string>{"nowhere.x"});
  EXPECT_EQ(run.set_steps()[0], std::vector<std::size_t>{0});
  EXPECT_EQ(run.set_steps()[1], (std::vector<std::size_t>{0, 1}));
}

TEST_F(ScenarioDir, StoreFindsUserScenariosAndSuggestsNames) {
  write("acme/scenarios/checkout.json",
        R"({"scenario": "checkout", "events": [{"event": "a", "delay_ms": 0}]})");
  EXPECT_EQ(scenarios().names("acme"), std::vector<std::string>{"checkout"});
  EXPECT_EQ(scenarios().load("acme", "checkout").steps.size(), 1u);
  const auto msg = scenario_usage_message([&] { (void)scenarios().load("acme", "chekout"); });
  EXPECT_EQ(msg, "unknown acme scenario 'chekout' (did you mean 'checkout'?); known: checkout");
  EXPECT_EQ(scenario_usage_message([&] { (void)scenarios().load("nobody", "x"); }),
            "no scenarios for provider 'nobody'");
}

TEST_F(ScenarioDir, AMissingEventNamesTheScenarioAndStep) {
  const auto sc = core::parse_scenario(
      R"({"scenario": "s", "events": [{"event": "a"}, {"event": "nope"}]})", "acme", "s", "t");
  const auto msg =
      scenario_usage_message([&] { core::ScenarioRun(fixtures(), sc, {}, false, kScenarioNow); });
  EXPECT_TRUE(msg.starts_with("scenario s, event 2 (nope): unknown acme event 'nope'")) << msg;
}

TEST(Scenario, MalformedFilesAreUsageErrorsNamingTheField) {
  const auto parse = [](const char* text) {
    return scenario_usage_message([&] { (void)core::parse_scenario(text, "acme", "s", "f.json"); });
  };
  EXPECT_EQ(parse("[]"), "f.json: not a JSON object");
  EXPECT_EQ(parse(R"({"scenario": "other", "events": []})"),
            "f.json: scenario: expected the file's name, 's'");
  EXPECT_EQ(parse(R"({"events": []})"), "f.json: events: a non-empty array is required");
  EXPECT_EQ(parse(R"({"events": [{"delay_ms": 1}]})"),
            "f.json: events[0]: event: an event name is required");
  EXPECT_EQ(parse(R"({"events": [{"event": "a", "delay_ms": -5}]})"),
            "f.json: events[0]: delay_ms: expected a non-negative integer");
  EXPECT_EQ(parse(R"({"events": [{"event": "a", "wait": 5}]})"),
            "f.json: events[0]: unknown key 'wait'");
  EXPECT_EQ(parse(R"({"shared": ["cus_"], "events": [{"event": "a"}]})"),
            "f.json: shared: expected placeholders such as \"{{id:cus_}}\"");
  EXPECT_EQ(parse(R"({"events": [{"event": "a", "placeholders": {"{{a}}": "b"}}]})"),
            "f.json: events[0]: placeholders: expected \"{{…}}\": \"{{…}}\" pairs");
}

TEST(Scenario, RenamePlaceholdersIsOnePass) {
  const std::map<std::string, std::string, std::less<>> renames = {{"hex:40#1", "hex:40#2"},
                                                                   {"hex:40#2", "hex:40#3"}};
  EXPECT_EQ(core::rename_placeholders("{{hex:40#1}} {{hex:40#2}} {{now}} {{x", renames),
            "{{hex:40#2}} {{hex:40#3}} {{now}} {{x");
}

TEST(Scenario, JsonPathExists) {
  const auto doc = ordered_json::parse(R"({"a": {"b": [1, {"c": null}]}})");
  EXPECT_TRUE(core::json_path_exists(doc, {"a", "b", "1", "c"}));
  EXPECT_TRUE(core::json_path_exists(doc, {"a", "b", "0"}));
  EXPECT_FALSE(core::json_path_exists(doc, {"a", "b", "2"}));
  EXPECT_FALSE(core::json_path_exists(doc, {"a", "x"}));
  EXPECT_FALSE(core::json_path_exists(doc, {"a", "b", "0", "z"}));
}
