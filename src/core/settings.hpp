#pragma once

#include "core/config.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::core {

// The HOOKTOOL_* variables, read once. An empty variable counts as unset, everywhere.
struct Environment {
  std::optional<std::string> secret; // HOOKTOOL_SECRET
  std::optional<std::string> to;     // HOOKTOOL_TO
  std::optional<std::string> host;   // HOOKTOOL_HOST
  std::optional<std::string> port;   // HOOKTOOL_PORT

  // The variables of this process.
  static Environment from_process();
};

// --secret and --secret-file as given on the command line.
struct SecretFlags {
  std::vector<std::string> values; // each "provider=SECRET" or a bare secret
  std::vector<std::string> files;  // paths; each file holds one secret, named or bare
};

// A secret split from the provider it names: PROVIDER=SECRET -> {PROVIDER, SECRET}.
struct NamedSecret {
  std::string provider; // a registered id; empty for a bare secret
  std::string value;
};

// Splits "provider=SECRET". A prefix that is not a provider id but looks like one (a lowercase
// word, e.g. the typo stirpe=abc) is a usage error with a did-you-mean, not part of the
// secret: a secret that itself starts with such a word and '=' is given as PROVIDER=… or in a
// file. `what` names the source in errors ("--secret", a file's path).
NamedSecret split_secret(std::string_view text, std::string_view what);

// Where a secret came from.
enum class SecretSource { flag, file, env, config, generated };

// The secret in force for one provider and where it came from.
struct ResolvedSecret {
  std::string value;
  SecretSource source = SecretSource::generated;
  std::string where; // "--secret", a path, "HOOKTOOL_SECRET", "FILE:LINE"
};

// Every secret listen verifies with: one per secret family, and at most one bare secret that
// covers every other provider.
struct SecretSet {
  std::map<std::string, std::string, std::less<>> by_family;
  std::optional<std::string> bare;
};

// Every setting resolved in one place, in one order: flags > environment > project file >
// user file > default. Built once per run and passed down; nothing here is global.
class Settings {
public:
  Settings(Config config, Environment env);
  // No config files (--no-config) and the given environment.
  static Settings without_files(Environment env);

  [[nodiscard]] const Config& config() const noexcept { return config_; }
  [[nodiscard]] const Environment& environment() const noexcept { return env_; }
  // Whether the config files were skipped (--no-config).
  [[nodiscard]] bool files_skipped() const noexcept { return files_skipped_; }

  // The target a command sends to; value empty when none is set.
  [[nodiscard]] Setting<std::string> to(const std::string& flag) const;
  // listen's bind address and port (flag nullopt: not given) and its forward routes.
  [[nodiscard]] Setting<std::string> listen_host(const std::optional<std::string>& flag,
                                                 const std::string& fallback) const;
  [[nodiscard]] Setting<long long> listen_port(std::optional<long long> flag,
                                               long long fallback) const;
  [[nodiscard]] Setting<std::vector<std::string>>
  forward(const std::vector<std::string>& flag) const;

  // The secret for one provider: a --secret naming its family, else a bare --secret, else
  // --secret-file, else HOOKTOOL_SECRET, else the config files; nullopt when none is set.
  // Usage error when the flags only name other providers, or a file names another provider.
  [[nodiscard]] std::optional<ResolvedSecret> secret(std::string_view provider_id,
                                                     const SecretFlags& flags) const;
  // Every secret listen uses: the flags and secret files (or else HOOKTOOL_SECRET), then the
  // config files for the families the flags left out (unless a bare secret covers them).
  [[nodiscard]] SecretSet secrets(const SecretFlags& flags) const;
  // Whether any secret is set at all (replay --resign needs one).
  [[nodiscard]] bool any_secret(const SecretFlags& flags) const;

private:
  Config config_;
  Environment env_;
  bool files_skipped_ = false;
};

} // namespace hooktool::core
