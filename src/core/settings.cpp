#include "core/settings.hpp"

#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cstdlib>

namespace hooktool::core {

namespace {

std::optional<std::string> env_value(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    return std::nullopt;
  return std::string(value);
}

// A lowercase word such as a provider id would be (letters, digits, - and _).
bool looks_like_id(std::string_view text) noexcept {
  if (text.empty() || text.size() > 32 || text[0] < 'a' || text[0] > 'z')
    return false;
  for (const char c : text)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

std::string family_of(std::string_view id) {
  return std::string(providers::secret_family(id));
}

} // namespace

Environment Environment::from_process() {
  return {env_value("HOOKTOOL_SECRET"), env_value("HOOKTOOL_TO"), env_value("HOOKTOOL_HOST"),
          env_value("HOOKTOOL_PORT")};
}

NamedSecret split_secret(std::string_view text, std::string_view what) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos)
    return {{}, std::string(text)};
  const auto name = text.substr(0, eq);
  if (const auto id = providers::canonical_id(name); !id.empty())
    return {std::string(id), std::string(text.substr(eq + 1))};
  if (!looks_like_id(name))
    return {{}, std::string(text)};
  const auto ids = providers::provider_ids();
  const std::vector<std::string> names(ids.begin(), ids.end());
  // The word is quoted only when it is a near miss of a provider id: otherwise it may be the
  // start of a secret.
  const auto hint = util::did_you_mean(name, names);
  throw usage_error(std::string(what) + ": " +
                    (hint.empty() ? "the word before '='" : "'" + std::string(name) + "='") +
                    " names no provider" + hint +
                    " (a secret that starts with a word and '=' is given as PROVIDER=SECRET "
                    "or in a file)");
}

Settings::Settings(Config config, Environment env)
    : config_(std::move(config)), env_(std::move(env)) {}

Settings Settings::without_files(Environment env) {
  Config none;
  none.paths = default_config_paths();
  Settings s(std::move(none), std::move(env));
  s.files_skipped_ = true;
  return s;
}

Setting<std::string> Settings::to(const std::string& flag) const {
  if (!flag.empty())
    return {flag, Layer::flag, "--to"};
  if (env_.to)
    return {*env_.to, Layer::env, "HOOKTOOL_TO"};
  if (const auto* to = config_.to())
    return *to;
  return {};
}

Setting<std::string> Settings::listen_host(const std::optional<std::string>& flag,
                                           const std::string& fallback) const {
  if (flag)
    return {*flag, Layer::flag, "--host"};
  if (env_.host)
    return {*env_.host, Layer::env, "HOOKTOOL_HOST"};
  if (const auto* host = config_.listen_host())
    return *host;
  return {fallback, Layer::default_, ""};
}

Setting<long long> Settings::listen_port(std::optional<long long> flag, long long fallback) const {
  if (flag)
    return {*flag, Layer::flag, "--port"};
  if (env_.port) {
    long long port = -1;
    if (!util::parse_int64(*env_.port, port) || port < 0 || port > 65535)
      throw usage_error("HOOKTOOL_PORT: expected a port 0..65535, got '" +
                        util::printable(env_.port->substr(0, 16)) + "'");
    return {port, Layer::env, "HOOKTOOL_PORT"};
  }
  if (const auto* port = config_.listen_port())
    return *port;
  return {fallback, Layer::default_, ""};
}

Setting<std::vector<std::string>> Settings::forward(const std::vector<std::string>& flag) const {
  if (!flag.empty())
    return {flag, Layer::flag, "--forward-to"};
  if (const auto* forward = config_.forward())
    return *forward;
  return {};
}

std::optional<ResolvedSecret> Settings::secret(std::string_view provider_id,
                                               const SecretFlags& flags) const {
  const auto family = family_of(provider_id);
  std::optional<std::string> bare;
  for (const auto& value : flags.values) {
    auto named = split_secret(value, "--secret");
    if (named.provider.empty())
      bare = std::move(named.value);
    else if (family_of(named.provider) == family)
      return ResolvedSecret{std::move(named.value), SecretSource::flag, "--secret"};
  }
  if (bare)
    return ResolvedSecret{std::move(*bare), SecretSource::flag, "--secret"};
  if (!flags.values.empty())
    throw usage_error("--secret names other providers only; give " + std::string(provider_id) +
                      "=SECRET");
  for (const auto& file : flags.files) {
    auto named = split_secret(read_secret_file(file, "--secret-file"), file);
    if (named.provider.empty() || family_of(named.provider) == family)
      return ResolvedSecret{std::move(named.value), SecretSource::file, file};
    if (flags.files.size() == 1)
      throw usage_error("--secret-file " + file + ": the secret is for " + named.provider +
                        ", not " + std::string(provider_id));
  }
  if (env_.secret) {
    auto named = split_secret(*env_.secret, "HOOKTOOL_SECRET");
    if (named.provider.empty() || family_of(named.provider) == family)
      return ResolvedSecret{std::move(named.value), SecretSource::env, "HOOKTOOL_SECRET"};
  }
  if (auto setting = config_.secret(family)) {
    auto named = split_secret(setting->value, setting->where);
    if (!named.provider.empty() && family_of(named.provider) != family)
      throw usage_error(setting->where + ": the secret is for " + named.provider + ", not " +
                        std::string(provider_id));
    return ResolvedSecret{std::move(named.value), SecretSource::config, setting->where};
  }
  return std::nullopt;
}

SecretSet Settings::secrets(const SecretFlags& flags) const {
  SecretSet set;
  std::vector<std::pair<std::string, std::string>> given; // (where, text)
  for (const auto& value : flags.values)
    given.emplace_back("--secret", value);
  for (const auto& file : flags.files)
    given.emplace_back(file, read_secret_file(file, "--secret-file"));
  if (given.empty() && env_.secret)
    given.emplace_back("HOOKTOOL_SECRET", *env_.secret);
  for (auto& [where, text] : given) {
    auto named = split_secret(text, where);
    if (named.value.empty())
      throw usage_error(where + ": empty secret");
    if (named.provider.empty()) {
      if (set.bare)
        throw usage_error(where + ": more than one bare secret; name them as provider=SECRET");
      set.bare = std::move(named.value);
    } else {
      set.by_family[family_of(named.provider)] = std::move(named.value);
    }
  }
  // Config files fill in the providers the flags left out (a bare secret covers them all).
  if (set.bare)
    return set;
  for (const auto& family : config_.secret_families()) {
    if (set.by_family.contains(family))
      continue;
    auto setting = config_.secret(family);
    auto named = split_secret(setting->value, setting->where);
    if (!named.provider.empty() && family_of(named.provider) != family)
      throw usage_error(setting->where + ": the secret is for " + named.provider + ", not " +
                        family);
    set.by_family[family] = std::move(named.value);
  }
  return set;
}

bool Settings::any_secret(const SecretFlags& flags) const {
  return !flags.values.empty() || !flags.files.empty() || env_.secret.has_value() ||
         !config_.secret_families().empty();
}

} // namespace hooktool::core
