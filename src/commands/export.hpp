#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/selection.hpp"

#include <string>

namespace hooktool::commands {

// `hooktool export` options as typed.
struct ExportOptions {
  std::string file;
  bool har = false;
  bool jsonl = false;
  std::string output;
  SelectionFlags select;
};

// Adds the `export` subcommand.
CLI::App* register_export(CLI::App& app, ExportOptions& options);
// Converts a capture file to HAR (or a HAR to capture lines); returns the exit code.
int run_export(const ExportOptions& options);

} // namespace hooktool::commands
