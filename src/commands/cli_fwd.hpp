#pragma once

// The command headers name CLI11's App only by reference: CLI/CLI.hpp, which costs seconds per
// translation unit, is included by the .cpp files that build the command line.
namespace CLI { // NOLINT(readability-identifier-naming): CLI11 names it
class App;
} // namespace CLI
