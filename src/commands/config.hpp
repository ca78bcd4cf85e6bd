#pragma once

#include "commands/cli_fwd.hpp"
#include "core/settings.hpp"

#include <string>

namespace hooktool::commands {

// The settings of this run: the environment, and the config files unless skip_files
// (--no-config); warnings about the files are printed on stderr.
core::Settings load_settings(bool skip_files);

// `hooktool config` options as typed.
struct ConfigOptions {
  std::string action;
  bool json = false;
};

// Adds the `config` subcommand (`config show`).
CLI::App* register_config(CLI::App& app, ConfigOptions& options);
// Prints the settings in force and where each comes from; returns the exit code.
int run_config(const ConfigOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
