#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/common.hpp"
#include "commands/selection.hpp"
#include "core/settings.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool replay` options as typed.
struct ReplayOptions {
  std::string file;
  std::string to;
  std::string keep_path = "yes";
  SelectionFlags select;
  int times = 1;
  int concurrency = 1;
  long long delay_ms = 0;
  std::string probe; // --probe CMD
  bool resign = false;
  core::SecretFlags secret; // --secret, --secret-file
  std::vector<std::string> headers;
  std::string expect;
  bool json = false;
  bool verbose = false; // -v: print each response (status line, headers, body)
  bool as_curl = false;
  std::string curl_dir = ".";
  double timeout_s = 30;
  bool insecure = false;
  bool location = false;
  GenericFlags generic;
};

// Adds the `replay` subcommand.
CLI::App* register_replay(CLI::App& app, ReplayOptions& options);
// Re-sends the selected captured deliveries; returns the exit code.
int run_replay(const ReplayOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
