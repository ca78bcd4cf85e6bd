#include "net/loopback.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string>

namespace hooktool::net {

bool is_loopback_host(std::string_view host) noexcept {
  bool bracketed = false; // "[...]" holds an IPv6 address, nothing else
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    bracketed = true;
  }
  if (host.empty() || host.size() > 64 || host.find('\0') != std::string_view::npos)
    return false;
  std::string_view name = host;
  if (name.back() == '.')
    name.remove_suffix(1);
  if (name.size() == 9 && !bracketed) {
    bool same = true;
    for (std::size_t i = 0; i < 9; ++i)
      same = same && (name[i] | 0x20) == "localhost"[i];
    if (same)
      return true;
  }
  try {
    const std::string text(host);
    in_addr v4{};
    // glibc's inet_pton reads exactly four decimal parts (no "127.1", no hex, no octal).
    if (!bracketed && ::inet_pton(AF_INET, text.c_str(), &v4) == 1)
      return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1)
      return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  } catch (...) {
    return false;
  }
  return false;
}

bool is_loopback_peer(std::string_view address) noexcept {
  if (address.starts_with('[')) {
    const auto close = address.find(']');
    return close != std::string_view::npos && is_loopback_host(address.substr(0, close + 1));
  }
  const auto colon = address.rfind(':');
  if (colon != std::string_view::npos && address.find(':') == colon)
    address = address.substr(0, colon); // "ip:port"; a bare IPv6 address has several colons
  return is_loopback_host(address);
}

} // namespace hooktool::net
