#include "model/url.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

namespace hooktool::model {

namespace {
Error bad_url(std::string_view text, std::string_view why) {
  return usage_error("invalid URL '" + util::printable(text) + "': " + std::string(why));
}
} // namespace

int Url::effective_port() const noexcept {
  if (port != 0)
    return port;
  return scheme == "https" ? 443 : 80;
}

std::string Url::str() const {
  std::string out = scheme + "://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0)
    out += ":" + std::to_string(port);
  out += path;
  if (!query.empty())
    out += "?" + query;
  return out;
}

Url parse_target(std::string_view text) {
  const auto input = util::trim(text);
  if (input.empty())
    throw bad_url(text, "it is empty");
  for (const char c : input)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F)
      throw bad_url(text, "it contains spaces or control characters");

  Url url;
  std::string_view rest = input;
  if (const auto sep = rest.find("://"); sep != std::string_view::npos) {
    url.scheme = util::to_lower(rest.substr(0, sep));
    if (url.scheme != "http" && url.scheme != "https")
      throw bad_url(text, "only http and https are supported");
    rest.remove_prefix(sep + 3);
  } else {
    url.scheme = "http";
  }
  if (const auto hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash);

  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view tail = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos)
    throw bad_url(text, "credentials in the URL are not supported; use --header");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      throw bad_url(text, "unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        throw bad_url(text, "unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty())
        throw bad_url(text, "missing port after ':'");
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    port_text = authority.substr(colon + 1);
    if (port_text.empty())
      throw bad_url(text, "missing port after ':'");
  } else {
    url.host = std::string(authority);
  }
  if (url.host.empty())
    url.host = "localhost"; // ":3000" means this machine, as in Stripe CLI's --forward-to
  if (!port_text.empty()) {
    long long port = 0;
    if (!util::parse_int64(port_text, port) || port < 1 || port > 65535)
      throw bad_url(text, "port must be a number from 1 to 65535");
    url.port = static_cast<int>(port);
  }
  for (const char c : url.host)
    if (c == '/' || c == '\\' || c == '[' || c == ']')
      throw bad_url(text, "invalid host");

  const auto q = tail.find('?');
  const auto path = tail.substr(0, q);
  url.path = path.empty() ? "/" : std::string(path);
  if (url.path.front() != '/')
    url.path.insert(url.path.begin(), '/');
  if (q != std::string_view::npos)
    url.query = std::string(tail.substr(q + 1));
  return url;
}

std::string add_query_param(std::string_view url, std::string_view name, std::string_view value) {
  std::string out(url);
  const auto hash = out.find('#');
  std::string fragment;
  if (hash != std::string::npos) {
    fragment = out.substr(hash);
    out.resize(hash);
  }
  const auto q = out.find('?');
  if (q == std::string::npos)
    out += '?';
  else if (q + 1 != out.size() && out.back() != '&')
    out += '&';
  out.append(name).append("=").append(value);
  return out + fragment;
}

} // namespace hooktool::model
