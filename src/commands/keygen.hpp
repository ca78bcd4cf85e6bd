#pragma once

#include "commands/cli_fwd.hpp"

#include <string>

namespace hooktool::commands {

// `hooktool keygen` options as typed.
struct KeygenOptions {
  std::string provider;
  std::string out; // write the private key to this file (0600) instead of stdout
  bool json = false;
};

// Adds the `keygen` subcommand.
CLI::App* register_keygen(CLI::App& app, KeygenOptions& options);
// Prints a fresh key pair for an asymmetric provider; returns the exit code.
int run_keygen(const KeygenOptions& options);

} // namespace hooktool::commands
