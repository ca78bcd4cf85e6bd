#pragma once

#include "commands/cli_fwd.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace hooktool::commands {

// The shells hooktool writes completion scripts for.
enum class Shell { bash, zsh, fish };

// The shell named "bash", "zsh" or "fish", or nullopt.
std::optional<Shell> parse_shell(std::string_view name) noexcept;

// A completion script for hooktool, generated from the command-line definitions (subcommands,
// options, whether each takes a value, choices) and the provider registry, so it cannot drift
// from --help. Event and check names are asked of the binary at completion time.
std::string render_completion(const CLI::App& app, Shell shell);

// `hooktool completion <shell>` as typed.
struct CompletionOptions {
  std::string shell;
};

// Adds the `completion` subcommand.
CLI::App* register_completion(CLI::App& app, CompletionOptions& o);
// Prints the script for o.shell; app is the whole command line the script completes.
int run_completion(const CLI::App& app, const CompletionOptions& o);

} // namespace hooktool::commands
