#include "ui/curl_command.hpp"

#include "util/strings.hpp"

#include <array>
#include <cstdio>

namespace hooktool::ui {

namespace {

// True when the bytes can be shown as they are: UTF-8 without C0, DEL or C1 controls.
bool terminal_safe(std::string_view bytes) {
  return util::printable(bytes) == bytes && bytes.find('\t') == std::string_view::npos;
}

void append_octal(std::string& out, unsigned char b) {
  std::array<char, 8> buf{};
  std::snprintf(buf.data(), buf.size(), "\\%03o", static_cast<unsigned>(b));
  out += buf.data();
}

} // namespace

std::string printf_format(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 2);
  for (std::size_t i = 0; i < bytes.size();) {
    const char c = bytes[i];
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == '%') {
      out += c;
      out += c;
      ++i;
    } else if (u >= 0x20 && u < 0x7F && c != '\'' && (i > 0 || c != '-')) {
      out += c;
      ++i;
    } else if (u < 0x80) {
      // Controls, DEL, the quote that would end the format, and a leading '-' (printf would
      // take the format for an option).
      append_octal(out, u);
      ++i;
    } else {
      // A run of non-ASCII bytes: kept when it is safe UTF-8 text, else escaped byte by byte.
      std::size_t end = i;
      while (end < bytes.size() && static_cast<unsigned char>(bytes[end]) >= 0x80)
        ++end;
      const auto run = bytes.substr(i, end - i);
      if (terminal_safe(run))
        out += run;
      else
        for (const char b : run)
          append_octal(out, static_cast<unsigned char>(b));
      i = end;
    }
  }
  return out;
}

std::string shell_word(std::string_view bytes) {
  if (terminal_safe(bytes))
    return util::shell_quote(bytes);
  return "\"$(printf '" + printf_format(bytes) + "')\"";
}

std::string to_curl(const model::HttpRequest& request, const std::string& body_file) {
  std::string notes;
  std::string out = "curl -sS -X " + shell_word(request.method) + " " + shell_word(request.url);
  for (const auto& h : request.headers) {
    // curl reads `-H @NAME` as a file of headers: such a line cannot be given on the command line.
    if (h.name.empty() || h.name.front() == '@') {
      notes += "# a header named " + shell_word(h.name) + " is left out: curl -H cannot send it\n";
      continue;
    }
    // curl's syntax for a header with an empty value is "Name;".
    out += " \\\n  -H " + shell_word(h.value.empty() ? h.name + ";" : h.name + ": " + h.value);
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
    return notes + out + " \\\n  --data-binary @" + shell_word(body_file) + "\n";
  if (request.body.empty())
    return notes + out + "\n";
  return notes + "printf '" + printf_format(request.body) + "' |\n" + out +
         " \\\n  --data-binary @-\n";
}

} // namespace hooktool::ui
