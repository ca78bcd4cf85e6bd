#pragma once

#include <string>

namespace hooktool::core {

// "hooktool X.Y.Z" and the versions of the libraries it was built with and runs against.
std::string version_report();

} // namespace hooktool::core
