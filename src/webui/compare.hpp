#pragma once

#include "core/capture.hpp"

#include <string>

namespace hooktool::webui {

// What differs between two deliveries (GET /api/compare, README "listen --ui"), as a JSON
// object: "start_line" {"same","a","b"}; "headers" [{"name","change":"added|removed|changed",
// "a","b"}] (names compared case-insensitively, repeated headers joined with ", "); "body"
// {"kind":"json"|"text"|"binary","same", then "fields" [{"path","change","a","b"}] for two JSON
// bodies (a and b as JSON values, absent on the side that lacks the field), "lines" [{"op":
// " "|"-"|"+","text"}] for text (a line diff), or the two sizes for bytes that are not UTF-8}.
// Long lists are cut ("truncated": true).
std::string compare_json(const core::CaptureRecord& a, const core::CaptureRecord& b);

} // namespace hooktool::webui
