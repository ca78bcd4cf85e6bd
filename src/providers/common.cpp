#include "providers/common.hpp"

#include "crypto/crypto.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace hooktool::providers {

namespace detail {

std::optional<std::string> outside_window(Window window, std::int64_t ts, std::int64_t now,
                                          std::int64_t tolerance) {
  if (window == Window::none || tolerance <= 0)
    return std::nullopt;
  const auto age = now - ts;
  if (age > tolerance)
    return "timestamp is " + std::to_string(age) + " s old (tolerance " +
           std::to_string(tolerance) + " s)";
  if (window == Window::past_and_future && -age > tolerance)
    return "timestamp is " + std::to_string(-age) + " s in the future (tolerance " +
           std::to_string(tolerance) + " s)";
  return std::nullopt;
}

std::int64_t tolerance_of(const Provider& p, const VerifyParams& params) noexcept {
  return params.tolerance ? *params.tolerance : p.default_tolerance();
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept {
  long long v = 0;
  if (text.empty() || text.front() == '-' || !util::parse_int64(text, v))
    return std::nullopt;
  return static_cast<std::int64_t>(v);
}

void corrupt_at(std::string& value, std::size_t pos) {
  if (value.empty()) {
    value = "0";
    return;
  }
  pos = std::min(pos, value.size() - 1);
  char& c = value[pos];
  // Stay inside the hex/base64 alphabet so the header still parses and only the MAC is wrong.
  if (c == '9')
    c = '0';
  else if (c == 'f')
    c = 'a';
  else if ((c >= '0' && c <= '8') || (c >= 'a' && c <= 'e') || (c >= 'A' && c <= 'Y') ||
           (c >= 'g' && c <= 'y'))
    ++c;
  else
    c = 'A';
}

Verdict valid() {
  return {VerdictStatus::valid, {}};
}
Verdict invalid(std::string reason) {
  return {VerdictStatus::invalid, std::move(reason)};
}

} // namespace detail
} // namespace hooktool::providers
