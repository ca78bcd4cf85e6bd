#include "ui/curl_command.hpp"

#include "util/strings.hpp"

#include <array>
#include <cstdio>

namespace hooktool::ui {

std::string ansi_c_quote(std::string_view bytes) {
  // Readable UTF-8 stays as it is; anything else is escaped byte by byte.
  const bool utf8 = util::is_valid_utf8(bytes);
  std::string out = "$'";
  std::array<char, 8> buf{};
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\'':
      out += "\\'";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\r':
      out += "\\r";
      break;
    default:
      if (u < 0x20 || u == 0x7F || (u >= 0x80 && !utf8)) {
        // \xHH is greedy in bash only up to two digits, so this is unambiguous.
        std::snprintf(buf.data(), buf.size(), "\\x%02X", u);
        out += buf.data();
      } else {
        out += c;
      }
    }
  }
  return out + "'";
}

std::string to_curl(const model::HttpRequest& request, const std::string& body_file) {
  std::string out =
      "curl -sS -X " + util::shell_quote(request.method) + " " + util::shell_quote(request.url);
  for (const auto& h : request.headers) {
    // curl's syntax for a header with an empty value is "Name;".
    out +=
        " \\\n  -H " + util::shell_quote(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
  }
  out += " \\\n  -H 'Expect:'";
  // Keep curl from adding headers the delivery did not carry.
  if (!model::find_header(request.headers, "User-Agent"))
    out += " -H 'User-Agent:'";
  if (!model::find_header(request.headers, "Accept"))
    out += " -H 'Accept:'";
  if (!model::find_header(request.headers, "Content-Type") && !request.body.empty())
    out += " -H 'Content-Type:'"; // keep curl from adding its form default
  if (!body_file.empty())
    out += " \\\n  --data-binary @" + util::shell_quote(body_file);
  else if (!request.body.empty())
    out += " \\\n  --data-binary " + ansi_c_quote(request.body);
  return out + "\n";
}

} // namespace hooktool::ui
