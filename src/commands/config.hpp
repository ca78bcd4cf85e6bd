#pragma once

#include "core/config.hpp"

#include <CLI/CLI.hpp>
#include <string>

namespace hooktool::commands {

// The config files in force: read on first use, warnings printed once on stderr.
// Empty after disable_config() (--no-config).
const core::Config& active_config();
// --no-config: read no config file in this process.
void disable_config();

// The target a command sends to: the flag, else HOOKTOOL_TO, else `to` from a config file.
// The value is empty when none is set.
core::Setting<std::string> resolve_target(const std::string& flag_value);

// listen's bind address, port and forward routes when not given as flags: HOOKTOOL_HOST /
// HOOKTOOL_PORT, then the config files.
struct ListenDefaults {
  core::Setting<std::string> host;
  core::Setting<long long> port;
  core::Setting<std::vector<std::string>> forward;
};
ListenDefaults resolve_listen_defaults(const std::string& flag_host, bool host_given,
                                       long long flag_port, bool port_given,
                                       const std::vector<std::string>& flag_forward);

// `hooktool config` options as typed.
struct ConfigOptions {
  std::string action;
  bool json = false;
};

// Adds the `config` subcommand (`config show`).
CLI::App* register_config(CLI::App& app, ConfigOptions& options);
// Prints the settings in force and where each comes from; returns the exit code.
int run_config(const ConfigOptions& options);

} // namespace hooktool::commands
