#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/common.hpp"
#include "core/settings.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool check` options as typed.
struct CheckOptions {
  std::string provider;
  std::string to;
  core::SecretFlags secret; // --secret, --secret-file
  std::string event;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  bool json = false;
  bool strict = false;
  bool verbose = false; // -v: print every request's answer (status line, headers, body)
  std::string probe;
  int copies = 5;
  std::vector<std::string> headers;
  std::vector<std::string> fixture_dirs;
  std::string signing_url;
  double timeout_s = 0; // 0: the provider's delivery timeout + 5 s
  bool insecure = false;
  bool list = false;
  long long slow_ms = 2000;
  GenericFlags generic;
};

// Adds the `check` subcommand.
CLI::App* register_check(CLI::App& app, CheckOptions& options);
// Runs the report card; exit 0 when no check fails (--strict: and none warns).
int run_check(const CheckOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
