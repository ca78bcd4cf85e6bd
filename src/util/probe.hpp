#pragma once

#include <optional>
#include <string>

namespace hooktool::util {

// Runs a side-effect probe (`--probe CMD`: a shell command printing a number, such as a row
// count), bounded to 60 s, and reads the first number it prints ("42", "count: 42",
// "42 file.log"). nullopt with `error` set when it cannot run, fails or prints no number.
std::optional<double> run_probe(const std::string& cmd, std::string& error);

// "10", "10.5": a probe value as the user would write it.
std::string probe_text(double value);

} // namespace hooktool::util
