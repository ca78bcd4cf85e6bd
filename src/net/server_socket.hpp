#pragma once
// The listening socket and the small socket facts the engine needs.

#include "net/fd.hpp"

#include <string>
#include <sys/socket.h>

namespace hooktool::net::server {

// A non-blocking listening TCP socket bound to host:port (port 0: any free one); a usage error
// when the address is taken or not local. Sets the bound port.
Fd listen_tcp(const std::string& host, int port, int& bound_port);

// "ip:port" ("[ip]:port" for IPv6) of a socket address.
std::string format_address(const sockaddr_storage& addr);

// Raises the soft limit on open files to the hard one (the listener holds one per client);
// returns the limit now in force.
std::size_t raise_open_file_limit() noexcept;

} // namespace hooktool::net::server
