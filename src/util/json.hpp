#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Reading JSON from untrusted bodies: bounded, never throwing.
namespace hooktool::util {

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

} // namespace hooktool::util
