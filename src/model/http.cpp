#include "model/http.hpp"

#include "util/strings.hpp"

#include <algorithm>

namespace hooktool::model {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers)
    if (util::iequals(h.name, name))
      return std::string_view(h.value);
  return std::nullopt;
}

std::vector<std::string_view> find_headers(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& h : headers)
    if (util::iequals(h.name, name))
      out.emplace_back(h.value);
  return out;
}

void set_header(Headers& headers, std::string name, std::string value) {
  auto first = std::find_if(headers.begin(), headers.end(),
                            [&](const Header& h) { return util::iequals(h.name, name); });
  if (first == headers.end()) {
    headers.push_back({std::move(name), std::move(value)});
    return;
  }
  first->name = std::move(name);
  first->value = std::move(value);
  const auto& kept = first->name;
  headers.erase(std::remove_if(std::next(first), headers.end(),
                               [&](const Header& h) { return util::iequals(h.name, kept); }),
                headers.end());
}

std::size_t remove_header(Headers& headers, std::string_view name) {
  const auto before = headers.size();
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const Header& h) { return util::iequals(h.name, name); }),
                headers.end());
  return before - headers.size();
}

std::optional<Header> parse_header_line(std::string_view line) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  const auto name = util::trim(line.substr(0, colon));
  if (name.empty())
    return std::nullopt;
  for (const char c : name)
    if (c <= ' ' || c == 0x7F)
      return std::nullopt;
  return Header{std::string(name), std::string(util::trim(line.substr(colon + 1)))};
}

bool is_form(const Headers& headers) {
  const auto ct = find_header(headers, "Content-Type");
  return ct && util::starts_with(util::to_lower(*ct), "application/x-www-form-urlencoded");
}

bool is_hop_by_hop(std::string_view name) noexcept {
  static constexpr std::string_view kNames[] = {"Host",
                                                "Content-Length",
                                                "Connection",
                                                "Keep-Alive",
                                                "Transfer-Encoding",
                                                "TE",
                                                "Trailer",
                                                "Upgrade",
                                                "Proxy-Connection",
                                                "Proxy-Authorization",
                                                "Proxy-Authenticate",
                                                "Expect"};
  for (const auto h : kNames)
    if (util::iequals(name, h))
      return true;
  return false;
}

} // namespace hooktool::model
