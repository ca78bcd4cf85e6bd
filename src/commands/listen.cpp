#include "commands/listen.hpp"

#include "commands/cli_words.hpp"
#include "commands/config.hpp"
#include "crypto/tls_cert.hpp"
#include "listen/session.hpp"
#include "model/url.hpp"
#include "net/loopback.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "webui/server.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>

namespace hooktool::commands {

namespace {

// The answers listen gives when it does not forward: --status, --delay, the simulated
// failures, the body and headers.
void add_answer_options(CLI::App& cmd, ListenOptions& o) {
  cmd.add_option("--status", o.status, "Status to answer with")
      ->capture_default_str()
      ->check(whole_number(100, 599));
  cmd.add_option("--delay", o.delay_ms, "Wait MS milliseconds before answering")
      ->check(whole_number(0, 3600000));
  cmd.add_option("--fail-rate", o.fail_rate,
                 "Answer --fail-status instead of --status with this probability (0..1)")
      ->check(decimal_number(0.0, 1.0));
  cmd.add_option("--fail-status", o.fail_status,
                 "Status of the failures --fail-rate picks (default 500)")
      ->check(whole_number(100, 599));
  cmd.add_option("--seed", o.seed, "Seed for --fail-rate, for repeatable runs")
      ->check(whole_number(0));
  cmd.add_option("--response-body", o.response_body,
                 "Body to answer with: text, @file (Content-Type from the file's extension or "
                 "the text: JSON, XML such as TwiML, HTML, else plain text)");
  cmd.add_option("--response-header", o.response_headers,
                 "Header to answer with: 'Name: value' (repeatable; a Content-Type wins over "
                 "the guessed one)");
}

} // namespace

CLI::App* register_listen(CLI::App& app, ListenOptions& o) {
  auto* cmd = app.add_subcommand("listen", "Receive, verify, capture and forward webhooks locally");
  cmd->add_option("--host", o.host, "Address to bind (loopback unless told otherwise)")
      ->capture_default_str();
  cmd->add_option("-p,--port", o.port, "Port (0 picks a free one)")
      ->capture_default_str()
      ->check(whole_number(0, 65535));
  cmd->add_option("--provider", o.provider, "Treat every delivery as this provider's");
  add_secret_options(
      *cmd, o.secret,
      "A secret to verify with: provider=SECRET (repeatable) or a bare SECRET for any provider");
  cmd->add_option("--tolerance", o.tolerance,
                  "Replay window in seconds for timestamped schemes (0: off)")
      ->check(whole_number(0, 100LL * 365 * 86400));
  cmd->add_option("--public-url", o.public_url,
                  "The URL senders use (behind a tunnel); Twilio signs it");
  cmd->add_flag("-q,--quiet", o.quiet, "One line per delivery");
  cmd->add_flag("-b,--brief", o.brief,
                "A few lines per delivery: the summary, the key headers, a body preview");
  cmd->add_flag("--json", o.json, "One capture record per line on stdout");
  cmd->add_option("--events", o.events,
                  "Show only these deliveries: an event glob ('invoice.*') or "
                  "provider[:event-glob] (repeatable; the others are still answered, captured, "
                  "forwarded and counted)");
  cmd->add_option("--capture", o.capture, "Append every delivery to FILE (JSON Lines, mode 0600)");
  cmd->add_flag("--fsync", o.fsync, "fsync each capture line before answering (power-loss safe)");
  add_answer_options(*cmd, o);
  cmd->add_option("--forward-to", o.forward_to,
                  "Relay to URL, or 'provider[:event-glob]=URL' (repeatable; first match wins)");
  cmd->add_option("--forward-header", o.forward_headers,
                  "Set a header on every forwarded request: 'Name: value' (repeatable; replaces "
                  "the delivery's own of that name; the capture keeps what arrived)");
  cmd->add_option("--forward-timeout", o.forward_timeout_s, "Seconds to wait for the handler")
      ->capture_default_str()
      ->check(decimal_number(0.001, 86400.0));
  cmd->add_flag("--tls", o.tls, "Serve HTTPS with a generated self-signed certificate");
  cmd->add_option("--tls-cert", o.tls_cert, "Serve HTTPS with this PEM certificate");
  cmd->add_option("--tls-key", o.tls_key, "Private key (PEM) for --tls-cert");
  cmd->add_option("-n,--count", o.count, "Exit after N deliveries")->check(whole_number(1));
  cmd->add_option("--timeout", o.timeout_s,
                  "Exit after SECONDS; status 1 if --count was not reached")
      ->check(decimal_number(0.001, 1e7));
  cmd->add_flag("--require-valid", o.require_valid, "Exit status 1 if any delivery was not valid");
  cmd->add_flag("--no-handshake", o.no_handshake,
                "Pass endpoint-verification requests (Slack url_verification, Zoom, Twitch, "
                "Discord PING) on like any delivery instead of answering them");
  cmd->add_option("--max-body", o.max_body, "Largest body accepted, in bytes (larger: 413)")
      ->capture_default_str()
      ->check(whole_number(0));
  cmd->add_option("--host-header", o.host_header,
                  "Host sent to --forward-to: keep (the sender's, as URL-signing schemes need) or "
                  "rewrite (the forward target's)")
      ->capture_default_str()
      ->check(CLI::IsMember({"keep", "rewrite"}));
  cmd->add_option("--workers", o.workers,
                  "Handler threads (started as needed; connections are not threads)")
      ->capture_default_str()
      ->check(whole_number(1, 4096));
  cmd->add_flag("--ui", o.ui, "Serve the web inspector (on 127.0.0.1, --ui-port)");
  cmd->add_option("--ui-port", o.ui_port, "Port of the web inspector (0 picks a free one)")
      ->capture_default_str()
      ->check(whole_number(0, 65535));
  cmd->add_option("--ready-file", o.ready_file,
                  "Once listening, write the URL (and the inspector's) to FILE: scripts wait "
                  "for it instead of racing the start");
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool listen --port 9000 --secret stripe=whsec_… --capture deliveries.jsonl\n"
      "  hooktool listen -q --forward-to 'stripe:invoice.*=localhost:3000/billing'\n"
      "  hooktool listen --count 1 --timeout 30 --require-valid --secret github=s3cret &   # CI\n"
      "  hooktool listen --ui --capture deliveries.jsonl     # then open http://127.0.0.1:4040");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

listen::InspectorConfig inspector_config(const ListenOptions& o, const core::Settings& settings) {
  listen::InspectorConfig c;
  c.generic = to_config(o.generic);
  if (!o.provider.empty()) {
    const auto forced = providers::require_provider(o.provider, c.generic);
    check_generic_flags_apply(o.generic, forced.get(),
                              "--provider " + std::string(forced->id()) + " does not use it");
    c.forced_provider = std::string(providers::canonical_id(o.provider));
  } else {
    check_generic_flags_apply(o.generic, nullptr,
                              "listen has no --provider (the generic scheme is never detected)");
  }
  auto secrets = settings.secrets(o.secret);
  for (const auto& [family, value] : secrets.by_family)
    providers::make_provider(family, c.generic)->validate_verifying_key(value);
  c.secrets =
      std::map<std::string, std::string>(secrets.by_family.begin(), secrets.by_family.end());
  c.bare_secret = std::move(secrets.bare);
  if (!c.bare_secret)
    c.dev_secrets = std::make_shared<core::DevSecrets>(core::DevSecrets::default_dir());
  if (o.tolerance >= 0)
    c.tolerance = o.tolerance;
  c.answer_handshakes = !o.no_handshake;
  if (!o.public_url.empty()) {
    (void)model::parse_target(o.public_url);
    c.public_url = o.public_url;
  }
  return c;
}

// The Content-Type of --response-body: from an @file's extension, else from the text.
std::string guess_content_type(const std::string& arg, const std::string& body) {
  if (arg.starts_with("@")) {
    auto ext = std::filesystem::path(arg.substr(1)).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (ext == ".json")
      return "application/json";
    if (ext == ".xml")
      return "application/xml"; // TwiML
    if (ext == ".html" || ext == ".htm")
      return "text/html; charset=utf-8";
    if (ext == ".txt")
      return "text/plain; charset=utf-8";
  }
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return "text/plain; charset=utf-8";
  if (body[first] == '{' || body[first] == '[')
    return "application/json";
  if (body.compare(first, 5, "<?xml") == 0 || body.compare(first, 9, "<Response") == 0)
    return "application/xml";
  if (body.compare(first, 9, "<!DOCTYPE") == 0 || body.compare(first, 5, "<html") == 0)
    return "text/html; charset=utf-8";
  return "text/plain; charset=utf-8";
}

listen::Simulation simulation(const ListenOptions& o) {
  listen::Simulation s;
  s.status = o.status;
  s.delay_ms = o.delay_ms;
  s.fail_rate = o.fail_rate;
  if (o.fail_status != 0)
    s.fail_status = o.fail_status;
  if (o.seed >= 0)
    s.seed = static_cast<std::uint64_t>(o.seed);
  if (!o.response_body.empty()) {
    s.body = util::read_arg(o.response_body);
    s.content_type = guess_content_type(o.response_body, s.body);
  }
  s.headers = parse_headers(o.response_headers, "--response-header");
  for (const auto& h : s.headers)
    if (util::iequals(h.name, "Content-Length") || model::is_hop_by_hop(h.name))
      throw usage_error("--response-header " + util::printable(h.name) +
                        ": listen frames its answers itself; this header cannot be set");
  return s;
}

// --fail-rate answers --fail-status instead of --status: the two must differ to mean anything.
void check_failure_flags(const ListenOptions& o) {
  if (o.fail_status != 0 && o.fail_rate <= 0)
    throw usage_error("--fail-status " + std::to_string(o.fail_status) +
                      " needs --fail-rate P (the share of deliveries answered with it)");
  const int failing = o.fail_status != 0 ? o.fail_status : 500;
  if (o.fail_rate > 0 && failing == o.status)
    throw usage_error("--fail-rate answers --fail-status " + std::to_string(failing) +
                      ", the same as --status " + std::to_string(o.status) +
                      ": every answer would be " + std::to_string(o.status) +
                      "; set --status to the normal answer (e.g. 200) or --fail-status to "
                      "another code");
}

void check_flags(const ListenOptions& o) {
  if (static_cast<int>(o.quiet) + static_cast<int>(o.json) + static_cast<int>(o.brief) > 1)
    throw usage_error("--quiet, --brief and --json are exclusive (one way to show deliveries)");
  if ((o.tls_cert.empty()) != (o.tls_key.empty()))
    throw usage_error("--tls-cert and --tls-key go together");
  if (o.tls && !o.tls_cert.empty())
    throw usage_error("--tls generates a certificate; do not combine it with --tls-cert");
  if (o.ui_port != 0 && o.ui_port == o.port)
    throw usage_error("--ui-port must differ from --port");
  check_failure_flags(o);
}

listen::SessionConfig session_config(const ListenOptions& o, const core::Settings& settings) {
  listen::SessionConfig c;
  c.inspector = inspector_config(o, settings);
  for (const auto& r : o.forward_to) {
    try {
      c.routes.push_back(listen::parse_route(r));
    } catch (const Error& e) {
      if (o.forward_where.empty())
        throw;
      throw usage_error(o.forward_where + ": listen.forward: " + e.what());
    }
  }
  c.forward_headers = parse_headers(o.forward_headers, "--forward-header");
  for (const auto& h : c.forward_headers)
    if (model::is_hop_by_hop(h.name))
      throw usage_error("--forward-header '" + util::printable(h.name) +
                        "': a connection header, set by the forwarding itself (the Host: "
                        "--host-header)");
  if (!c.forward_headers.empty() && c.routes.empty())
    throw usage_error(
        "--forward-header needs --forward-to (it sets headers on forwarded requests)");
  for (const auto& filter : o.events)
    c.display.push_back(listen::parse_event_filter(filter));
  c.simulation = simulation(o);
  c.forward_timeout = std::chrono::milliseconds(static_cast<long long>(o.forward_timeout_s * 1000));
  c.host_header =
      o.host_header == "rewrite" ? listen::HostHeader::rewrite : listen::HostHeader::keep;
  c.capture_path = o.capture;
  c.durability = o.fsync ? listen::Durability::power_loss : listen::Durability::process_crash;
  c.format = o.json    ? listen::TerminalFormat::json
             : o.quiet ? listen::TerminalFormat::quiet
             : o.brief ? listen::TerminalFormat::brief
                       : listen::TerminalFormat::pretty;
  c.server.host = o.host;
  c.server.port = o.port;
  c.server.max_body = static_cast<std::size_t>(o.max_body);
  c.server.workers = static_cast<std::size_t>(o.workers);
  if (o.tls)
    c.server.tls = std::make_shared<const crypto::CertifiedKey>(crypto::generate_self_signed());
  else if (!o.tls_cert.empty())
    c.server.tls =
        std::make_shared<const crypto::CertifiedKey>(crypto::load_pem(o.tls_cert, o.tls_key));
  c.count = o.count;
  c.timeout_s = o.timeout_s;
  c.require_valid = o.require_valid;
  return c;
}

void print_banner(const ListenOptions& o, const listen::Session& session, int port) {
  const auto& c = session.config();
  const std::string scheme = session.tls_fingerprint().empty() ? "http" : "https";
  const std::string shown_host =
      o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  std::cerr << "hooktool listening on " << scheme << "://" << shown_host << ":" << port
            << "  (Ctrl-C to stop)\n";
  if (!net::is_loopback_host(o.host))
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " listening on "
              << o.host << ": other machines can send to this port\n";
  if (!session.tls_fingerprint().empty())
    std::cerr << "TLS certificate SHA-256 fingerprint: " << session.tls_fingerprint()
              << " (self-signed: use send --insecure)\n";
  if (!o.capture.empty())
    std::cerr << "capturing to " << o.capture << "\n";
  for (const auto& r : c.routes)
    std::cerr << "forwarding " << (r.provider.empty() ? "*" : r.provider)
              << (r.event_glob.empty() ? "" : ":" + r.event_glob) << " to " << r.url << "\n";
}

// The file a script waits on: written whole (a temporary file renamed into place) only once
// the port accepts connections, so its presence means ready.
void write_ready_file(const ListenOptions& o, const listen::Session& session, int port,
                      const std::string& inspector_url) {
  const std::string scheme = session.tls_fingerprint().empty() ? "http" : "https";
  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  std::string text = scheme + "://" + host + ":" + std::to_string(port) + "\n";
  if (!inspector_url.empty())
    text += inspector_url + "\n";
  const std::filesystem::path path(o.ready_file);
  auto tmp = path;
  tmp += ".tmp";
  util::write_file(tmp, text);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    throw usage_error("--ready-file " + o.ready_file + ": " + ec.message());
}

} // namespace

