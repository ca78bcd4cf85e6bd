#pragma once

#include "commands/cli_fwd.hpp"

#include <string>

namespace hooktool::commands {

// hooktool(1) in roff, generated from the command-line definitions themselves (descriptions,
// options, examples), so the man page cannot drift from --help.
std::string render_man_page(const CLI::App& app);

} // namespace hooktool::commands
