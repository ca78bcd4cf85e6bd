#include "model/verdict.hpp"

namespace hooktool::model {

std::string_view to_string(VerdictStatus status) noexcept {
  switch (status) {
  case VerdictStatus::valid:
    return "valid";
  case VerdictStatus::invalid:
    return "invalid";
  case VerdictStatus::expired:
    return "expired";
  case VerdictStatus::unsigned_:
    return "unsigned";
  case VerdictStatus::unverified:
    return "unverified";
  }
  return "unverified";
}

} // namespace hooktool::model
