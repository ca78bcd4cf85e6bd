#pragma once

#include <span>
#include <string_view>

namespace hooktool::core {

// A fixture file compiled into the binary: "<provider>/<event>.<ext>" and its bytes.
struct EmbeddedFile {
  std::string_view path;
  std::string_view data;
};

// The built-in fixtures, sorted by path (generated from fixtures/ at build time).
std::span<const EmbeddedFile> embedded_fixtures();

} // namespace hooktool::core
