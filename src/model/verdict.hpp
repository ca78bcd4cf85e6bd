#pragma once

#include <string>
#include <string_view>

namespace hooktool::model {

// Verification outcome, as printed and captured.
enum class VerdictStatus { valid, invalid, expired, unsigned_, unverified };

// "valid", "invalid", "expired", "unsigned", "unverified".
std::string_view to_string(VerdictStatus status) noexcept;

// A verification verdict with a human-readable reason (empty when valid).
struct Verdict {
  VerdictStatus status = VerdictStatus::unverified;
  std::string reason;
};

} // namespace hooktool::model
