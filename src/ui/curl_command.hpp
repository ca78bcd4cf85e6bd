#pragma once

#include "model/http.hpp"

#include <string>

namespace hooktool::ui {

// Quotes bytes for bash as $'…' (\n, \t, \xHH escapes; valid UTF-8 kept as is); NUL cannot be.
std::string ansi_c_quote(std::string_view bytes);

// A ready-to-run curl command for the request. The body is inlined with $'…' quoting, or,
// when body_file is not empty (bodies holding NUL bytes), read from that file.
std::string to_curl(const model::HttpRequest& request, const std::string& body_file);

} // namespace hooktool::ui
