#pragma once

// The command headers name CLI11's App only by reference: CLI/CLI.hpp, which costs seconds per
// translation unit, is included by the .cpp files that build the command line.
namespace CLI {
class App;
} // namespace CLI
