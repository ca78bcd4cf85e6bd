#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hooktool::util {

// How many fractional digits an RFC 3339 time carries.
enum class Precision { seconds, millis, micros };

// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_ms() noexcept;
// Seconds since the Unix epoch, from the system clock.
inline std::int64_t now_s() noexcept {
  return now_ms() / 1000;
}
// "2026-11-25T12:00:00.123Z" (UTC) for a time in milliseconds.
std::string format_rfc3339(std::int64_t epoch_ms, Precision precision);
// "Wed, 25 Nov 2026 12:00:00 +0000" for a time in seconds.
std::string format_rfc2822(std::int64_t epoch_s);
// "12:00:01" local wall-clock time, for terminal lines.
std::string format_clock(std::int64_t epoch_ms);
// Parses RFC 3339 ("Z" or a numeric offset, optional fraction) into epoch ms.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// Parses "1.5", "500ms", "2s", "1m" into milliseconds; plain numbers are seconds.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

} // namespace hooktool::util
