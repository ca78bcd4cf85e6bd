#pragma once

#include "commands/common.hpp"
#include "commands/selection.hpp"

#include <CLI/CLI.hpp>
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
  bool resign = false;
  std::vector<std::string> secrets;
  std::string secret_file;
  std::vector<std::string> headers;
  std::string expect;
  bool json = false;
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
int run_replay(const ReplayOptions& options);

} // namespace hooktool::commands
