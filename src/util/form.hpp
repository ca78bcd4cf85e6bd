#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// application/x-www-form-urlencoded bodies.
namespace hooktool::util {

// Decoded name/value pairs of a form body, in order.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);
// The first decoded value of field name in a form body, if present.
std::optional<std::string> form_field(std::string_view body, std::string_view name);

} // namespace hooktool::util
