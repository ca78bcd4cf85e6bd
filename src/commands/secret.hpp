#pragma once

#include "commands/cli_fwd.hpp"

#include <string>

namespace hooktool::commands {

// `hooktool secret` options as typed.
struct SecretOptions {
  std::string provider; // empty: every development secret kept
  bool rotate = false;
  bool json = false;
};

// Adds the `secret` subcommand.
CLI::App* register_secret(CLI::App& app, SecretOptions& options);
// Shows (creating it when missing) or rotates the development secret; returns the exit code.
int run_secret(const SecretOptions& options);

} // namespace hooktool::commands
