#pragma once

#include "providers/provider.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Helpers shared by the provider implementations; not part of the provider interface.
namespace hooktool::providers::detail {

// "<n> s old (tolerance <t> s)" when ts falls outside the window, else nullopt.
std::optional<std::string> outside_window(Window window, std::int64_t ts, std::int64_t now,
                                          std::int64_t tolerance);
// Tolerance in force: the explicit one, else the provider default.
std::int64_t tolerance_of(const Provider& p, const VerifyParams& params) noexcept;
// Parses a Unix-seconds header value; nullopt when it is not a plain integer.
std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept;
// Flips one character of a hex or base64 signature at pos so it no longer matches.
void corrupt_at(std::string& value, std::size_t pos);
// Verdicts for the common cases.
Verdict valid();
Verdict invalid(std::string reason);

} // namespace hooktool::providers::detail
