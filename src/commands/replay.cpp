#include "commands/replay.hpp"

#include "commands/config.hpp"
#include "core/compose.hpp"
#include "core/delivery_source.hpp"
#include "listen/responder.hpp"
#include "model/url.hpp"
#include "net/fanout.hpp"
#include "providers/registry.hpp"
#include "ui/curl_command.hpp"
#include "ui/http_view.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

namespace hooktool::commands {

CLI::App* register_replay(CLI::App& app, ReplayOptions& o) {
  auto* cmd = app.add_subcommand("replay", "Re-send captured deliveries byte for byte");
  cmd->add_option("file", o.file,
                  "Capture file (JSON Lines from listen --capture or send --save) or a HAR file")
      ->required();
  cmd->add_option("--to", o.to, "Target: localhost:3000, :3000, http(s)://host:port/path");
  cmd->add_option("--keep-path", o.keep_path,
                  "Join the captured path to --to (yes) or post to --to as given (no)")
      ->capture_default_str()
      ->check(CLI::IsMember({"yes", "no"}));
  add_selection_options(*cmd, o.select);
  cmd->add_option("--times", o.times, "Send each delivery N times (idempotency drill)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--concurrency", o.concurrency, "Send that many copies at once")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--delay", o.delay_ms, "Wait MS milliseconds between sends")
      ->check(CLI::Range(0LL, 3600000LL));
  cmd->add_flag("--resign", o.resign,
                "Sign again with a fresh timestamp (needs --secret); ids are kept");
  add_secret_options(*cmd, o.secret, "Secret for --resign");
  cmd->add_option("-H,--header", o.headers, "Add or override a header 'Name: value' (repeatable)");
  cmd->add_option("--expect", o.expect, "Expected status: 2xx (default), 4xx, 202, …");
  cmd->add_flag("--json", o.json, "One JSON object per delivery on stdout, nothing else");
  cmd->add_flag("--as-curl", o.as_curl, "Print a curl command per delivery instead of sending");
  cmd->add_option("--curl-dir", o.curl_dir, "--as-curl: where to write bodies that hold NUL bytes")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_s, "Seconds to wait for each response")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the TLS certificate");
  cmd->add_flag("-L,--location", o.location,
                "Follow redirects (same method and body; providers do not)");
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool replay deliveries.jsonl --to localhost:3000 --event 'invoice.*' --times 3\n"
      "  hooktool replay deliveries.jsonl --to :3000 --last 1 --resign --secret stripe=whsec_…\n"
      "  hooktool replay deliveries.jsonl --as-curl --id evt_…");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

std::string join_target(const model::Url& base, const core::CaptureRecord& r, bool keep_path) {
  auto url = base;
  if (!keep_path)
    return url.str();
  std::string prefix = base.path;
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  url.path = prefix + (r.path.empty() || r.path.front() != '/' ? "/" : "") + r.path;
  if (!r.query.empty())
    url.query = base.query.empty() ? r.query : base.query + "&" + r.query;
  return url.str();
}

} // namespace

