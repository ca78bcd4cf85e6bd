#pragma once

#include <string_view>

namespace hooktool::util {

// hooktool's version ("0.1.0"), from the CMake project; only version.cpp sees the definition,
// so a version bump recompiles one file.
std::string_view version() noexcept;

} // namespace hooktool::util
