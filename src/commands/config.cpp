#include "commands/config.hpp"

#include "commands/common.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

core::Settings load_settings(bool skip_files) {
  auto env = core::Environment::from_process();
  if (skip_files)
    return core::Settings::without_files(std::move(env));
  auto loaded = core::load_config(core::default_config_paths());
  for (const auto& warning : loaded.warnings)
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " " << warning << "\n";
  return {std::move(loaded), std::move(env)};
}

CLI::App* register_config(CLI::App& app, ConfigOptions& o) {
  auto* cmd = app.add_subcommand(
      "config", "Show the settings in force (flags > environment > project > user config)");
  cmd->add_option("action", o.action, "show: print each setting, its value and where it is set")
      ->required()
      ->check(CLI::IsMember({"show"}));
  cmd->add_flag("--json", o.json, "One JSON object");
  cmd->footer("Files: ./.hooktool.toml (project), $XDG_CONFIG_HOME/hooktool/config.toml or\n"
              "~/.config/hooktool/config.toml (user). Secrets are shown redacted.\n"
              "Examples:\n"
              "  hooktool config show\n"
              "  hooktool config show --json | jq .settings.to");
  return cmd;
}

namespace {

struct Row {
  std::string name;
  std::string value;
  core::Layer layer = core::Layer::default_;
  std::string where;
  nlohmann::ordered_json json; // the value as JSON (a number for the port, a list of routes)
};

// One row per setting in force, then one per secret (redacted), in the order shown.
std::vector<Row> setting_rows(const core::Settings& settings) {
  const auto& config = settings.config();
  std::vector<Row> rows;
  const auto to = settings.to("");
  rows.push_back({"to", to.value, to.layer, to.where, to.value});
  const auto host = settings.listen_host(std::nullopt, "127.0.0.1");
  rows.push_back({"listen.host", host.value, host.layer, host.where, host.value});
  const auto port = settings.listen_port(std::nullopt, 9000);
  rows.push_back({"listen.port", std::to_string(port.value), port.layer, port.where, port.value});
  const auto forward = settings.forward({});
  std::string routes;
  for (const auto& r : forward.value)
    routes += (routes.empty() ? "" : ", ") + r;
  rows.push_back({"listen.forward", routes, forward.layer, forward.where, forward.value});
  const auto& env_secret = settings.environment().secret;
  std::string env_named;
  if (env_secret) {
    const auto named = core::split_secret(*env_secret, "HOOKTOOL_SECRET");
    env_named = named.provider;
    rows.push_back({"secret " + (env_named.empty() ? std::string("(any provider)") : env_named),
                    redact(named.value), core::Layer::env, "HOOKTOOL_SECRET", redact(named.value)});
  }
  for (const auto& family : config.secret_families()) {
    const auto secret = config.secret(family);
    const bool shadowed =
        env_secret && (env_named.empty() || providers::secret_family(env_named) == family);
    const auto shown = redact(secret->value) + (shadowed ? " (overridden by HOOKTOOL_SECRET)" : "");
    rows.push_back({"secret " + family, shown, secret->layer, secret->where, shown});
  }
  return rows;
}

std::string file_state(const core::Settings& settings, const std::filesystem::path& path,
                       const std::optional<core::ConfigFile>& file) {
  if (settings.files_skipped())
    return "skipped (--no-config)";
  if (path.empty())
    return "no HOME";
  if (file)
    return "read";
  std::error_code ec;
  return std::filesystem::exists(path, ec) ? "ignored" : "not found";
}

void print_json(const std::vector<Row>& rows, const core::Settings& settings) {
  const auto& config = settings.config();
  nlohmann::ordered_json shown = nlohmann::ordered_json::object();
  for (const auto& row : rows) {
    nlohmann::ordered_json item{{"value", row.json}, {"source", core::to_string(row.layer)}};
    if (!row.where.empty())
      item["where"] = row.where;
    shown[row.name] = std::move(item);
  }
  nlohmann::ordered_json files{
      {"project",
       {{"path", config.paths.project.string()},
        {"state", file_state(settings, config.paths.project, config.project)}}},
      {"user",
       {{"path", config.paths.user.string()},
        {"state", file_state(settings, config.paths.user, config.user)}}}};
  std::cout << nlohmann::ordered_json{{"settings", shown}, {"files", files}}.dump(
                   -1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
}

void print_table(const std::vector<Row>& rows, const core::Settings& settings) {
  const auto& config = settings.config();
  constexpr auto out = ui::Stream::out;
  // Columns are counted in terminal cells, not bytes; long values are cut to kValueCells.
  constexpr std::size_t kValueCells = 48;
  const auto shown_value = [&](const auto& row) {
    return row.value.empty() ? std::string("(not set)")
                             : util::fit_width(util::printable(row.value), kValueCells);
  };
  std::size_t width = 0;
  std::size_t value_width = 0;
  for (const auto& row : rows) {
    width = std::max(width, util::display_width(row.name));
    value_width = std::max(value_width, util::display_width(shown_value(row)));
  }
  for (const auto& row : rows) {
    const auto value = shown_value(row);
    const auto cells = util::display_width(value);
    std::cout << "  " << row.name << std::string(width + 2 - util::display_width(row.name), ' ')
              << (row.value.empty() ? ui::paint(value, ui::Style::dim, out) : value)
              << std::string(cells < value_width ? value_width - cells : 0, ' ') << "  "
              << ui::paint(std::string(core::to_string(row.layer)) +
                               (row.where.empty() ? "" : " " + row.where),
                           ui::Style::dim, out)
              << "\n";
  }
  std::cout << "files (flags beat environment, which beats project, which beats user):\n"
            << "  project  " << config.paths.project.string() << "  "
            << file_state(settings, config.paths.project, config.project) << "\n"
            << "  user     " << config.paths.user.string() << "  "
            << file_state(settings, config.paths.user, config.user) << "\n";
}

} // namespace

int run_config(const ConfigOptions& o, const core::Settings& settings) {
  const auto rows = setting_rows(settings);
  if (o.json)
    print_json(rows, settings);
  else
    print_table(rows, settings);
  return 0;
}

} // namespace hooktool::commands