int run_replay(const ReplayOptions& o, const core::Settings& settings) {
  if (!o.as_curl && o.to.empty())
    throw usage_error(
        "replay needs --to URL (or HOOKTOOL_TO, `to` in .hooktool.toml, or --as-curl)");
  const auto generic = to_config(o.generic);
  const auto extra = parse_headers(o.headers);
  const auto expect = parse_expect(o.expect.empty() ? "2xx" : o.expect);
  std::optional<model::Url> target;
  if (!o.to.empty())
    target = model::parse_target(o.to);
  const bool keep_path = o.keep_path == "yes";
  if (o.resign && !settings.any_secret(o.secret))
    throw usage_error("--resign needs --secret (or --secret-file, HOOKTOOL_SECRET, a config file)");

  // Pass 1: validate every delivery and remember where the selected ones are.
  const auto source = core::open_deliveries(o.file);
  const auto selection = select_deliveries(*source, o.select, generic);
  if (selection.picked.empty()) {
    std::cerr << "hooktool: no delivery in " << o.file << " matched (" << selection.total << " read"
              << (selection.bad > 0 ? ", " + std::to_string(selection.bad) + " malformed skipped"
                                    : "")
              << ")\n";
    return 1;
  }

  net::ClientOptions copts;
  copts.timeout = std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000));
  copts.tls = o.insecure ? net::ClientOptions::Tls::insecure : net::ClientOptions::Tls::verify;
  copts.follow_redirects = o.location;
  std::map<std::string, std::unique_ptr<providers::Provider>> provider_cache;
  const auto provider_for = [&](const std::string& id) -> const providers::Provider* {
    if (id.empty())
      return nullptr;
    auto& p = provider_cache[id];
    if (!p)
      p = providers::make_provider(id, generic);
    return p.get();
  };

  int failures = 0;
  int not_idempotent = 0;
  long long requests = 0;
  std::size_t index = 0;
  for (const auto& sel : selection.picked) {
    auto record = source->at(sel);
    model::HttpRequest req;
    req.method = record.method;
    req.url = target ? join_target(*target, record, keep_path) : core::original_url(record);
    for (const auto& h : record.headers)
      if (!listen::is_hop_by_hop(h.name))
        req.headers.push_back(h);
    req.body = std::move(record.body);
    const auto* provider = provider_for(record.provider);

    if (o.resign) {
      if (provider == nullptr)
        throw usage_error(o.file + ":" + std::to_string(sel.number) +
                          ": --resign: the delivery's provider is unknown");
      const auto secret = settings.secret(record.provider, o.secret);
      if (!secret)
        throw usage_error("--resign: no secret for " + record.provider);
      provider->validate_secret(secret->value);
      // Twilio signs the URL: this signs the one the replay goes to.
      core::resign(req, *provider, secret->value, util::now_s(), {}, {});
    } else if (provider != nullptr && !o.as_curl) {
      if (const auto ts = provider->signed_timestamp(req.headers)) {
        const auto age = util::now_s() - *ts;
        if (provider->default_tolerance() > 0 && age > provider->default_tolerance())
          std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " " << record.id
                    << " was signed " << age << " s ago; " << record.provider
                    << " handlers reject it as stale (tolerance " << provider->default_tolerance()
                    << " s): add --resign --secret …\n";
      }
    }
    for (const auto& h : extra)
      model::set_header(req.headers, h.name, h.value);

    if (o.as_curl) {
      std::string body_file;
      if (req.body.find('\0') != std::string::npos) {
        body_file =
            (std::filesystem::path(o.curl_dir) / ("hooktool-body-" + record.id + ".bin")).string();
        util::write_file(body_file, req.body); // created 0600
      }
      std::cout << "# " << record.id << "  " << (record.provider.empty() ? "-" : record.provider)
                << " " << (record.event_type.empty() ? "-" : record.event_type) << "\n"
                << ui::to_curl(req, body_file) << "\n";
      continue;
    }

    if (index++ > 0 && o.delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(o.delay_ms));
    const auto responses = net::send_copies(req, o.times, o.concurrency, copts);
    requests += static_cast<long long>(responses.size());
    bool ok = true;
    std::set<int> statuses;
    std::set<std::string> bodies;
    std::int64_t slowest = 0;
    std::string statuses_text;
    nlohmann::ordered_json status_list = nlohmann::ordered_json::array();
    std::string error;
    for (const auto& r : responses) {
      const bool answered = r.error == net::TransportError::none;
      ok = ok && answered && expect.matches(r.status);
      statuses.insert(answered ? r.status : 0);
      bodies.insert(r.body);
      slowest = std::max(slowest, r.duration_ms);
      statuses_text +=
          (statuses_text.empty() ? "" : " ") + (answered ? std::to_string(r.status) : "ERR");
      status_list.push_back(answered ? nlohmann::ordered_json(r.status)
                                     : nlohmann::ordered_json(nullptr));
      if (!answered && error.empty())
        error = r.error_message;
    }
    std::string idempotency_issue;
    if (o.times > 1 && statuses.size() > 1)
      idempotency_issue = "answers differ between copies";
    else if (o.times > 1 && bodies.size() > 1)
      idempotency_issue = "response bodies differ between copies";
    failures += ok ? 0 : 1;
    not_idempotent += idempotency_issue.empty() ? 0 : 1;

    if (o.json) {
      nlohmann::ordered_json j;
      j["id"] = record.id;
      j["provider"] = record.provider;
      j["event"] = record.event_type;
      j["event_id"] = record.event_id;
      j["url"] = req.url;
      j["statuses"] = std::move(status_list);
      j["duration_ms"] = slowest;
      j["ok"] = ok;
      j["idempotent"] = idempotency_issue.empty();
      if (!idempotency_issue.empty())
        j["idempotency_issue"] = idempotency_issue;
      if (!error.empty())
        j["error"] = error;
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"
                << std::flush;
      continue;
    }
    constexpr auto out = ui::Stream::out;
    std::cout << ui::paint(util::format_clock(util::now_ms()), ui::Style::dim, out) << "  "
              << ui::paint(statuses_text, ok ? ui::Style::ok : ui::Style::error, out) << "  "
              << req.method << " " << req.url << "  "
              << (record.provider.empty() ? "-" : record.provider) << " "
              << (record.event_type.empty() ? "-" : record.event_type);
    if (!record.event_id.empty())
      std::cout << " [" << record.event_id << "]";
    std::cout << ui::paint("  " + std::to_string(slowest) + " ms", ui::Style::dim, out) << "\n";
    if (!idempotency_issue.empty())
      std::cout << "          "
                << ui::paint("not idempotent: " + idempotency_issue, ui::Style::error, out) << "\n";
    if (!error.empty())
      std::cout << "          " << ui::paint(error, ui::Style::error, out) << "\n";
    std::cout.flush();
  }
  if (o.as_curl)
    return 0;

  if (o.json && selection.bad > 0)
    std::cerr << "hooktool: " << selection.bad << " malformed " << source->units() << " skipped\n";
  if (!o.json) {
    std::cerr << "hooktool: replayed " << selection.picked.size()
              << (selection.picked.size() == 1 ? " delivery" : " deliveries");
    if (o.times > 1)
      std::cerr << " × " << o.times;
    std::cerr << " (" << requests << (requests == 1 ? " request)" : " requests)");
    if (failures > 0)
      std::cerr << "; " << failures << " did not get the expected " << expect.describe();
    if (not_idempotent > 0)
      std::cerr << "; " << not_idempotent << " handled non-idempotently";
    if (selection.bad > 0)
      std::cerr << "; " << selection.bad << " malformed " << source->units() << " skipped";
    std::cerr << "\n";
  }
  return failures == 0 && not_idempotent == 0 ? 0 : 1;
}

} // namespace hooktool::commands
