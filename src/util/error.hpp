#pragma once

#include <stdexcept>
#include <string>

namespace hooktool {

// Process exit statuses, as documented in the README.
enum class ExitCode : int { success = 0, failure = 1, usage = 2 };

// The one error type that crosses layers; main turns it into a line on stderr and an exit code.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  // The exit status this error maps to.
  [[nodiscard]] ExitCode code() const noexcept { return code_; }

private:
  ExitCode code_;
};

// Bad flags, unreadable files, malformed input: exit 2.
inline Error usage_error(const std::string& message) {
  return {ExitCode::usage, message};
}
// A delivery or expectation failed: exit 1.
inline Error failure(const std::string& message) {
  return {ExitCode::failure, message};
}

} // namespace hooktool
