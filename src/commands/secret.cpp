#include "commands/secret.hpp"

#include "commands/common.hpp"
#include "core/dev_secrets.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

namespace hooktool::commands {

CLI::App* register_secret(CLI::App& app, SecretOptions& o) {
  auto* cmd = app.add_subcommand(
      "secret", "Show or rotate the development secret send and listen use when none is given");
  cmd->add_option("provider", o.provider,
                  "Provider id (its secret family's secret); none: list the secrets kept");
  cmd->add_flag("--rotate", o.rotate, "Replace the secret with a new one");
  cmd->add_flag("--json", o.json,
                "JSON: provider, family, file, secret (and public_key for key pairs)");
  cmd->footer("The secrets are kept in $HOOKTOOL_STATE_DIR/secrets, else\n"
              "$XDG_STATE_HOME/hooktool/secrets, else ~/.local/state/hooktool/secrets (0600).\n"
              "Examples:\n"
              "  hooktool secret stripe            # configure your handler with it\n"
              "  hooktool secret stripe --rotate\n"
              "  hooktool secret discord --json | jq -r .public_key");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

nlohmann::ordered_json describe(const providers::Provider& provider,
                                const core::DevSecrets::Secret& secret) {
  nlohmann::ordered_json j{{"provider", std::string(provider.id())},
                           {"family", std::string(providers::secret_family(provider.id()))},
                           {"file", secret.path.string()},
                           {"secret", secret.value}};
  if (provider.asymmetric())
    j["public_key"] = provider.verifying_key(secret.value);
  j["created"] = secret.created;
  return j;
}

void print_one(const providers::Provider& provider, const core::DevSecrets::Secret& secret) {
  const std::string id(provider.id());
  std::cerr << "# development secret for " << id << " (" << secret.path.string()
            << (secret.created ? ", new" : "") << ")\n";
  if (provider.asymmetric()) {
    std::cerr << "# private key (send/sign use it):\n";
    std::cout << secret.value << (secret.value.ends_with('\n') ? "" : "\n");
    std::cerr << "# public key: configure your handler with it\n";
    std::cout << provider.verifying_key(secret.value) << "\n";
    return;
  }
  std::cerr << "# configure your handler with it; send and listen use it when no --secret is "
               "given\n";
  std::cout << secret.value << "\n";
}

int list_all(const core::DevSecrets& store, bool json) {
  std::set<std::string> families;
  std::size_t kept = 0;
  auto out = nlohmann::ordered_json::array();
  for (const auto id : providers::provider_ids()) {
    const auto provider = providers::make_provider(id);
    const std::string family(providers::secret_family(id));
    if (!families.insert(family).second)
      continue;
    const auto secret = store.find(*provider);
    if (!secret)
      continue;
    ++kept;
    if (json)
      out.push_back(describe(*provider, *secret));
    else
      std::cout << family << "  " << secret->path.string() << "\n";
  }
  if (json)
    std::cout << out.dump() << "\n";
  else if (kept == 0)
    std::cerr << "no development secret yet: `hooktool send PROVIDER` without --secret (or "
                 "`hooktool secret PROVIDER`) makes one\n";
  return 0;
}

} // namespace

int run_secret(const SecretOptions& o) {
  core::DevSecrets store(core::DevSecrets::default_dir());
  if (o.provider.empty()) {
    if (o.rotate)
      throw usage_error("secret --rotate needs a provider: hooktool secret PROVIDER --rotate");
    return list_all(store, o.json);
  }
  const auto provider = providers::require_provider(o.provider);
  const auto secret = o.rotate ? store.rotate(*provider) : store.get_or_create(*provider);
  if (o.json)
    std::cout << describe(*provider, secret).dump() << "\n";
  else
    print_one(*provider, secret);
  return 0;
}

} // namespace hooktool::commands
