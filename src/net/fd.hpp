#pragma once
// The listener engine's name for an owned file descriptor (util's).

#include "util/fd.hpp"

namespace hooktool::net::server {

using util::Fd;

} // namespace hooktool::net::server