int run_listen(const ListenOptions& o, const core::Settings& settings) {
  check_flags(o);
  auto config = session_config(o, settings);
  if (o.ui) // the inspector changes the simulated answer while listen runs
    config.simulation.live = std::make_shared<listen::LiveAnswer>(config.simulation.answer());
  listen::Session session(std::move(config));
  std::shared_ptr<webui::Store> store;
  std::unique_ptr<webui::UiServer> inspector;
  if (o.ui) {
    store = std::make_shared<webui::Store>(webui::StoreOptions{1000, 64u << 20, o.capture});
    session.add_observer(store);
    inspector = std::make_unique<webui::UiServer>(webui::UiOptions{"127.0.0.1", o.ui_port, 16},
                                                  *store, webui::session_actions(session));
    (void)inspector->start(); // before the webhook port: a taken UI port fails first
    session.on_stopping([&inspector] { inspector->stop(); });
  }
  std::error_code ec;
  if (!o.ready_file.empty())
    std::filesystem::remove(o.ready_file, ec); // a stale one from an earlier run is not "ready"
  const int port = session.start();
  print_banner(o, session, port);
  if (inspector)
    std::cerr << "inspector on " << inspector->url() << "\n";
  std::cerr.flush();
  if (!o.ready_file.empty())
    write_ready_file(o, session, port, inspector ? inspector->url() : std::string());
  const int code = session.finish(session.wait());
  if (!o.ready_file.empty())
    std::filesystem::remove(o.ready_file, ec); // not listening any more
  return code;
}

} // namespace hooktool::commands
