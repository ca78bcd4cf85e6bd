#include "util/files.hpp"

#include "util/error.hpp"
#include "util/fd.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

namespace hooktool::util {

std::string read_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw usage_error(path.string() + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw usage_error(path.string() + ": cannot read (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    throw usage_error(path.string() + ": read error");
  return std::move(ss).str();
}

namespace {

std::string_view file_kind(mode_t mode) noexcept {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

std::string size_text(std::size_t bytes) {
  return bytes % 1024 == 0 ? std::to_string(bytes / 1024) + " KiB"
                           : std::to_string(bytes) + " bytes";
}

} // namespace

std::string read_regular_file(const std::filesystem::path& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0)
    throw usage_error(path.string() + ": cannot read (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw usage_error(path.string() + ": cannot read (" + std::strerror(errno) + ")");
  if (!S_ISREG(st.st_mode))
    throw usage_error(path.string() + ": is " + std::string(file_kind(st.st_mode)) +
                      ", not a regular file");
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes)
    throw usage_error(path.string() + ": is larger than " + size_text(max_bytes));
  std::string out(max_bytes + 1, '\0'); // one byte more: a file that grew since fstat
  std::size_t got = 0;
  while (got < out.size()) {
    const auto n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw usage_error(path.string() + ": read error (" + std::strerror(errno) + ")");
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes)
    throw usage_error(path.string() + ": is larger than " + size_text(max_bytes));
  out.resize(got);
  return out;
}

std::string read_stdin() {
  std::ostringstream ss;
  ss << std::cin.rdbuf();
  return std::move(ss).str();
}

std::string read_arg(std::string_view arg) {
  if (arg == "-" || arg == "@-")
    return read_stdin();
  if (!arg.empty() && arg.front() == '@')
    return read_file(std::string(arg.substr(1)));
  return std::string(arg);
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0 && errno == ELOOP)
    throw usage_error(printable(path.string()) +
                      ": is a symbolic link; hooktool does not write through one");
  if (fd < 0)
    throw usage_error(printable(path.string()) + ": cannot write (" + std::strerror(errno) + ")");
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw usage_error(path.string() + ": write failed (" + std::strerror(err) + ")");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::close(fd) != 0)
    throw usage_error(path.string() + ": write failed (" + std::strerror(errno) + ")");
}

AppendFile::AppendFile(const std::filesystem::path& path) : path_(path.string()) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0 && errno == ELOOP)
    throw usage_error(printable(path_) + ": is a symbolic link; hooktool does not write " +
                      "through one (give the file's own path)");
  if (fd_ < 0)
    throw usage_error(printable(path_) + ": cannot open for writing (" + std::strerror(errno) +
                      ")");
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0044) != 0)
    warning_ = printable(path_) + " is readable by other users and holds deliveries (chmod 600 " +
               printable(path_) + ")";
}

AppendFile::~AppendFile() {
  if (fd_ >= 0)
    ::close(fd_);
}

void AppendFile::append(std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      const int err = errno;
      // Take back a partial record so the file stays whole lines (a full disk, a quota).
      if (written > 0) {
        const auto end = ::lseek(fd_, 0, SEEK_END);
        if (end >= static_cast<off_t>(written))
          (void)::ftruncate(fd_, end - static_cast<off_t>(written));
      }
      throw failure(path_ + ": write failed (" + std::strerror(err) + ")");
    }
    written += static_cast<std::size_t>(n);
  }
}

std::uint64_t AppendFile::append_all(std::span<const std::string_view> parts) {
  std::vector<iovec> iov;
  iov.reserve(parts.size());
  std::size_t total = 0;
  for (const auto part : parts) {
    if (part.empty())
      continue;
    // writev takes non-const buffers but does not write to them.
    iov.push_back({const_cast<char*>(part.data()), part.size()}); // NOLINT(*-const-cast)
    total += part.size();
  }
  std::size_t written = 0;
  std::size_t first = 0; // the first iovec not yet fully written
  while (written < total) {
    const auto count = std::min<std::size_t>(iov.size() - first, IOV_MAX);
    const auto n = ::writev(fd_, iov.data() + first, static_cast<int>(count));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      const int err = errno;
      if (written > 0) { // take back the partial batch, as append() does
        const auto end = ::lseek(fd_, 0, SEEK_END);
        if (end >= static_cast<off_t>(written))
          (void)::ftruncate(fd_, end - static_cast<off_t>(written));
      }
      throw failure(path_ + ": write failed (" + std::strerror(err) + ")");
    }
    written += static_cast<std::size_t>(n);
    for (auto left = static_cast<std::size_t>(n); left > 0 && first < iov.size();) {
      auto& v = iov[first];
      const auto step = std::min(left, v.iov_len);
      v.iov_base = static_cast<char*>(v.iov_base) + step;
      v.iov_len -= step;
      left -= step;
      if (v.iov_len == 0)
        ++first;
    }
  }
  // O_APPEND moved the offset to the end of what was just written.
  const auto end = ::lseek(fd_, 0, SEEK_CUR);
  return end < 0 ? 0 : static_cast<std::uint64_t>(end);
}

void AppendFile::sync() {
  if (::fdatasync(fd_) != 0)
    throw failure(path_ + ": fsync failed (" + std::strerror(errno) + ")");
}

} // namespace hooktool::util
