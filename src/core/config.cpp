#include "core/config.hpp"

#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/toml.hpp"

#include <algorithm>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace hooktool::core {

std::string_view to_string(Layer layer) noexcept {
  switch (layer) {
  case Layer::flag:
    return "flag";
  case Layer::env:
    return "env";
  case Layer::project:
    return "project";
  case Layer::user:
    return "user";
  case Layer::default_:
    return "default";
  }
  return "default";
}

namespace {

const std::vector<std::string>& top_keys() {
  static const std::vector<std::string> keys{"to", "listen", "secrets", "secret_files"};
  return keys;
}
const std::vector<std::string>& listen_keys() {
  static const std::vector<std::string> keys{"host", "port", "forward"};
  return keys;
}

std::vector<std::string> provider_names() {
  std::vector<std::string> names;
  for (const auto id : providers::provider_ids())
    names.emplace_back(id);
  return names;
}

std::filesystem::path expand_path(const std::string& text, const std::filesystem::path& dir,
                                  const std::filesystem::path& home) {
  if (text == "~" || text.starts_with("~/")) {
    if (home.empty())
      throw usage_error("'" + util::quote_capped(text) + "': HOME is not set");
    return home / text.substr(text.size() > 1 ? 2 : 1);
  }
  std::filesystem::path p(text);
  return p.is_absolute() ? p : dir / p;
}

bool is_known_table(std::string_view name) noexcept {
  return name == "listen" || name == "secrets" || name == "secret_files";
}

// Checks one TOML entry and stores it in the file. Every message starts with "FILE:LINE: ".
class EntryReader {
public:
  EntryReader(ConfigFile& file, std::filesystem::path dir, const std::filesystem::path& home)
      : file_(file), origin_(file.path.string()), dir_(std::move(dir)), home_(home) {}

  void read(util::TomlEntry& entry) {
    entry_ = &entry;
    where_ = origin_ + ":" + std::to_string(entry.line);
    name_ = util::quote_capped(util::toml_key_name(entry.path));
    const auto& top = entry.path.front();
    if (entry.path.size() == 1 && top == "to")
      file_.to = Setting<std::string>{non_empty_string(), file_.layer, where_};
    else if (entry.path.size() == 2 && top == "listen")
      read_listen(entry.path[1]);
    else if (entry.path.size() == 2 && (top == "secrets" || top == "secret_files"))
      read_secret(top, entry.path[1]);
    else if (!(entry.value.is_table() && entry.path.size() == 1 && is_known_table(top)))
      throw unknown(top); // an empty [listen] is fine
  }

private:
  [[nodiscard]] Error bad(const std::string& why) const {
    return usage_error(std::string(where_).append(": ").append(why));
  }
  [[nodiscard]] std::string type() const { return std::string(entry_->value.type_name()); }

  std::string non_empty_string() const {
    if (!entry_->value.is_string())
      throw bad("'" + name_ + "' must be a string, not " + type());
    auto value = std::get<std::string>(entry_->value.data);
    if (value.empty())
      throw bad("'" + name_ + "' is empty");
    return value;
  }

  void read_listen(const std::string& key) {
    if (key == "host")
      file_.listen_host = Setting<std::string>{non_empty_string(), file_.layer, where_};
    else if (key == "port")
      file_.listen_port = Setting<long long>{port(), file_.layer, where_};
    else if (key == "forward")
      file_.forward = Setting<std::vector<std::string>>{routes(), file_.layer, where_};
    else
      throw bad("unknown key '" + name_ + "'" + util::did_you_mean(key, listen_keys()));
  }

  long long port() const {
    if (!entry_->value.is_integer())
      throw bad("'listen.port' must be an integer, not " + type());
    const auto port = std::get<std::int64_t>(entry_->value.data);
    if (port < 0 || port > 65535)
      throw bad("'listen.port' must be 0..65535, got " + std::to_string(port));
    return port;
  }

  std::vector<std::string> routes() const {
    const auto& value = entry_->value;
    if (value.is_string())
      return {std::get<std::string>(value.data)};
    if (!value.is_array())
      throw bad("'listen.forward' must be a string or an array of strings");
    std::vector<std::string> out;
    for (const auto& item : std::get<util::TomlValue::Array>(value.data)) {
      if (!item.is_string())
        throw bad("'listen.forward' must list strings, found " + std::string(item.type_name()));
      out.push_back(std::get<std::string>(item.data));
    }
    return out;
  }

  void read_secret(const std::string& table, const std::string& provider) {
    const auto names = provider_names();
    if (std::find(names.begin(), names.end(), provider) == names.end())
      throw bad("unknown provider '" + util::quote_capped(provider) + "' in [" + table + "]" +
                util::did_you_mean(provider, names));
    const std::string family(providers::secret_family(provider));
    auto value = non_empty_string();
    auto& map = table == "secrets" ? file_.secrets : file_.secret_files;
    if (map.contains(family))
      throw bad("a secret for " + family + " is already set in [" + table + "]");
    if (table == "secret_files")
      value = expand_path(value, dir_, home_).string();
    map[family] = Setting<std::string>{std::move(value), file_.layer, where_};
  }

