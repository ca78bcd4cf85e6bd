#include "ui/progress.hpp"

#include <algorithm>
#include <cstdio>

namespace hooktool::ui {

std::string progress_line(const net::LoadProgress& p, std::size_t width) {
  double fraction = 0;
  if (p.total > 0)
    fraction = static_cast<double>(p.done) / static_cast<double>(p.total);
  else if (p.duration_ms > 0)
    fraction = static_cast<double>(p.elapsed_ms) / static_cast<double>(p.duration_ms);
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(width));
  std::string bar(filled, '=');
  if (filled < width)
    bar += '>' + std::string(width - filled - 1, ' ');
  const double rate = p.elapsed_ms > 0
                          ? static_cast<double>(p.done) * 1000.0 / static_cast<double>(p.elapsed_ms)
                          : 0;
  double eta_s = 0;
  if (p.total > 0 && rate > 0)
    eta_s = static_cast<double>(p.total - p.done) / rate;
  else if (p.duration_ms > 0)
    eta_s = static_cast<double>(std::max<std::int64_t>(0, p.duration_ms - p.elapsed_ms)) / 1000.0;
  char text[160];
  if (p.total > 0)
    std::snprintf(text, sizeof text, " %lld/%lld  %.0f/s  errors %lld  ETA %.0fs",
                  static_cast<long long>(p.done), static_cast<long long>(p.total), rate,
                  static_cast<long long>(p.errors), eta_s);
  else
    std::snprintf(text, sizeof text, " %lld  %.0f/s  errors %lld  ETA %.0fs",
                  static_cast<long long>(p.done), rate, static_cast<long long>(p.errors), eta_s);
  return "\r[" + bar + "]" + text + "\x1b[K";
}

std::string clear_line() {
  return "\r\x1b[K";
}

} // namespace hooktool::ui
