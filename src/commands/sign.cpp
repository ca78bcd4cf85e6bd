#include "commands/sign.hpp"

#include "core/url.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

CLI::App* register_sign(CLI::App& app, SignOptions& o) {
  auto* cmd =
      app.add_subcommand("sign", "Print the signature headers for a body, ready for curl -H");
  cmd->add_option("provider", o.provider, "Provider id")->required();
  cmd->add_option("--secret", o.secrets,
                  "Signing secret, or provider=SECRET (env HOOKTOOL_SECRET); argv is visible to "
                  "other local users: prefer --secret-file");
  cmd->add_option("--secret-file", o.secret_file, "Read the secret from a file");
  cmd->add_option("--body", o.body, "The body: @file, - (stdin) or the text itself")->required();
  cmd->add_option("--url", o.url, "twilio: the URL the request is sent to");
  cmd->add_option("--timestamp", o.timestamp, "Unix seconds to sign with (default: now)")
      ->check(CLI::Range(1LL, 253402300799LL));
  cmd->add_option("--id", o.id, "standard/svix: the message id (default: a fresh msg_ id)");
  add_generic_options(*cmd, o.generic);
  cmd->footer("Examples:\n"
              "  hooktool sign github --secret s3cret --body @payload.json\n"
              "  hooktool sign twilio --secret \"$TWILIO_AUTH_TOKEN\" --url "
              "https://example.com/sms --body @form.txt");
  one_value_per_flag(*cmd);
  return cmd;
}

int run_sign(const SignOptions& o) {
  const auto provider = providers::require_provider(o.provider, to_config(o.generic));
  const auto secret = resolve_secret(o.provider, o.secrets, o.secret_file);
  if (!secret)
    throw usage_error("sign needs a secret: --secret, HOOKTOOL_SECRET or --secret-file");
  provider->validate_secret(secret->value);

  core::HttpRequest req;
  req.body = util::read_arg(o.body);
  if (provider->id() == "twilio") {
    if (o.url.empty())
      throw usage_error("twilio signs the URL: give --url (the URL the handler sees)");
    req.url = o.url;
    const bool json = !util::json_nesting_exceeds(req.body, 512) &&
                      !nlohmann::json::parse(req.body, nullptr, false).is_discarded();
    req.headers.push_back(
        {"Content-Type", json ? "application/json" : "application/x-www-form-urlencoded"});
  } else if (!o.url.empty()) {
    req.url = core::parse_target(o.url).str();
  }
  if (!o.id.empty()) {
    const std::string prefix = provider->id() == "svix" ? "svix-" : "webhook-";
    req.headers.push_back({prefix + "id", o.id});
  }
  const auto original_url = req.url;
  const auto ts = o.timestamp != 0 ? o.timestamp : util::now_s();
  for (const auto& h : provider->sign(req, {secret->value, ts, {}}))
    std::cout << h.name << ": " << h.value << "\n";
  if (req.url != original_url)
    std::cerr << "note: send the request to " << req.url << "\n";
  return 0;
}

} // namespace hooktool::commands
