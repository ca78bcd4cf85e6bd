#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/common.hpp"
#include "core/settings.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool sign` options as typed.
struct SignOptions {
  std::string provider;
  core::SecretFlags secret; // --secret, --secret-file
  std::string body;
  std::string url;
  long long timestamp = 0; // 0: now
  std::string id;          // standard/svix message id
  bool curl = false;       // --curl: print a curl command instead of the headers
  GenericFlags generic;
};

// Adds the `sign` subcommand.
CLI::App* register_sign(CLI::App& app, SignOptions& options);
// Prints the signature headers, one "Name: value" per line; returns the exit code.
int run_sign(const SignOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
