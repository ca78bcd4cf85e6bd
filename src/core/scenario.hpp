#pragma once

#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "core/template.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hooktool::core {

// One event of a scenario: a fixture, when it goes out, and its overrides.
struct ScenarioStep {
  std::string event;
  std::int64_t delay_ms = 0; // after the previous event
  std::vector<SetOp> sets;   // the file's `set`, in file order
  // The file's `placeholders`: the fixture's own placeholder bodies renamed ("hex:40#1" ->
  // "hex:40#head") everywhere in its text, so its local ids become the scenario's shared ones.
  std::map<std::string, std::string, std::less<>> renames;
};

// A scenario data file (<family>/scenarios/<name>.json; format in tools/fixtures/README.md).
struct Scenario {
  std::string family; // fixtures directory name
  std::string name;
  std::string description;
  std::vector<std::string> shared; // placeholder bodies ("id:cus_"), drawn once per run
  std::vector<ScenarioStep> steps;
  std::string origin; // "built-in" or the file's path
};

// Parses a scenario file's text; a usage error naming origin and the field when it is malformed.
Scenario parse_scenario(std::string_view text, std::string_view family, std::string_view name,
                        std::string_view origin);

// Finds scenarios where FixtureStore finds fixtures: user directories first, then the installed
// data directory, then the ones built into the binary.
class ScenarioStore {
public:
  explicit ScenarioStore(std::vector<std::filesystem::path> user_dirs = {},
                         std::filesystem::path installed_dir = installed_fixture_dir());

  // The scenario names of a fixture family, sorted.
  [[nodiscard]] std::vector<std::string> names(std::string_view family) const;
  // Every scenario of a family, parsed, sorted by name.
  [[nodiscard]] std::vector<Scenario> list(std::string_view family) const;
  // One scenario; a usage error with a did-you-mean and the known names when there is none.
  [[nodiscard]] Scenario load(std::string_view family, std::string_view name) const;

private:
  // Where each scenario's text is: (name, origin) with origin "built-in" or a path.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>>
  locate(std::string_view family) const;

  std::vector<std::filesystem::path> dirs_; // user directories, then the installed one
};

// One run of a scenario: every event's fixture loaded and compiled up front (so a mistake stops
// the run before anything is sent), the shared placeholders drawn once, each event rendered
// when it is sent.
class ScenarioRun {
public:
  // user_sets (--set) apply to every event whose body has the path; now_ms draws the shared
  // values. A usage error naming the scenario and the event when a fixture is missing or not
  // JSON, or a set cannot apply.
  ScenarioRun(const FixtureStore& store, Scenario scenario, const std::vector<SetOp>& user_sets,
              bool pretty_json, std::int64_t now_ms);

  [[nodiscard]] const Scenario& scenario() const { return scenario_; }
  [[nodiscard]] std::size_t size() const { return compiled_.size(); }
  // Event `step`'s payload, its other placeholders fresh and its times as of now_ms.
  [[nodiscard]] Payload render(std::size_t step, std::int64_t now_ms) const;
  // The --set paths (as typed, dotted) that no event of the scenario has.
  [[nodiscard]] const std::vector<std::string>& unmatched_sets() const { return unmatched_; }
  // Which events each --set applied to, by step index (in --set order).
  [[nodiscard]] const std::vector<std::vector<std::size_t>>& set_steps() const {
    return set_steps_;
  }

private:
  Scenario scenario_;
  std::vector<std::string> compiled_; // per step: JSON text, sets applied, placeholders kept
  std::vector<std::string> origins_;
  std::vector<std::pair<std::string, nlohmann::ordered_json>> shared_values_;
  std::vector<std::string> unmatched_;
  std::vector<std::vector<std::size_t>> set_steps_;
};

// Replaces each placeholder of text whose body renames names ({{hex:40#1}} -> {{hex:40#head}}),
// in one pass (a renamed placeholder is not renamed again).
std::string rename_placeholders(std::string_view text,
                                const std::map<std::string, std::string, std::less<>>& renames);

// True when the dotted path names an existing member or element of doc.
bool json_path_exists(const nlohmann::ordered_json& doc, const std::vector<std::string>& path);

// The scenario as one JSON object for `fixtures --scenarios --json`: name, description,
// shared, and the events with their delays.
nlohmann::ordered_json scenario_json(const Scenario& scenario);

} // namespace hooktool::core
