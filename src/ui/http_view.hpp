#pragma once

#include "model/http.hpp"
#include "ui/term.hpp"

#include <string>

namespace hooktool::ui {

// HTTPie-style request text: start line, headers, blank line, body (JSON as sent, a notice
// for binary bodies). Coloured when the stream has colour.
std::string render_request(const model::HttpRequest& request, Stream stream);
// The first line of a response body, shortened to max characters, control bytes replaced.
std::string body_snippet(std::string_view body, std::size_t max = 160);

} // namespace hooktool::ui
