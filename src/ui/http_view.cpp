#include "ui/http_view.hpp"

#include "util/strings.hpp"

namespace hooktool::ui {

std::string render_request(const model::HttpRequest& request, Stream stream) {
  std::string out = paint(util::printable(request.method), Style::bold, stream) + " " +
                    paint(util::printable(request.url), Style::info, stream) + " HTTP/1.1\n";
  for (const auto& h : request.headers)
    out +=
        paint(util::printable(h.name), Style::dim, stream) + ": " + util::printable(h.value) + "\n";
  out += "\n";
  if (!util::is_valid_utf8(request.body)) {
    out += paint("+-----------------------------------------+\n"
                 "| NOTE: binary data not shown (" +
                     std::to_string(request.body.size()) +
                     " bytes) |\n"
                     "+-----------------------------------------+",
                 Style::dim, stream);
  } else {
    out += util::printable_text(request.body);
  }
  if (!out.empty() && out.back() != '\n')
    out += "\n";
  return out;
}

std::string body_snippet(std::string_view body, std::size_t max) {
  auto line = util::trim(body.substr(0, body.find('\n')));
  std::string out = util::printable(line.substr(0, max));
  if (line.size() > max || body.find('\n') != std::string_view::npos)
    out += "…";
  return out;
}

} // namespace hooktool::ui
