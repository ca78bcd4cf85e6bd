#pragma once

// Raw loopback sockets for the hostile-client suites: bytes exactly as written, deadlines
// bounded by the caller, nothing buffered or interpreted.
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace raw {

using Clock = std::chrono::steady_clock;

// A listening loopback socket on a free port (written to port).
inline int loopback_listener(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 64) != 0)
    throw std::runtime_error("cannot bind loopback");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

// A socket connected to 127.0.0.1:port with Nagle off, or -1.
inline int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  const int yes = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  return fd;
}

// Writes all of `data` before `deadline`; false on error (reset, EPIPE) or timeout.
inline bool send_all(int fd, const std::string& data, Clock::time_point deadline) {
  std::size_t off = 0;
  while (off < data.size()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    const auto w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EAGAIN || errno == EINTR)
        continue;
      return false;
    }
    off += static_cast<std::size_t>(w);
  }
  return true;
}

// Appends to buf until `until(buf)`, EOF or error (closed = true), or the deadline; a
// deadline of now still takes what has already arrived.
inline void read_until(int fd, std::string& buf, Clock::time_point deadline,
                       const std::function<bool(const std::string&)>& until, bool& closed) {
  while (!until(buf) && !closed) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0)
      break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      break;
    char tmp[65536];
    const auto r = ::recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (r > 0)
      buf.append(tmp, static_cast<std::size_t>(r));
    else if (r == 0 || (errno != EAGAIN && errno != EINTR))
      closed = true;
  }
}

// How many status lines the server sent.
inline std::size_t response_count(const std::string& b) {
  std::size_t n = 0;
  for (auto p = b.find("HTTP/1."); p != std::string::npos; p = b.find("HTTP/1.", p + 1))
    ++n;
  return n;
}

} // namespace raw
