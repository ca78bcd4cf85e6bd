#include "core/dev_secrets.hpp"

#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hooktool::core {

namespace {

constexpr std::size_t kMaxSecretFile = 64 * 1024;

using util::Fd;

std::string errno_text() {
  return std::strerror(errno);
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& why) {
  throw usage_error("development secret " + path.string() + ": " + why);
}

// The directory for secrets, created 0700 when missing; refused when it is a symbolic link or
// not a directory.
void ensure_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail(dir, "cannot create the folder: " + errno_text());
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    fail(dir, errno_text());
  if (!S_ISDIR(st.st_mode))
    fail(dir, "not a folder (a symbolic link or a file is not followed)");
}

// Writes the secret (and a final newline) to a fresh temporary file beside path.
std::filesystem::path write_temp(const std::filesystem::path& path, const std::string& value) {
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  const Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    fail(tmp, "cannot write: " + errno_text());
  const std::string bytes = value + "\n";
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      ::unlink(tmp.c_str());
      fail(tmp, "cannot write: " + errno_text());
    }
    done += static_cast<std::size_t>(n);
  }
  return tmp;
}

// The file's secret (without the final newline); nullopt when the file does not exist.
std::optional<std::string> read_secret(const std::filesystem::path& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT)
      return std::nullopt;
    fail(path, errno == ELOOP ? "a symbolic link (not followed)" : "cannot read: " + errno_text());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    fail(path, "not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxSecretFile)
    fail(path, "larger than 64 KiB: not a secret");
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const auto n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  if (!bytes.empty() && bytes.back() == '\n')
    bytes.pop_back();
  if (bytes.empty())
    fail(path, "empty");
  return bytes;
}

std::int64_t stat_mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

void check_secret(const providers::Provider& provider, const std::filesystem::path& path,
                  const std::string& value) {
  try {
    provider.validate_secret(value);
  } catch (const Error&) {
    fail(path, "not a " + std::string(provider.id()) + " secret (hooktool secret " +
                   std::string(provider.id()) + " --rotate)");
  }
}

} // namespace

std::filesystem::path DevSecrets::default_dir() {
  const auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
  };
  if (const auto own = env("HOOKTOOL_STATE_DIR"); !own.empty())
    return own;
  if (const auto xdg = env("XDG_STATE_HOME"); !xdg.empty() && xdg.front() == '/')
    return std::filesystem::path(xdg) / "hooktool";
  if (const auto home = env("HOME"); !home.empty())
    return std::filesystem::path(home) / ".local" / "state" / "hooktool";
  return {};
}

DevSecrets::DevSecrets(std::filesystem::path state_dir)
    : dir_(state_dir.empty() ? std::filesystem::path{} : std::move(state_dir) / "secrets") {}

std::filesystem::path DevSecrets::path_for(const providers::Provider& provider) const {
  return dir_ / std::string(providers::secret_family(provider.id()));
}

std::optional<DevSecrets::Secret> DevSecrets::find(const providers::Provider& provider) const {
  if (dir_.empty())
    return std::nullopt;
  const auto path = path_for(provider);
  auto value = read_secret(path);
  if (!value)
    return std::nullopt;
  check_secret(provider, path, *value);
  return Secret{std::move(*value), path, false};
}

DevSecrets::Secret DevSecrets::get_or_create(const providers::Provider& provider) {
  if (dir_.empty())
    throw usage_error("no folder for the development secret: HOME is not set (set "
                      "HOOKTOOL_STATE_DIR, or give --secret)");
  if (auto found = find(provider))
    return std::move(*found);
  ensure_dir(dir_);
  const auto path = path_for(provider);
  auto value = provider.generate_secret();
  const auto tmp = write_temp(path, value);
  // link() never replaces: when another hooktool created the secret first, both use that one.
  const bool won = ::link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!won) {
    if (link_errno != EEXIST)
      fail(path, "cannot write: " + std::string(std::strerror(link_errno)));
    if (auto found = find(provider))
      return std::move(*found);
    fail(path, "cannot read back");
  }
  return Secret{std::move(value), path, true};
}

DevSecrets::Secret DevSecrets::rotate(const providers::Provider& provider) {
  if (dir_.empty())
    throw usage_error("no folder for the development secret: HOME is not set (set "
                      "HOOKTOOL_STATE_DIR)");
  ensure_dir(dir_);
  const auto path = path_for(provider);
  auto value = provider.generate_secret();
  const auto tmp = write_temp(path, value);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    fail(path, "cannot replace: " + std::string(std::strerror(e)));
  }
  return Secret{std::move(value), path, true};
}

std::optional<std::string> DevSecrets::verifying_secret(const providers::Provider& provider) {
  if (dir_.empty())
    return std::nullopt;
  const auto family = providers::secret_family(provider.id());
  const auto path = path_for(provider);
  // One stat per delivery tells a rotated secret (a new file: another inode or time) apart.
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return std::nullopt;
  const std::lock_guard lock(mutex_);
  if (const auto it = verifying_.find(family); it != verifying_.end() &&
                                               it->second.inode == st.st_ino &&
                                               it->second.mtime_ns == stat_mtime_ns(st))
    return it->second.key;
  try {
    const auto found = find(provider);
    if (!found)
      return std::nullopt;
    auto key = provider.asymmetric() ? provider.verifying_key(found->value) : found->value;
    auto& slot = verifying_[std::string(family)];
    slot = {std::move(key), st.st_ino, stat_mtime_ns(st)};
    return slot.key;
  } catch (const Error&) {
    return std::nullopt;
  }
}

} // namespace hooktool::core
