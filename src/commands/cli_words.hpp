#pragma once

// The command line in hooktool's words: number checks whose help text and errors say what is
// wanted, and CLI11's parse errors rewritten ("--port abc: not a whole number from 0 to
// 65535", "unknown option --forwrd-to (did you mean --forward-to?)").

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace hooktool::commands {

// A whole number (decimal digits, a sign where lo < 0) from lo to hi, or at least lo when hi
// is absent. Help shows "0-65535" or ">=1".
CLI::Validator whole_number(long long lo, std::optional<long long> hi = std::nullopt);
// A decimal number from lo to hi (no exponent, no inf or nan).
CLI::Validator decimal_number(double lo, double hi);

// CLI11's message for a parse error, in hooktool's words.
std::string in_our_words(const CLI::ParseError& error);

// The first option on the command line that neither hooktool nor the command it names knows,
// as an error message with a did-you-mean; nullopt when every option is known. Runs before
// CLI11 parses, which would report a missing positional first ("provider is required" for
// `hooktool send --bogus`).
std::optional<std::string> unknown_option(const CLI::App& app, int argc, const char* const* argv);

} // namespace hooktool::commands
