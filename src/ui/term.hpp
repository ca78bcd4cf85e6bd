#pragma once

#include <string>
#include <string_view>

namespace hooktool::ui {

// What the user asked for; auto follows the terminal, NO_COLOR and CLICOLOR_FORCE.
enum class ColorMode { automatic, always, never };
// Which standard stream a piece of text goes to.
enum class Stream { out, err };
// Semantic styles; term.cpp alone maps them to colours.
enum class Style { ok, warn, error, info, dim, bold };

// Decides colour once for the process (call early in main).
void configure_color(ColorMode mode);
// Whether text written to the stream gets colour.
bool color_enabled(Stream stream) noexcept;
// Whether the stream is a terminal (progress bars, layout).
bool is_terminal(Stream stream) noexcept;
// text wrapped in the style's escape codes when the stream has colour, else text unchanged.
std::string paint(std::string_view text, Style style, Stream stream);
// Style for an HTTP status: 2xx ok, 3xx info, 4xx warn, 5xx and 0 (no answer) error.
Style status_style(int status) noexcept;

} // namespace hooktool::ui
