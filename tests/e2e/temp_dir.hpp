#pragma once
// Files for end-to-end tests: a temporary directory removed at the end of the test, and
// whole-file reads and writes that fail loudly.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace e2e {

// The whole file as bytes; throws when it cannot be opened.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Creates or truncates `path` with exactly `content`; throws on failure.
inline void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

// A fresh directory under the system temp directory, removed (with its contents) on scope exit.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hooktool-e2e-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the directory (not created).
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `bytes` to `name` inside the directory; returns its path.
  [[nodiscard]] std::string write(const std::string& name, const std::string& bytes) const {
    const auto p = file(name);
    write_file(p, bytes);
    return p;
  }

private:
  std::filesystem::path path_;
};

} // namespace e2e
