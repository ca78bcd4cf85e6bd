#include "util/form.hpp"

#include "util/strings.hpp"

namespace hooktool::util {

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  if (body.empty())
    return out;
  for (const auto part : split(body, '&')) {
    if (part.empty())
      continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(form_decode(part), "");
    else
      out.emplace_back(form_decode(part.substr(0, eq)), form_decode(part.substr(eq + 1)));
  }
  return out;
}

std::optional<std::string> form_field(std::string_view body, std::string_view name) {
  for (auto& [k, v] : parse_form(body))
    if (k == name)
      return std::move(v);
  return std::nullopt;
}

} // namespace hooktool::util
