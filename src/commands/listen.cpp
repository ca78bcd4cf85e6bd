#include "commands/listen.hpp"

#include "commands/config.hpp"
#include "crypto/tls_cert.hpp"
#include "listen/inspector.hpp"
#include "listen/responder.hpp"
#include "listen/sinks.hpp"
#include "model/url.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace hooktool::commands {

CLI::App* register_listen(CLI::App& app, ListenOptions& o) {
  auto* cmd = app.add_subcommand("listen", "Receive, verify, capture and forward webhooks locally");
  cmd->add_option("--host", o.host, "Address to bind (loopback unless told otherwise)")
      ->capture_default_str();
  cmd->add_option("-p,--port", o.port, "Port (0 picks a free one)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--provider", o.provider, "Treat every delivery as this provider's");
  add_secret_options(
      *cmd, o.secret,
      "A secret to verify with: provider=SECRET (repeatable) or a bare SECRET for any provider");
  cmd->add_option("--tolerance", o.tolerance,
                  "Replay window in seconds for timestamped schemes (0: off)")
      ->check(CLI::Range(0LL, 100LL * 365 * 86400));
  cmd->add_option("--public-url", o.public_url,
                  "The URL senders use (behind a tunnel); Twilio signs it");
  cmd->add_flag("-q,--quiet", o.quiet, "One line per delivery");
  cmd->add_flag("--json", o.json, "One capture record per line on stdout");
  cmd->add_option("--capture", o.capture, "Append every delivery to FILE (JSON Lines, mode 0600)");
  cmd->add_flag("--fsync", o.fsync, "fsync each capture line before answering (power-loss safe)");
  cmd->add_option("--status", o.status, "Status to answer with")
      ->capture_default_str()
      ->check(CLI::Range(100, 599));
  cmd->add_option("--delay", o.delay_ms, "Wait MS milliseconds before answering")
      ->check(CLI::Range(0LL, 3600000LL));
  cmd->add_option("--fail-rate", o.fail_rate, "Answer 500 with this probability (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--seed", o.seed, "Seed for --fail-rate, for repeatable runs")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--response-body", o.response_body, "Body to answer with: text, @file");
  cmd->add_option("--forward-to", o.forward_to,
                  "Relay to URL, or 'provider[:event-glob]=URL' (repeatable; first match wins)");
  cmd->add_option("--forward-timeout", o.forward_timeout_s, "Seconds to wait for the handler")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_flag("--tls", o.tls, "Serve HTTPS with a generated self-signed certificate");
  cmd->add_option("--tls-cert", o.tls_cert, "Serve HTTPS with this PEM certificate");
  cmd->add_option("--tls-key", o.tls_key, "Private key (PEM) for --tls-cert");
  cmd->add_option("-n,--count", o.count, "Exit after N deliveries")
      ->check(CLI::Range(1LL, 1LL << 40));
  cmd->add_option("--timeout", o.timeout_s,
                  "Exit after SECONDS; status 1 if --count was not reached")
      ->check(CLI::Range(0.001, 1e7));
  cmd->add_flag("--require-valid", o.require_valid, "Exit status 1 if any delivery was not valid");
  cmd->add_option("--max-body", o.max_body, "Largest body accepted, in bytes (larger: 413)")
      ->capture_default_str()
      ->check(CLI::Range(0LL, 1LL << 40));
  cmd->add_option("--host-header", o.host_header,
                  "Host sent to --forward-to: keep (the sender's, as URL-signing schemes need) or "
                  "rewrite (the forward target's)")
      ->capture_default_str()
      ->check(CLI::IsMember({"keep", "rewrite"}));
  cmd->add_option("--workers", o.workers,
                  "Handler threads (started as needed; connections are not threads)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool listen --port 9000 --secret stripe=whsec_… --capture deliveries.jsonl\n"
      "  hooktool listen -q --forward-to 'stripe:invoice.*=localhost:3000/billing'\n"
      "  hooktool listen --count 1 --timeout 30 --require-valid --secret github=s3cret &   # CI");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

// Counts by verdict, for the exit status and the closing summary.
struct Tally {
  std::atomic<long long> total{0};
  std::array<std::atomic<long long>, 5> by_status{};
  std::atomic<long long> not_valid{0};
  std::atomic<long long> capture_errors{0};
  std::atomic<long long> rejected{0};

  [[nodiscard]] std::string summary() const {
    std::string out = std::to_string(total.load()) + (total == 1 ? " delivery" : " deliveries");
    std::string parts;
    for (const auto s :
         {model::VerdictStatus::valid, model::VerdictStatus::invalid, model::VerdictStatus::expired,
          model::VerdictStatus::unsigned_, model::VerdictStatus::unverified}) {
      const auto n = by_status[static_cast<std::size_t>(s)].load();
      if (n > 0)
        parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " +
                 std::string(model::to_string(s));
    }
    if (!parts.empty())
      out += ": " + parts;
    if (rejected > 0)
      out += "; " + std::to_string(rejected.load()) + " rejected by the server";
    if (capture_errors > 0)
      out += "; " + std::to_string(capture_errors.load()) + " NOT captured";
    return out;
  }
};

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" || host.starts_with("127.");
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

listen::InspectorConfig inspector_config(const ListenOptions& o, const core::Settings& settings) {
  listen::InspectorConfig c;
  c.generic = to_config(o.generic);
  if (!o.provider.empty()) {
    (void)providers::require_provider(o.provider, c.generic);
    c.forced_provider = std::string(providers::canonical_id(o.provider));
  }
  auto secrets = settings.secrets(o.secret);
  for (const auto& [family, value] : secrets.by_family)
    providers::make_provider(family, c.generic)->validate_verifying_key(value);
  c.secrets =
      std::map<std::string, std::string>(secrets.by_family.begin(), secrets.by_family.end());
  c.bare_secret = std::move(secrets.bare);
  if (o.tolerance >= 0)
    c.tolerance = o.tolerance;
  if (!o.public_url.empty()) {
    (void)model::parse_target(o.public_url);
    c.public_url = o.public_url;
  }
  return c;
}

listen::Simulation simulation(const ListenOptions& o) {
  listen::Simulation s;
  s.status = o.status;
  s.delay_ms = o.delay_ms;
  s.fail_rate = o.fail_rate;
  if (o.seed >= 0)
    s.seed = static_cast<std::uint64_t>(o.seed);
  if (!o.response_body.empty()) {
    s.body = util::read_arg(o.response_body);
    const auto first = s.body.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (s.body[first] == '{' || s.body[first] == '['))
      s.content_type = "application/json";
  }
  return s;
}

} // namespace

