#pragma once

#include "core/capture.hpp"

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

namespace hooktool::core {

// One line of a capture file and where it starts.
struct CaptureLine {
  std::size_t number = 0;   // 1-based
  std::uint64_t offset = 0; // byte offset of the line's start
  std::string text;         // without the trailing newline
  bool complete = true;     // false when the file ends without a newline (a torn write)
};

// Streams a capture file line by line: memory stays the size of one line, whatever the file.
class CaptureReader {
public:
  // Opens the file; a usage error naming it when it cannot be read.
  explicit CaptureReader(std::string path);
  // The next non-blank line, or nullopt at the end of the file.
  std::optional<CaptureLine> next();
  // Reads the line starting at offset (from an earlier pass).
  CaptureLine read_at(std::uint64_t offset, std::size_t number);
  // Parses a line into a record; a usage error "FILE:LINE: reason" when it is not one, and
  // "not a hooktool capture file (FILE:LINE: reason)" when it is the file's first record; a
  // record that cannot be sent (a header holding CR, LF or NUL, …) is "FILE:LINE: reason".
  [[nodiscard]] CaptureRecord parse(const CaptureLine& line) const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
  std::ifstream in_;
  std::size_t number_ = 0;
  std::uint64_t offset_ = 0;
  std::size_t first_record_line_ = 0; // the line number of the first non-blank line
};

} // namespace hooktool::core
