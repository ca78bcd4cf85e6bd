#include "commands/fixtures.hpp"

#include "commands/common.hpp"
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "core/scenario.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

CLI::App* register_fixtures(CLI::App& app, FixturesOptions& o) {
  auto* cmd = app.add_subcommand("fixtures", "List providers and the events send can fire");
  cmd->add_option("provider", o.provider, "Only this provider");
  cmd->add_option("event", o.query,
                  "An event (prints the body send would send), a glob such as 'invoice.*', "
                  "or a group such as pull_request (lists its actions)");
  cmd->add_option("--fixtures", o.fixture_dirs, "Extra fixture directory");
  cmd->add_flag("--json", o.json, "One JSON object per event (with an event: its body too)");
  cmd->add_flag("--scenarios", o.scenarios,
                "List the scenarios (send --scenario) and their events; with a name, that one");
  cmd->footer("Examples:\n"
              "  hooktool fixtures\n"
              "  hooktool fixtures stripe --json\n"
              "  hooktool fixtures stripe 'invoice.*'\n"
              "  hooktool fixtures github pull_request\n"
              "  hooktool fixtures github push\n"
              "  hooktool fixtures stripe --scenarios");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

const char* format_name(providers::BodyFormat format) {
  return format == providers::BodyFormat::json ? "json" : "form";
}

void print_list(std::string_view id, std::string_view family,
                const std::vector<core::Fixture>& list, bool json) {
  if (json) {
    for (const auto& f : list)
      std::cout << nlohmann::ordered_json{{"provider", id},
                                          {"event", f.event},
                                          {"format", format_name(f.format)},
                                          {"origin", f.origin}}
                       .dump()
                << "\n";
    return;
  }
  std::cout << ui::paint(std::string(id), ui::Style::bold, ui::Stream::out);
  if (family != id)
    std::cout << ui::paint("  (uses " + std::string(family) + " fixtures)", ui::Style::dim,
                           ui::Stream::out);
  std::cout << "\n";
  for (const auto& f : list) {
    std::cout << "  " << f.event;
    if (f.format == providers::BodyFormat::form)
      std::cout << ui::paint("  (form)", ui::Style::dim, ui::Stream::out);
    if (f.origin != "built-in" && !f.installed)
      std::cout << ui::paint("  " + f.origin, ui::Style::dim, ui::Stream::out);
    std::cout << "\n";
  }
}

// The body `send` would send for this fixture now (fresh ids and times, the provider's JSON
// layout); with --json, one object that carries it as a string.
void print_body(std::string_view id, const core::FixtureStore& store, const core::Fixture& f,
                bool json) {
  const auto provider = providers::require_provider(id);
  core::PayloadSpec spec;
  spec.fixture_family = f.provider;
  spec.event = f.event;
  spec.pretty_json = provider->pretty_json();
  spec.now_ms = util::now_ms();
  const auto payload = core::render_payload(store, spec);
  if (!json) {
    std::cout << payload.body;
    if (!payload.body.ends_with('\n'))
      std::cout << "\n";
    return;
  }
  std::cout << nlohmann::ordered_json{{"provider", id},
                                      {"event", f.event},
                                      {"format", format_name(f.format)},
                                      {"origin", payload.origin},
                                      {"body", payload.body}}
                   .dump()
            << "\n";
}

// No event of this provider matches: the closest name, and the providers that do have it.
[[noreturn]] void no_match(std::string_view id, const core::FixtureStore& store,
                           const std::vector<core::Fixture>& list, const std::string& query) {
  std::string msg = "no " + std::string(id) + " event matches '" + query + "'";
  if (list.empty())
    throw usage_error("no fixtures for provider '" + std::string(id) + "'");
  std::string elsewhere;
  for (const auto other : providers::provider_ids()) {
    const auto family = providers::fixture_family(other);
    if (other == id || family != other)
      continue;
    if (!core::match_fixtures(store.list(family), query).fixtures.empty())
      elsewhere += (elsewhere.empty() ? "" : ", ") + std::string(other);
  }
  if (!elsewhere.empty())
    msg += " (found in: " + elsewhere + ")";
  else
    msg += util::did_you_mean(query, core::fixture_query_names(list));
  throw usage_error(msg + "; `hooktool fixtures " + std::string(id) + "` lists them");
}

void print_scenario(std::string_view id, const core::Scenario& s, bool json) {
  if (json) {
    auto j = core::scenario_json(s);
    j["provider"] = id;
    std::cout << j.dump() << "\n";
    return;
  }
  constexpr auto out = ui::Stream::out;
  std::cout << "  " << ui::paint(s.name, ui::Style::bold, out) << "  " << s.description;
  if (s.origin != "built-in")
    std::cout << ui::paint("  " + s.origin, ui::Style::dim, out);
  std::cout << "\n";
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    std::cout << "    " << i + 1 << ". " << s.steps[i].event;
    if (i > 0)
      std::cout << ui::paint("  +" + std::to_string(s.steps[i].delay_ms) + " ms", ui::Style::dim,
                             out);
    std::cout << "\n";
  }
}

// `fixtures [PROVIDER] --scenarios [NAME]`: every scenario of the provider (of each provider
// that has some), or the one named.
int list_scenarios(const FixturesOptions& o) {
  const core::ScenarioStore store(
      std::vector<std::filesystem::path>(o.fixture_dirs.begin(), o.fixture_dirs.end()));
  if (!o.query.empty()) {
    print_scenario(o.provider, store.load(providers::fixture_family(o.provider), o.query), o.json);
    return 0;
  }
  bool any = false;
  for (const auto id : providers::provider_ids()) {
    const auto family = providers::fixture_family(id);
    if ((!o.provider.empty() && id != o.provider) || (o.provider.empty() && family != id))
      continue;
    const auto list = store.list(family);
    if (list.empty())
      continue;
    any = true;
    if (!o.json)
      std::cout << ui::paint(std::string(id), ui::Style::bold, ui::Stream::out) << "\n";
    for (const auto& s : list)
      print_scenario(id, s, o.json);
  }
  if (!any && !o.provider.empty() && !o.json)
    std::cerr << "no scenarios for " << o.provider << "\n";
  return 0;
}

} // namespace

int run_fixtures(const FixturesOptions& o) {
  if (!o.provider.empty())
    (void)providers::require_provider(o.provider);
  if (o.scenarios)
    return list_scenarios(o);
  const core::FixtureStore store(
      std::vector<std::filesystem::path>(o.fixture_dirs.begin(), o.fixture_dirs.end()));
  if (!o.query.empty()) {
    const auto family = providers::fixture_family(o.provider);
    const auto list = store.list(family);
    const auto match = core::match_fixtures(list, o.query);
    if (match.fixtures.empty())
      no_match(o.provider, store, list, o.query);
    if (match.exact)
      print_body(o.provider, store, match.fixtures.front(), o.json);
    else
      print_list(o.provider, family, match.fixtures, o.json);
    return 0;
  }
  for (const auto id : providers::provider_ids()) {
    if (!o.provider.empty() && id != o.provider)
      continue;
    const auto family = providers::fixture_family(id);
    print_list(id, family, store.list(family), o.json);
  }
  return 0;
}

} // namespace hooktool::commands
