#include "commands/fixtures.hpp"

#include "commands/common.hpp"
#include "core/fixtures.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

CLI::App* register_fixtures(CLI::App& app, FixturesOptions& o) {
  auto* cmd = app.add_subcommand("fixtures", "List providers and the events send can fire");
  cmd->add_option("provider", o.provider, "Only this provider");
  cmd->add_option("--fixtures", o.fixture_dirs, "Extra fixture directory");
  cmd->add_flag("--json", o.json, "One JSON object per event");
  cmd->footer("Examples:\n"
              "  hooktool fixtures\n"
              "  hooktool fixtures stripe --json");
  one_value_per_flag(*cmd);
  return cmd;
}

int run_fixtures(const FixturesOptions& o) {
  if (!o.provider.empty())
    (void)providers::require_provider(o.provider);
  const core::FixtureStore store(
      std::vector<std::filesystem::path>(o.fixture_dirs.begin(), o.fixture_dirs.end()));
  for (const auto id : providers::provider_ids()) {
    if (!o.provider.empty() && id != o.provider)
      continue;
    const auto family = providers::fixture_family(id);
    const auto list = store.list(family);
    if (o.json) {
      for (const auto& f : list)
        std::cout << nlohmann::ordered_json{{"provider", id},
                                            {"event", f.event},
                                            {"format", f.format == providers::BodyFormat::json
                                                           ? "json"
                                                           : "form"},
                                            {"origin", f.origin}}
                         .dump()
                  << "\n";
      continue;
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
  return 0;
}

} // namespace hooktool::commands