int run_listen(const ListenOptions& o, const core::Settings& settings) {
  if (o.quiet && o.json)
    throw usage_error("--quiet and --json are exclusive");
  if ((o.tls_cert.empty()) != (o.tls_key.empty()))
    throw usage_error("--tls-cert and --tls-key go together");
  if (o.tls && !o.tls_cert.empty())
    throw usage_error("--tls generates a certificate; do not combine it with --tls-cert");

  auto inspector = std::make_shared<listen::Inspector>(inspector_config(o, settings));
  std::vector<listen::Route> routes;
  for (const auto& r : o.forward_to) {
    try {
      routes.push_back(listen::parse_route(r));
    } catch (const Error& e) {
      if (o.forward_where.empty())
        throw;
      throw usage_error(o.forward_where + ": listen.forward: " + e.what());
    }
  }
  auto responder = std::make_shared<listen::Responder>(
      routes, simulation(o),
      std::chrono::milliseconds(static_cast<long long>(o.forward_timeout_s * 1000)),
      o.host_header == "rewrite" ? listen::HostHeader::rewrite : listen::HostHeader::keep);
  auto duplicates = std::make_shared<listen::DuplicateTracker>();

  std::unique_ptr<listen::CaptureSink> capture;
  if (!o.capture.empty())
    capture = std::make_unique<listen::CaptureSink>(
        o.capture, o.fsync ? listen::Durability::power_loss : listen::Durability::process_crash);
  listen::TerminalSink terminal(o.json    ? listen::TerminalFormat::json
                                : o.quiet ? listen::TerminalFormat::quiet
                                          : listen::TerminalFormat::pretty,
                                ui::ViewOptions{});

  net::ServerOptions server_options;
  server_options.host = o.host;
  server_options.port = o.port;
  server_options.max_body = static_cast<std::size_t>(o.max_body);
  server_options.workers = static_cast<std::size_t>(o.workers);
  std::string fingerprint;
  if (o.tls)
    server_options.tls = crypto::generate_self_signed();
  else if (!o.tls_cert.empty())
    server_options.tls = crypto::load_pem(o.tls_cert, o.tls_key);
  if (server_options.tls)
    fingerprint = crypto::fingerprint_sha256(server_options.tls->cert.get());

  // Signals are taken through a signalfd by this thread only; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const Fd sigfd(::signalfd(-1, &signals, SFD_CLOEXEC));
  const Fd donefd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (sigfd.fd < 0 || donefd.fd < 0)
    throw failure(std::string("cannot set up signal handling: ") + std::strerror(errno));

  Tally tally;
  const long long count = o.count;
  const auto on_request = [&](net::IncomingRequest&& in) -> net::OutgoingResponse {
    const auto start = util::now_ms();
    auto record = inspector->inspect(std::move(in));
    record.duplicate = duplicates->observe(record);
    auto response = responder->respond(record);
    record.response_status = response.status;
    record.duration_ms = util::now_ms() - start;
    if (capture) {
      try {
        capture->write(record); // on disk before the sender hears back
      } catch (const Error& e) {
        ++tally.capture_errors;
        std::cerr << ui::paint("hooktool: capture failed:", ui::Style::error, ui::Stream::err)
                  << " " << e.what() << "; answered 507\n";
        response = {507, {}, std::string("hooktool: capture failed: ") + e.what() + "\n"};
        record.response_status = 507;
      }
    }
    terminal.write(record);
    ++tally.by_status[static_cast<std::size_t>(record.verification.status)];
    if (record.verification.status != model::VerdictStatus::valid)
      ++tally.not_valid;
    if (++tally.total == count) {
      const std::uint64_t one = 1;
      (void)::write(donefd.fd, &one, sizeof one);
    }
    return response;
  };
  const auto on_reject = [&](int status, const std::string& remote) {
    ++tally.rejected;
    std::cerr << ui::paint("hooktool:", ui::Style::warn, ui::Stream::err) << " answered " << status
              << " to " << (remote.empty() ? "a client" : remote)
              << (status == 413   ? " (body over --max-body)"
                  : status == 431 ? " (request head too large)"
                                  : " (malformed request)")
              << "\n";
  };

  net::ListenServer server(std::move(server_options), on_request, on_reject);
  const int port = server.start();
  const std::string scheme = o.tls || !o.tls_cert.empty() ? "https" : "http";
  const std::string shown_host =
      o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  std::cerr << "hooktool listening on " << scheme << "://" << shown_host << ":" << port
            << "  (Ctrl-C to stop)\n";
  if (!is_loopback(o.host))
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " listening on "
              << o.host << ": other machines can send to this port\n";
  if (!fingerprint.empty())
    std::cerr << "TLS certificate SHA-256 fingerprint: " << fingerprint
              << " (self-signed: use send --insecure)\n";
  if (!o.capture.empty())
    std::cerr << "capturing to " << o.capture << "\n";
  for (const auto& r : routes)
    std::cerr << "forwarding " << (r.provider.empty() ? "*" : r.provider)
              << (r.event_glob.empty() ? "" : ":" + r.event_glob) << " to " << r.url << "\n";
  std::cerr.flush();

  // Wait for a signal, the --count-th delivery, or the --timeout deadline.
  const auto deadline =
      o.timeout_s > 0 ? util::now_ms() + static_cast<long long>(o.timeout_s * 1000) : 0;
  bool timed_out = false;
  bool interrupted = false;
  for (;;) {
    std::array<pollfd, 2> fds{{{sigfd.fd, POLLIN, 0}, {donefd.fd, POLLIN, 0}}};
    int wait_ms = -1;
    if (deadline != 0)
      wait_ms = static_cast<int>(std::max<long long>(0, deadline - util::now_ms()));
    const int n = ::poll(fds.data(), fds.size(), wait_ms);
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0) {
      timed_out = true;
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      (void)::read(sigfd.fd, &info, sizeof info);
      interrupted = true;
      break;
    }
    if (fds[1].revents & POLLIN)
      break;
  }
  server.stop();
  server.join();

  std::cerr << (interrupted ? "\n" : "") << "hooktool: " << tally.summary() << "\n";
  int code = 0;
  if (count > 0 && tally.total < count) {
    std::cerr << "hooktool: " << (timed_out ? "timed out" : "stopped") << " after " << tally.total
              << " of " << count << " deliveries\n";
    code = 1;
  } else if (count == 0 && timed_out && tally.total == 0) {
    std::cerr << "hooktool: timed out with no delivery\n";
    code = 1;
  }
  if (o.require_valid && tally.not_valid > 0) {
    std::cerr << "hooktool: " << tally.not_valid
              << (tally.not_valid == 1 ? " delivery was" : " deliveries were")
              << " not valid (--require-valid)\n";
    code = 1;
  }
  if (tally.capture_errors > 0)
    code = 1;
  return code;
}

} // namespace hooktool::commands
