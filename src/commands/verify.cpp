#include "commands/verify.hpp"

#include "commands/cli_words.hpp"
#include "core/delivery_source.hpp"
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
  cmd->add_option("provider", o.provider,
                  "Provider id (with --capture: default, the provider the capture names)");
  add_secret_options(*cmd, o.secret, "Secret (or public key) to verify with");
  cmd->add_option("-H,--header", o.headers, "A received header 'Name: value' (repeatable)");
  cmd->add_option("--body", o.body, "The raw body: @file, - (stdin) or the text itself");
  cmd->add_option("--capture", o.capture,
                  "Verify captured deliveries instead (a capture file or HAR; with --id)");
  cmd->add_option("--id", o.id,
                  "--capture: the capture id or the provider's event id of the deliveries to "
                  "verify (at the time each was received, unless --now)");
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
              "- < body\n"
              "  hooktool verify --capture deliveries.jsonl --id evt_1SXJ… --secret "
              "stripe=whsec_…");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

// The provider's verdict on req, explained when it is a mismatch.
model::Verdict judge(const providers::Provider& provider, const VerifyOptions& o,
                     const core::Settings& settings, const model::HttpRequest& req,
                     std::int64_t now) {
  const auto secret = settings.secret(std::string(provider.id()), o.secret);
  if (!secret)
    throw usage_error("verify needs a secret for " + std::string(provider.id()) +
                      ": --secret, HOOKTOOL_SECRET or --secret-file");
  provider.validate_verifying_key(secret->value);
  if (provider.signs_url() && req.url.empty())
    throw usage_error("verify " + std::string(provider.id()) +
                      " needs --url: the URL the sender posted to (the signature covers it)");
  providers::VerifyParams params;
  params.secret = secret->value;
  if (o.tolerance >= 0)
    params.tolerance = o.tolerance;
  params.now = now;
  if (!req.url.empty())
    params.urls.push_back(req.url);
  // A mismatch says which usual mistake (re-serialised body, secret form, URL) it matches.
  return core::explain_mismatch(provider, req, params, provider.verify(req, params));
}

void print_verdict(const VerifyOptions& o, const providers::Provider& provider,
                   const model::Verdict& verdict, const std::string& where) {
  const bool ok = verdict.status == model::VerdictStatus::valid;
  if (o.json) {
    nlohmann::ordered_json j{{"provider", provider.id()},
                             {"status", model::to_string(verdict.status)},
                             {"reason", verdict.reason}};
    if (!where.empty())
      j["where"] = where;
    std::cout << util::json_for_terminal(
                     j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
              << "\n";
    return;
  }
  const auto status = std::string(model::to_string(verdict.status));
  std::cout << ui::paint(status, ok ? ui::Style::ok : ui::Style::error, ui::Stream::out)
            << (where.empty() ? "" : "  " + util::printable(where)) << "\n";
  if (!ok)
    std::cerr << "hooktool: " << status << ": " << util::printable(verdict.reason) << "\n";
}

// verify --capture FILE --id ID: every delivery with that id, as it was received.
int verify_captured(const VerifyOptions& o, const core::Settings& settings) {
  if (!o.headers.empty() || !o.body.empty())
    throw usage_error("--capture verifies captured deliveries: drop -H and --body");
  if (o.id.empty())
    throw usage_error("--capture needs --id ID (a capture id or the provider's event id)");
  const auto source = core::open_deliveries(o.capture);
  int matched = 0;
  bool all_valid = true;
  while (auto next = source->next()) {
    const auto& [position, record] = *next;
    if (record.id != o.id && record.event_id != o.id)
      continue;
    ++matched;
    const std::string where = o.capture + ":" + std::to_string(position.number);
    const std::string id = o.provider.empty() ? record.provider : o.provider;
    if (id.empty())
      throw usage_error(where + ": the capture names no provider; give it: hooktool verify "
                                "PROVIDER --capture …");
    const auto provider = providers::require_provider(id, to_config(o.generic));
    model::HttpRequest req;
    req.method = record.method;
    req.headers = record.headers;
    req.body = record.body;
    req.url = o.url.empty() ? record.url : o.url;
    const auto now = o.now != 0 ? o.now : record.received_at_ms / 1000;
    const auto verdict = judge(*provider, o, settings, req, now);
    all_valid = all_valid && verdict.status == model::VerdictStatus::valid;
    print_verdict(o, *provider, verdict, where + " " + record.id);
  }
  if (matched == 0) {
    std::cerr << "hooktool: no delivery with id " << util::printable(util::capped(o.id, 80))
              << " in " << util::printable(o.capture) << "\n";
    return 1;
  }
  return all_valid ? 0 : 1;
}

} // namespace

int run_verify(const VerifyOptions& o, const core::Settings& settings) {
  if (!o.capture.empty())
    return verify_captured(o, settings);
  if (!o.id.empty())
    throw usage_error("--id goes with --capture FILE");
  if (o.provider.empty())
    throw usage_error("verify needs a provider: hooktool verify PROVIDER -H … --body … (or "
                      "--capture FILE --id ID)");
  if (o.headers.empty() || o.body.empty())
    throw usage_error("verify needs the received headers (-H) and --body (or --capture FILE "
                      "--id ID)");
  const auto provider = providers::require_provider(o.provider, to_config(o.generic));
  model::HttpRequest req;
  req.headers = parse_headers(o.headers);
  req.body = util::read_arg(o.body);
  req.url = o.url;
  const auto verdict = judge(*provider, o, settings, req, o.now != 0 ? o.now : util::now_s());
  print_verdict(o, *provider, verdict, "");
  return verdict.status == model::VerdictStatus::valid ? 0 : 1;
}

} // namespace hooktool::commands
