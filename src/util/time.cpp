#include "util/time.hpp"

#include "util/strings.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace hooktool::util {

namespace {

std::tm utc(std::int64_t epoch_s) {
  const auto t = static_cast<std::time_t>(epoch_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool take_digits(std::string_view& s, std::size_t n, int& out) {
  if (s.size() < n)
    return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    out = out * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  return true;
}

bool take_char(std::string_view& s, char c) {
  if (s.empty() || (s.front() != c && !(c == 'T' && (s.front() == 't' || s.front() == ' '))))
    return false;
  s.remove_prefix(1);
  return true;
}

} // namespace

std::int64_t now_ms() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {

// Writes v as exactly `width` decimal digits at p (v must fit).
char* put_digits(char* p, int v, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

} // namespace

std::string format_rfc3339(std::int64_t epoch_ms, Precision precision) {
  auto secs = epoch_ms / 1000;
  auto ms = epoch_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  const auto tm = utc(secs);
  const int year = tm.tm_year + 1900;
  if (year < 0 || year > 9999) { // five digits or a sign: as printf writes them
    std::array<char, 48> buf{};
    const int n = std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d", year,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    std::string out(buf.data(), static_cast<std::size_t>(n));
    if (precision != Precision::seconds)
      out += "." + std::string(3 - std::to_string(ms).size(), '0') + std::to_string(ms);
    if (precision == Precision::micros)
      out += "000";
    return out + "Z";
  }
  // YYYY-MM-DDTHH:MM:SS[.mmm[000]]Z without printf: load mode writes several per delivery.
  std::array<char, 32> buf{};
  char* p = put_digits(buf.data(), year, 4);
  *p++ = '-';
  p = put_digits(p, tm.tm_mon + 1, 2);
  *p++ = '-';
  p = put_digits(p, tm.tm_mday, 2);
  *p++ = 'T';
  p = put_digits(p, tm.tm_hour, 2);
  *p++ = ':';
  p = put_digits(p, tm.tm_min, 2);
  *p++ = ':';
  p = put_digits(p, tm.tm_sec, 2);
  if (precision != Precision::seconds) {
    *p++ = '.';
    p = put_digits(p, static_cast<int>(ms), 3);
  }
  if (precision == Precision::micros)
    p = put_digits(p, 0, 3);
  *p++ = 'Z';
  return {buf.data(), static_cast<std::size_t>(p - buf.data())};
}

std::string format_rfc2822(std::int64_t epoch_s) {
  const auto tm = utc(epoch_s);
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::array<char, 48> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%s, %02d %s %04d %02d:%02d:%02d +0000",
                              days.at(static_cast<std::size_t>(tm.tm_wday)), tm.tm_mday,
                              months.at(static_cast<std::size_t>(tm.tm_mon)), tm.tm_year + 1900,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
  return {buf.data(), static_cast<std::size_t>(n)};
}

std::string format_clock(std::int64_t epoch_ms) {
  const auto t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::array<char, 16> buf{};
  const int n =
      std::snprintf(buf.data(), buf.size(), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
  return {buf.data(), static_cast<std::size_t>(n)};
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!take_digits(s, 4, year) || !take_char(s, '-') || !take_digits(s, 2, month) ||
      !take_char(s, '-') || !take_digits(s, 2, day) || !take_char(s, 'T') ||
      !take_digits(s, 2, hour) || !take_char(s, ':') || !take_digits(s, 2, minute) ||
      !take_char(s, ':') || !take_digits(s, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::int64_t ms = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int digits = 0;
    std::int64_t scale = 100;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      ms += (s.front() - '0') * scale;
      scale /= 10;
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0)
      return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (!s.empty() && (s.front() == 'Z' || s.front() == 'z')) {
    s.remove_prefix(1);
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    const int sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
    int oh = 0, om = 0;
    if (!take_digits(s, 2, oh) || !take_char(s, ':') || !take_digits(s, 2, om))
      return std::nullopt;
    offset_min = static_cast<std::int64_t>(sign) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  if (!s.empty())
    return std::nullopt;
  const auto days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const auto secs = days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second -
                    offset_min * 60;
  return secs * 1000 + ms;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  text = trim(text);
  double scale = 1000.0;
  if (text.ends_with("ms")) {
    scale = 1.0;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  } else if (text.ends_with("m")) {
    scale = 60000.0;
    text.remove_suffix(1);
  } else if (text.ends_with("h")) {
    scale = 3600000.0;
    text.remove_suffix(1);
  }
  if (text.empty())
    return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 || !std::isfinite(value))
    return std::nullopt;
  return static_cast<std::int64_t>(std::llround(value * scale));
}

} // namespace hooktool::util
