#pragma once

#include <string>
#include <vector>

namespace hooktool::commands {

// Parses argv, runs the chosen subcommand and maps every error to an exit code.
int run_app(int argc, char** argv);

} // namespace hooktool::commands
