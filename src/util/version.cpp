#include "util/version.hpp"

namespace hooktool::util {

std::string_view version() noexcept {
  return HOOKTOOL_VERSION;
}

} // namespace hooktool::util
