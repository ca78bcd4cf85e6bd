#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace hooktool::util {

// Whole file as bytes; a usage error naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);
// A regular file (symbolic links followed) of at most max_bytes, as bytes. Anything else is a
// usage error naming the path and never quoting the content: a FIFO, a device or a directory
// (opened without blocking, so /dev/zero or a FIFO with no writer cannot hang the caller), or
// a file larger than max_bytes.
std::string read_regular_file(const std::filesystem::path& path, std::size_t max_bytes);
// "@file" reads a file, "-" or "@-" reads stdin, anything else is the text itself.
std::string read_arg(std::string_view arg);
// All of standard input as bytes.
std::string read_stdin();

// Writes bytes to path, replacing its contents; created with mode 0600. Usage error on failure,
// and for a symbolic link at path (not followed).
void write_file(const std::filesystem::path& path, std::string_view bytes);

// A file opened for appending whole records: created with mode 0600, one write() per record.
class AppendFile {
public:
  // Opens (creating with 0600) or throws a usage error naming the path; a symbolic link at path
  // is refused (O_NOFOLLOW), not followed.
  explicit AppendFile(const std::filesystem::path& path);
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  ~AppendFile();
  // Appends bytes with a single write (retrying on short writes); throws on failure.
  void append(std::string_view bytes);
  // Appends every part, in order, with as few writes as the kernel allows (writev, retrying on
  // short writes), and returns the file offset just past them (the file is opened O_APPEND, so
  // with the caller holding the only writer's lock that is where they end; 0 when the offset
  // cannot be read). On failure the parts already written are taken back (the file stays whole
  // lines) and it throws.
  std::uint64_t append_all(std::span<const std::string_view> parts);
  // Flushes the file's data to the device (fdatasync); throws on failure.
  void sync();
  // A warning for the user when an existing file is readable by group or others; else empty.
  [[nodiscard]] const std::string& warning() const { return warning_; }

private:
  int fd_ = -1;
  std::string path_;
  std::string warning_;
};

} // namespace hooktool::util
