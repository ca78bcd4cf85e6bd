#include "commands/verify.hpp"

#include "commands/cli_words.hpp"
#include "core/mismatch.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

CLI::App* register_verify(CLI::App& app, VerifyOptions& o) {
  auto* cmd = app.add_subcommand("verify", "Verify a delivery's signature offline");
  cmd->add_option("provider", o.provider, "Provider id")->required();
  add_secret_options(*cmd, o.secret, "Secret (or public key) to verify with");
  cmd->add_option("-H,--header", o.headers, "A received header 'Name: value' (repeatable)")
      ->required();
  cmd->add_option("--body", o.body, "The raw body: @file, - (stdin) or the text itself")
      ->required();
  cmd->add_option("--url", o.url, "The URL the delivery was sent to (twilio)");
  cmd->add_option("--tolerance", o.tolerance, "Replay window in seconds (0: off)")
      ->check(whole_number(0, 100LL * 365 * 86400));
  cmd->add_option("--now", o.now, "Verify as if at this Unix time (seconds)")
      ->check(whole_number(1, 253402300799));
  cmd->add_flag("--json", o.json, "Print the verdict as JSON");
  add_generic_options(*cmd, o.generic);
  cmd->footer("Examples:\n"
              "  hooktool verify stripe --secret whsec_… -H 'Stripe-Signature: t=…,v1=…' --body "
              "@payload.json\n"
              "  hooktool verify github --secret s3cret -H 'X-Hub-Signature-256: sha256=…' --body "
              "- < body");
  one_value_per_flag(*cmd);
  return cmd;
}

int run_verify(const VerifyOptions& o, const core::Settings& settings) {
  const auto provider = providers::require_provider(o.provider, to_config(o.generic));
  const auto secret = settings.secret(o.provider, o.secret);
  if (!secret)
    throw usage_error("verify needs a secret: --secret, HOOKTOOL_SECRET or --secret-file");
  provider->validate_verifying_key(secret->value);
  if (provider->signs_url() && o.url.empty())
    throw usage_error("verify " + std::string(provider->id()) +
                      " needs --url: the URL the sender posted to (the signature covers it)");

  model::HttpRequest req;
  req.headers = parse_headers(o.headers);
  req.body = util::read_arg(o.body);
  req.url = o.url;
  providers::VerifyParams params;
  params.secret = secret->value;
  if (o.tolerance >= 0)
    params.tolerance = o.tolerance;
  params.now = o.now != 0 ? o.now : util::now_s();
  if (!o.url.empty())
    params.urls.push_back(o.url);
  // A mismatch says which usual mistake (re-serialised body, secret form, URL) it matches.
  const auto verdict =
      core::explain_mismatch(*provider, req, params, provider->verify(req, params));
  const bool ok = verdict.status == model::VerdictStatus::valid;
  if (o.json) {
    std::cout << nlohmann::ordered_json{{"provider", provider->id()},
                                        {"status", model::to_string(verdict.status)},
                                        {"reason", verdict.reason}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    const auto status = std::string(model::to_string(verdict.status));
    std::cout << ui::paint(status, ok ? ui::Style::ok : ui::Style::error, ui::Stream::out) << "\n";
    if (!ok)
      std::cerr << "hooktool: " << status << ": " << util::printable(verdict.reason) << "\n";
  }
  return ok ? 0 : 1;
}

} // namespace hooktool::commands
