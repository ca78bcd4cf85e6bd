#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/common.hpp"
#include "core/settings.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool verify` options as typed.
struct VerifyOptions {
  std::string provider;
  core::SecretFlags secret; // --secret, --secret-file
  std::vector<std::string> headers;
  std::string body;
  std::string url;
  long long tolerance = -1; // -1: the provider's default
  long long now = 0;        // 0: the clock
  bool json = false;
  std::string capture; // --capture FILE: verify captured deliveries
  std::string id;      // --id: which ones (capture id or event id)
  GenericFlags generic;
};

// Adds the `verify` subcommand.
CLI::App* register_verify(CLI::App& app, VerifyOptions& options);
// Verifies offline: exit 0 valid, 1 anything else (reason on stderr), 2 usage.
int run_verify(const VerifyOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
