#include "commands/sign.hpp"

#include "commands/cli_words.hpp"
#include "model/url.hpp"
#include "providers/registry.hpp"
#include "ui/curl_command.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

namespace hooktool::commands {

CLI::App* register_sign(CLI::App& app, SignOptions& o) {
  auto* cmd =
      app.add_subcommand("sign", "Print the signature headers for a body, ready for curl -H");
  cmd->add_option("provider", o.provider, "Provider id")->required();
  add_secret_options(*cmd, o.secret, "Signing secret");
  cmd->add_option("--body", o.body, "The body: @file, - (stdin) or the text itself")->required();
  cmd->add_option("--url", o.url, "The URL the handler sees (schemes that sign the URL)");
  cmd->add_option("--timestamp", o.timestamp, "Unix seconds to sign with (default: now)")
      ->check(whole_number(1, 253402300799));
  cmd->add_option("--id", o.id,
                  "The delivery id, for schemes that sign one (default: a fresh one)");
  cmd->add_flag("--curl", o.curl,
                "Print a ready curl command (POST to --url with the provider's headers, the "
                "signature and the exact body) instead of the headers");
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool sign github --secret s3cret --body @payload.json\n"
      "  hooktool sign twilio --secret \"$TWILIO_AUTH_TOKEN\" --url "
      "https://example.com/sms --body @form.txt\n"
      "  hooktool sign stripe --secret whsec_… --body @event.json --curl --url :3000/webhooks");
  one_value_per_flag(*cmd);
  return cmd;
}

int run_sign(const SignOptions& o, const core::Settings& settings) {
  const auto provider = providers::require_provider(o.provider, to_config(o.generic));
  const auto secret = settings.secret(o.provider, o.secret);
  if (!secret)
    throw usage_error("sign needs a secret: --secret, HOOKTOOL_SECRET or --secret-file");
  provider->validate_secret(secret->value);

  model::HttpRequest req;
  req.body = util::read_arg(o.body);
  const auto ts = o.timestamp != 0 ? o.timestamp : util::now_s();
  // The headers the provider would send with these bytes (form or JSON; the delivery id).
  const bool json = !util::json_nesting_exceeds(req.body, 512) &&
                    !nlohmann::json::parse(req.body, nullptr, false).is_discarded();
  req.headers = provider->envelope(
      {std::string(provider->default_event()),
       json ? providers::BodyFormat::json : providers::BodyFormat::form, ts, o.id});
  if (o.curl && o.url.empty())
    throw usage_error("--curl needs --url (where the command sends the delivery)");
  if (provider->signs_url()) {
    if (o.url.empty())
      throw usage_error(std::string(provider->id()) +
                        " signs the URL: give --url (the URL the handler sees)");
    req.url = o.url;
  } else if (!o.url.empty()) {
    req.url = model::parse_target(o.url).str();
  }
  const auto original_url = req.url;
  const auto original_body = req.body;
  const auto signature = provider->sign(req, {secret->value, ts, {}});
  if (o.curl) {
    // The delivery as the provider sends it: its envelope, the signature, the exact bytes
    // (piped from printf, NUL bytes included).
    req.method = "POST";
    req.headers.insert(req.headers.end(), signature.begin(), signature.end());
    std::cout << ui::to_curl(req, std::string()) << "\n";
    return 0;
  }
  for (const auto& h : signature)
    std::cout << util::printable(h.name) << ": " << util::printable(h.value) << "\n";
  if (req.url != original_url)
    std::cerr << "note: send the request to " << util::printable(req.url) << "\n";
  if (req.body != original_body) {
    // The signature covers the body as rewritten (linear's webhookTimestamp): those bytes go
    // out, after a blank line, as in an HTTP message.
    std::cerr << "note: signing rewrote the body; send the body printed after the blank line\n";
    // Exact bytes for a pipe; a terminal gets them escaped (the body is the user's own file).
    std::cout << "\n"
              << (ui::is_terminal(ui::Stream::out) ? util::printable_text(req.body) : req.body)
              << (req.body.ends_with('\n') ? "" : "\n");
  }
  return 0;
}

} // namespace hooktool::commands