  [[nodiscard]] Error unknown(const std::string& top) const {
    if (is_known_table(top))
      return bad("unknown key '" + name_ + "' (write it under [" + top + "] as KEY = VALUE)");
    if (entry_->path.size() > 1 || entry_->value.is_table()) {
      std::string hint = util::closest(top, top_keys());
      if (!hint.empty())
        hint = " (did you mean [" + hint + "]?)";
      return bad("unknown table [" + util::quote_capped(top) + "]" + hint);
    }
    return bad("unknown key '" + name_ + "'" + util::did_you_mean(top, top_keys()));
  }

  ConfigFile& file_;
  std::string origin_;
  std::filesystem::path dir_;
  const std::filesystem::path& home_;
  util::TomlEntry* entry_ = nullptr;
  std::string where_;
  std::string name_;
};

} // namespace

ConfigFile parse_config(std::string_view text, const std::filesystem::path& path, Layer layer,
                        const std::filesystem::path& home) {
  ConfigFile file;
  file.path = path;
  file.layer = layer;
  auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  EntryReader reader(file, std::move(dir), home);
  for (auto& entry : util::parse_toml(text, path.string()))
    reader.read(entry);
  return file;
}

ConfigPaths default_config_paths() {
  ConfigPaths paths;
  paths.project = ".hooktool.toml";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    paths.home = home;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/')
    paths.user = std::filesystem::path(xdg) / "hooktool" / "config.toml";
  else if (!paths.home.empty())
    paths.user = paths.home / ".config" / "hooktool" / "config.toml";
  return paths;
}

namespace {

std::optional<ConfigFile> load_one(const std::filesystem::path& path, Layer layer,
                                   const std::filesystem::path& home,
                                   std::vector<std::string>& warnings) {
  if (path.empty())
    return std::nullopt;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt; // no file: nothing to read
  if (S_ISDIR(st.st_mode))
    throw usage_error(path.string() + ": is a directory, not a config file");
  if (st.st_uid != ::geteuid() || (st.st_mode & S_IWOTH) != 0) {
    warnings.push_back(
        path.string() + " ignored: " +
        (st.st_uid != ::geteuid() ? "owned by another user" : "writable by other users") +
        " (it could send your deliveries and secrets elsewhere)");
    return std::nullopt;
  }
  auto file = parse_config(util::read_file(path), path, layer, home);
  if (file.holds_secrets() && (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
    warnings.push_back(path.string() + " holds secrets and is readable by other users (chmod 600 " +
                       path.string() + ")");
  return file;
}

} // namespace

namespace {

// The project file's value of a setting, else the user file's.
template <class T>
const Setting<T>* layered(const std::optional<ConfigFile>& project,
                          const std::optional<ConfigFile>& user,
                          std::optional<Setting<T>> ConfigFile::*member) noexcept {
  for (const auto* file : {&project, &user})
    if (*file && ((**file).*member))
      return &*((**file).*member);
  return nullptr;
}

} // namespace

const Setting<std::string>* Config::to() const noexcept {
  return layered(project, user, &ConfigFile::to);
}
const Setting<std::string>* Config::listen_host() const noexcept {
  return layered(project, user, &ConfigFile::listen_host);
}
const Setting<long long>* Config::listen_port() const noexcept {
  return layered(project, user, &ConfigFile::listen_port);
}
const Setting<std::vector<std::string>>* Config::forward() const noexcept {
  return layered(project, user, &ConfigFile::forward);
}

std::vector<std::string> Config::secret_families() const {
  std::vector<std::string> out;
  for (const auto* file : {project ? &*project : nullptr, user ? &*user : nullptr}) {
    if (file == nullptr)
      continue;
    for (const auto* map : {&file->secrets, &file->secret_files})
      for (const auto& [family, setting] : *map)
        if (std::find(out.begin(), out.end(), family) == out.end())
          out.push_back(family);
  }
  return out;
}

std::optional<Setting<std::string>> Config::secret(std::string_view family) const {
  for (const auto* file : {project ? &*project : nullptr, user ? &*user : nullptr}) {
    if (file == nullptr)
      continue;
    const std::string key(family);
    if (const auto it = file->secrets.find(key); it != file->secrets.end())
      return it->second;
    if (const auto it = file->secret_files.find(key); it != file->secret_files.end()) {
      auto setting = it->second;
      setting.value = read_secret_file(it->second.value, it->second.where);
      return setting;
    }
  }
  return std::nullopt;
}

Config load_config(const ConfigPaths& paths) {
  Config config;
  config.paths = paths;
  config.project = load_one(paths.project, Layer::project, paths.home, config.warnings);
  std::error_code ec;
  if (!paths.user.empty() && !std::filesystem::equivalent(paths.project, paths.user, ec))
    config.user = load_one(paths.user, Layer::user, paths.home, config.warnings);
  return config;
}

std::string read_secret_file(const std::filesystem::path& path, std::string_view what) {
  std::string text;
  try {
    text = util::read_regular_file(path, kMaxSecretFileBytes);
  } catch (const Error& e) {
    throw usage_error(std::string(what) + ": secret file " + e.what());
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  if (text.empty())
    throw usage_error(std::string(what) + ": secret file " + path.string() + " is empty");
  return text;
}

} // namespace hooktool::core
