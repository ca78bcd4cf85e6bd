#pragma once

#include "providers/provider.hpp"

#include <nlohmann/json.hpp>
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
// Deepest JSON nesting hooktool parses from untrusted input (real payloads nest ~10 levels).
inline constexpr std::size_t kMaxJsonDepth = 256;
// The body parsed as JSON, or nullopt (never throws, nor recurses past kMaxJsonDepth).
std::optional<nlohmann::json> parse_json(std::string_view body);
// String (or integer) values at the given key paths of a JSON object body, e.g. {"type"},
// {"event", "type"}; one entry per path, empty when absent or when the body is not JSON.
// Reads without building a document: the listener's hot path.
std::vector<std::string> json_fields(std::string_view body,
                                     const std::vector<std::vector<std::string_view>>& paths);
// A string member (or a number rendered as text) of a JSON object; empty when absent.
std::string json_text(const nlohmann::json& j, std::string_view key);
// Decoded name/value pairs of an application/x-www-form-urlencoded body, in order.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);
// The first decoded value of field name in a form body, if present.
std::optional<std::string> form_field(std::string_view body, std::string_view name);
// True when the Content-Type header names a form body.
bool is_form(const core::Headers& headers);
// Flips one character of a hex or base64 signature at pos so it no longer matches.
void corrupt_at(std::string& value, std::size_t pos);
// Verdicts for the common cases.
Verdict valid();
Verdict invalid(std::string reason);

} // namespace hooktool::providers::detail
