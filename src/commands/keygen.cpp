#include "commands/keygen.hpp"

#include "commands/common.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

CLI::App* register_keygen(CLI::App& app, KeygenOptions& o) {
  auto* cmd = app.add_subcommand(
      "keygen", "Make a key pair for a provider that signs with a private key (discord, sendgrid, "
                "standard v1a: whsk_/whpk_)");
  cmd->add_option("provider", o.provider, "Provider id")->required();
  cmd->add_option("--out", o.out,
                  "Write the private key to this file (mode 0600) for --secret-file; print only "
                  "the public key");
  cmd->add_flag("--json", o.json, "One JSON object: provider, private_key, public_key");
  cmd->footer("Examples:\n"
              "  hooktool keygen discord\n"
              "  hooktool keygen sendgrid --out sendgrid.pem\n"
              "  hooktool keygen standard     # whsk_ secret key, whpk_ public key\n"
              "  hooktool keygen discord --json | jq -r .public_key");
  one_value_per_flag(*cmd);
  return cmd;
}

int run_keygen(const KeygenOptions& o) {
  const auto provider = providers::require_provider(o.provider);
  const std::string id(provider->id());
  if (!provider->has_key_pairs())
    throw usage_error("keygen: " + id +
                      " signs with a shared secret, not a key pair (send prints a generated "
                      "secret when none is given)");
  const auto private_key = provider->generate_private_key();
  const auto public_key = provider->verifying_key(private_key);
  if (!o.out.empty())
    util::write_file(o.out, private_key + (private_key.ends_with('\n') ? "" : "\n"));
  if (o.json) {
    nlohmann::ordered_json j{{"provider", id}};
    if (o.out.empty())
      j["private_key"] = private_key;
    else
      j["private_key_file"] = o.out;
    j["public_key"] = public_key;
    std::cout << j.dump() << "\n";
    return 0;
  }
  if (o.out.empty()) {
    std::cerr << "# private key: keep it secret; hooktool send/sign " << id
              << " --secret-file FILE (or --secret)\n";
    std::cout << private_key << (private_key.ends_with('\n') ? "" : "\n");
  } else {
    std::cerr << "# private key written to " << o.out << ": hooktool send/sign " << id
              << " --secret-file " << o.out << "\n";
  }
  std::cerr << "# public key: configure your handler with it; hooktool listen/verify --secret "
            << id << "=PUBLIC_KEY\n";
  std::cout << public_key << "\n";
  return 0;
}

} // namespace hooktool::commands
