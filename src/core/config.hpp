#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::core {

// Where a setting's value came from, strongest first: flags > environment > project > user.
enum class Layer { flag, env, project, user, default_ };
// "flag", "env", "project", "user" or "default".
std::string_view to_string(Layer layer) noexcept;

// A value and where it was set ("PATH:LINE", an environment variable's name, or a flag).
template <class T> struct Setting {
  T value{};
  Layer layer = Layer::default_;
  std::string where;
};

// One config file, checked: unknown keys, wrong types and unknown providers are errors.
struct ConfigFile {
  std::filesystem::path path;
  Layer layer = Layer::project;
  std::optional<Setting<std::string>> to;
  std::optional<Setting<std::string>> listen_host;
  std::optional<Setting<long long>> listen_port;
  std::optional<Setting<std::vector<std::string>>> forward;
  std::map<std::string, Setting<std::string>> secrets;      // secret family -> secret
  std::map<std::string, Setting<std::string>> secret_files; // secret family -> absolute path
  [[nodiscard]] bool holds_secrets() const noexcept { return !secrets.empty(); }
};

// Parses a config file's text. Relative secret-file paths are taken from the file's
// directory, "~/" from home. Throws hooktool::Error (usage) "PATH:LINE: reason".
ConfigFile parse_config(std::string_view text, const std::filesystem::path& path, Layer layer,
                        const std::filesystem::path& home);

// Where the two config files are looked for.
struct ConfigPaths {
  std::filesystem::path project; // ./.hooktool.toml
  std::filesystem::path user;    // $XDG_CONFIG_HOME/hooktool/config.toml or ~/.config/…
  std::filesystem::path home;    // for "~/" in paths; empty when unknown
};
// The standard places, from the working directory and the environment.
ConfigPaths default_config_paths();

// The config files in force. project beats user.
struct Config {
  ConfigPaths paths;
  std::optional<ConfigFile> project;
  std::optional<ConfigFile> user;
  std::vector<std::string> warnings; // files ignored or too open, for stderr

  [[nodiscard]] const Setting<std::string>* to() const noexcept;
  [[nodiscard]] const Setting<std::string>* listen_host() const noexcept;
  [[nodiscard]] const Setting<long long>* listen_port() const noexcept;
  [[nodiscard]] const Setting<std::vector<std::string>>* forward() const noexcept;
  // Every secret family set in either file, project first.
  [[nodiscard]] std::vector<std::string> secret_families() const;
  // The secret for a provider's family: project beats user, and within a file an inline
  // secret beats a secret file. Reads the secret file; a usage error naming it on failure.
  [[nodiscard]] std::optional<Setting<std::string>> secret(std::string_view family) const;
};

// Reads both files when they exist. A project file owned by another user or writable by
// others is ignored with a warning (it could point deliveries elsewhere); a file that holds
// secrets and is readable by others gets a warning. Parse errors throw.
Config load_config(const ConfigPaths& paths);

// The largest secret file read: a secret or key is a few KiB at most.
inline constexpr std::size_t kMaxSecretFileBytes = std::size_t{64} * 1024;

// Reads a secret file (--secret-file or [secret_files]): a regular file (links followed) of at
// most kMaxSecretFileBytes, trailing newlines dropped. A usage error "WHAT: secret file …"
// when it is missing, unreadable, empty, too large, or a FIFO, device or directory; the
// message never quotes the content.
std::string read_secret_file(const std::filesystem::path& path, std::string_view what);

} // namespace hooktool::core
