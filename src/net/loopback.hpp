#pragma once
// The one "is this target on this machine" check (replay and forward confirmation, the warning
// for a listener bound elsewhere, the inspector's peer check).

#include <string_view>

namespace hooktool::net {

// True only for a loopback host: an IPv4 address in 127.0.0.0/8 written as four decimal parts,
// ::1 (bare or in brackets, any spelling inet_pton reads, IPv4-mapped 127.x too), or the name
// localhost exactly (any case, one trailing dot allowed). No prefix or suffix match:
// 127.0.0.1.evil.com, 127.example.com, localhost.example and 0x7f.0.0.1 are not loopback.
bool is_loopback_host(std::string_view host) noexcept;

// is_loopback_host for the host of an "ip:port" or "[ip]:port" peer address.
bool is_loopback_peer(std::string_view address) noexcept;

} // namespace hooktool::net
