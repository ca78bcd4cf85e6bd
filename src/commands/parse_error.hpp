#pragma once

#include <string>
#include <string_view>

namespace hooktool::commands {

// The command-line parser's message made safe to print: for unexpected arguments only the words
// that look like options are named (up to '=', capped), the rest counted, never quoted (`--secrt
// S` must not echo S); any other message is made printable and capped at 200 bytes.
std::string safe_parse_message(std::string_view what);

} // namespace hooktool::commands
