#pragma once

#include "core/capture.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace hooktool::core {

// Where a delivery sits in its file, to read it again in a second pass.
struct SourcePosition {
  std::uint64_t offset = 0; // byte offset (capture lines) or entry index (HAR)
  std::size_t number = 0;   // line or entry number, 1-based, for messages
};

// Deliveries read from a capture file (JSON Lines) or a HAR document, the same way.
class DeliverySource {
public:
  virtual ~DeliverySource() = default;
  // The next delivery and where it is; nullopt at the end. A malformed one throws a usage
  // error "FILE:LINE: reason" (or "FILE: entry N: reason"); the next call goes on after it.
  virtual std::optional<std::pair<SourcePosition, CaptureRecord>> next() = 0;
  // The delivery at a position next() returned.
  virtual CaptureRecord at(const SourcePosition& position) = 0;
  // "lines" or "entries", for messages.
  [[nodiscard]] virtual const char* units() const noexcept = 0;
};

// Opens path as HAR when it looks like one (a JSON object starting with "log"), else as
// capture lines. A usage error naming the file when it cannot be read.
std::unique_ptr<DeliverySource> open_deliveries(const std::string& path);

} // namespace hooktool::core
