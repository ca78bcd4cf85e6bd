#include "commands/config.hpp"

#include "commands/common.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

namespace {

bool g_config_disabled = false;

const char* env_value(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

} // namespace

void disable_config() {
  g_config_disabled = true;
}

const core::Config& active_config() {
  static const core::Config config = [] {
    if (g_config_disabled) {
      core::Config none;
      none.paths = core::default_config_paths();
      return none;
    }
    auto loaded = core::load_config(core::default_config_paths());
    for (const auto& warning : loaded.warnings)
      std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " " << warning
                << "\n";
    return loaded;
  }();
  return config;
}

core::Setting<std::string> resolve_target(const std::string& flag_value) {
  if (!flag_value.empty())
    return {flag_value, core::Layer::flag, "--to"};
  if (const char* env = env_value("HOOKTOOL_TO"))
    return {env, core::Layer::env, "HOOKTOOL_TO"};
  if (const auto* to = active_config().to())
    return *to;
  return {};
}

ListenDefaults resolve_listen_defaults(const std::string& flag_host, bool host_given,
                                       long long flag_port, bool port_given,
                                       const std::vector<std::string>& flag_forward) {
  ListenDefaults d;
  const auto& config = active_config();
  if (host_given) {
    d.host = {flag_host, core::Layer::flag, "--host"};
  } else if (const char* env = env_value("HOOKTOOL_HOST")) {
    d.host = {env, core::Layer::env, "HOOKTOOL_HOST"};
  } else if (const auto* host = config.listen_host()) {
    d.host = *host;
  } else {
    d.host = {flag_host, core::Layer::default_, ""};
  }
  if (port_given) {
    d.port = {flag_port, core::Layer::flag, "--port"};
  } else if (const char* env = env_value("HOOKTOOL_PORT")) {
    long long port = -1;
    if (!util::parse_int64(env, port) || port < 0 || port > 65535)
      throw usage_error(std::string("HOOKTOOL_PORT: expected a port 0..65535, got '") + env + "'");
    d.port = {port, core::Layer::env, "HOOKTOOL_PORT"};
  } else if (const auto* port = config.listen_port()) {
    d.port = *port;
  } else {
    d.port = {flag_port, core::Layer::default_, ""};
  }
  if (!flag_forward.empty())
    d.forward = {flag_forward, core::Layer::flag, "--forward-to"};
  else if (const auto* forward = config.forward())
    d.forward = *forward;
  return d;
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

int run_config(const ConfigOptions& o) {
  const auto& config = active_config();
  struct Row {
    std::string name;
    std::string value;
    core::Layer layer = core::Layer::default_;
    std::string where;
    nlohmann::ordered_json json; // the value as JSON (a number for the port, a list of routes)
  };
  std::vector<Row> rows;
  const auto to = resolve_target("");
  rows.push_back({"to", to.value, to.layer, to.where, to.value});
  const auto listen = resolve_listen_defaults("127.0.0.1", false, 9000, false, {});
  rows.push_back(
      {"listen.host", listen.host.value, listen.host.layer, listen.host.where, listen.host.value});
  rows.push_back({"listen.port", std::to_string(listen.port.value), listen.port.layer,
                  listen.port.where, listen.port.value});
  std::string routes;
  for (const auto& r : listen.forward.value)
    routes += (routes.empty() ? "" : ", ") + r;
  rows.push_back(
      {"listen.forward", routes, listen.forward.layer, listen.forward.where, listen.forward.value});
  const char* env_secret = env_value("HOOKTOOL_SECRET");
  std::string env_named;
  if (env_secret != nullptr) {
    std::string value = env_secret;
    env_named = split_secret(value);
    rows.push_back({"secret " + (env_named.empty() ? std::string("(any provider)") : env_named),
                    redact(value), core::Layer::env, "HOOKTOOL_SECRET", redact(value)});
  }
  for (const auto& family : config.secret_families()) {
    const auto secret = config.secret(family);
    const bool shadowed = env_secret != nullptr &&
                          (env_named.empty() || providers::secret_family(env_named) == family);
    const auto shown = redact(secret->value) + (shadowed ? " (overridden by HOOKTOOL_SECRET)" : "");
    rows.push_back({"secret " + family, shown, secret->layer, secret->where, shown});
  }

  const auto file_state = [&](const std::filesystem::path& path,
                              const std::optional<core::ConfigFile>& file) -> std::string {
    if (g_config_disabled)
      return "skipped (--no-config)";
    if (path.empty())
      return "no HOME";
    if (file)
      return "read";
    std::error_code ec;
    return std::filesystem::exists(path, ec) ? "ignored" : "not found";
  };

  if (o.json) {
    nlohmann::ordered_json settings = nlohmann::ordered_json::object();
    for (const auto& row : rows) {
      nlohmann::ordered_json item{{"value", row.json}, {"source", core::to_string(row.layer)}};
      if (!row.where.empty())
        item["where"] = row.where;
      settings[row.name] = std::move(item);
    }
    nlohmann::ordered_json files{{"project",
                                  {{"path", config.paths.project.string()},
                                   {"state", file_state(config.paths.project, config.project)}}},
                                 {"user",
                                  {{"path", config.paths.user.string()},
                                   {"state", file_state(config.paths.user, config.user)}}}};
    std::cout << nlohmann::ordered_json{{"settings", settings}, {"files", files}}.dump(
                     -1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  constexpr auto out = ui::Stream::out;
  std::size_t width = 0;
  std::size_t value_width = 0;
  for (const auto& row : rows) {
    width = std::max(width, row.name.size());
    value_width =
        std::max(value_width, std::min<std::size_t>(util::printable(row.value).size(), 48));
  }
  for (const auto& row : rows) {
    const auto value = row.value.empty() ? std::string("(not set)") : util::printable(row.value);
    std::cout << "  " << row.name << std::string(width + 2 - row.name.size(), ' ')
              << (row.value.empty() ? ui::paint(value, ui::Style::dim, out) : value)
              << std::string(value.size() < value_width ? value_width - value.size() : 0, ' ')
              << "  "
              << ui::paint(std::string(core::to_string(row.layer)) +
                               (row.where.empty() ? "" : " " + row.where),
                           ui::Style::dim, out)
              << "\n";
  }
  std::cout << "files (flags beat environment, which beats project, which beats user):\n"
            << "  project  " << config.paths.project.string() << "  "
            << file_state(config.paths.project, config.project) << "\n"
            << "  user     " << config.paths.user.string() << "  "
            << file_state(config.paths.user, config.user) << "\n";
  return 0;
}

} // namespace hooktool::commands
