#pragma once

#include "commands/cli_fwd.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool fixtures` options as typed.
struct FixturesOptions {
  std::string provider;
  std::string query; // an event (print its body), a glob or a group (list the matches)
  std::vector<std::string> fixture_dirs;
  bool json = false;
  bool scenarios = false; // list the scenarios (send --scenario) instead of the events
};

// Adds the `fixtures` subcommand.
CLI::App* register_fixtures(CLI::App& app, FixturesOptions& options);
// Lists providers and their events, or prints one event's body; returns the exit code.
int run_fixtures(const FixturesOptions& options);

} // namespace hooktool::commands
