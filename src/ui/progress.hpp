#pragma once

#include "net/load.hpp"

#include <string>

namespace hooktool::ui {

// One progress line: bar, done/total, rate, errors, ETA (no newline; starts with '\r').
std::string progress_line(const net::LoadProgress& p, std::size_t width);
// Clears the progress line on a terminal.
std::string clear_line();

} // namespace hooktool::ui
