#include "ui/term.hpp"

#include <cstdlib>
#include <rang.hpp>
#include <sstream>
#include <unistd.h>

namespace hooktool::ui {

namespace {
bool g_color_out = false;
bool g_color_err = false;

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}
} // namespace

void configure_color(ColorMode mode) {
  switch (mode) {
  case ColorMode::always:
    g_color_out = g_color_err = true;
    break;
  case ColorMode::never:
    g_color_out = g_color_err = false;
    break;
  case ColorMode::automatic: {
    // https://no-color.org: any non-empty NO_COLOR disables colour; CLICOLOR_FORCE forces it.
    const bool disabled = env_set("NO_COLOR");
    const bool forced = !disabled && env_set("CLICOLOR_FORCE");
    const char* term = std::getenv("TERM");
    const bool dumb = term != nullptr && std::string_view(term) == "dumb";
    g_color_out = !disabled && (forced || (is_terminal(Stream::out) && !dumb));
    g_color_err = !disabled && (forced || (is_terminal(Stream::err) && !dumb));
    break;
  }
  }
  // We decide; rang only writes the codes.
  rang::setControlMode(rang::control::Force);
}

bool color_enabled(Stream stream) noexcept {
  return stream == Stream::out ? g_color_out : g_color_err;
}

bool is_terminal(Stream stream) noexcept {
  return ::isatty(stream == Stream::out ? STDOUT_FILENO : STDERR_FILENO) == 1;
}

std::string paint(std::string_view text, Style style, Stream stream) {
  if (!color_enabled(stream))
    return std::string(text);
  std::ostringstream os;
  switch (style) {
  case Style::ok:
    os << rang::fg::green;
    break;
  case Style::warn:
    os << rang::fg::yellow;
    break;
  case Style::error:
    os << rang::fg::red << rang::style::bold;
    break;
  case Style::info:
    os << rang::fg::cyan;
    break;
  case Style::dim:
    os << rang::style::dim;
    break;
  case Style::bold:
    os << rang::style::bold;
    break;
  }
  os << text << rang::style::reset;
  return std::move(os).str();
}

Style status_style(int status) noexcept {
  if (status >= 200 && status < 300)
    return Style::ok;
  if (status >= 300 && status < 400)
    return Style::info;
  if (status >= 400 && status < 500)
    return Style::warn;
  return Style::error;
}

} // namespace hooktool::ui
