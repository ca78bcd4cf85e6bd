#include "commands/send.hpp"

#include "commands/cli_words.hpp"
#include "core/capture.hpp"
#include "core/compose.hpp"
#include "core/dev_secrets.hpp"
#include "core/scenario.hpp"
#include "model/url.hpp"
#include "net/http_client.hpp"
#include "net/load.hpp"
#include "net/retry.hpp"
#include "providers/registry.hpp"
#include "ui/http_view.hpp"
#include "ui/progress.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

namespace hooktool::commands {

namespace {

// --count, --concurrency, --rate, --duration, --same-payload, --threads; --scenario,
// --scenario-gap.
void add_load_and_scenario_options(CLI::App& cmd, SendOptions& o) {
  cmd.add_option("--count", o.count,
                 "Load mode: send N deliveries (each freshly rendered and signed)")
      ->check(whole_number(1))
      ->group("Load");
  cmd.add_option("--concurrency", o.concurrency, "Load mode: deliveries in flight at once")
      ->capture_default_str()
      ->check(whole_number(1, 10000))
      ->group("Load");
  cmd.add_option("--rate", o.rate, "Load mode: deliveries started per second (default: no limit)")
      ->check(decimal_number(0.001, 1e7))
      ->group("Load");
  cmd.add_option("--duration", o.duration_s, "Load mode: stop after SECONDS")
      ->check(decimal_number(0.001, 1e7))
      ->group("Load");
  cmd.add_flag("--same-payload", o.same_payload,
               "Load mode: send one signed delivery over and over")
      ->group("Load");
  cmd.add_option("--threads", o.threads,
                 "Load mode: I/O threads of the engine (plain http://), each with its share of "
                 "the connections and, for fresh deliveries, a producer of its own (default: one "
                 "per core, at most 4)")
      ->check(whole_number(1, 256))
      ->group("Load");
  cmd.add_option("--scenario", o.scenario,
                 "Send a scenario's events in order, sharing ids, instead of one event "
                 "(see `hooktool fixtures PROVIDER --scenarios`)")
      ->group("Scenario");
  cmd.add_option("--scenario-gap", o.scenario_gap_ms,
                 "Scenario: the longest wait between two events, in ms (each waits the "
                 "scenario's delay, capped at this; 0: back to back)")
      ->capture_default_str()
      ->check(whole_number(0, 86400000))
      ->group("Scenario");
}

} // namespace

CLI::App* register_send(CLI::App& app, SendOptions& o) {
  auto* cmd = app.add_subcommand("send", "Send a provider-shaped, signed webhook to a URL");
  cmd->add_option("provider", o.provider, providers::joined_ids())->required();
  cmd->add_option("event", o.event, "Event (fixture) name; see `hooktool fixtures`");
  cmd->add_option("--to", o.to,
                  "Target: localhost:3000, :3000, http(s)://host:port/path (or HOOKTOOL_TO, "
                  "`to` in the config file)");
  add_secret_options(*cmd, o.secret, "Signing secret");
  cmd->add_option("-H,--header", o.headers, "Extra header 'Name: value' (repeatable; overrides)");
  cmd->add_option("--timeout", o.timeout_s, "Seconds to wait for each response")
      ->capture_default_str()
      ->check(decimal_number(0.001, 86400.0));
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the TLS certificate");
  cmd->add_flag("-L,--location", o.location,
                "Follow redirects (same method and body; providers do not)");
  cmd->add_option("--expect", o.expect, "Expected status: 2xx (default), 4xx, 202, 200,204 …");
  cmd->add_flag("--json", o.json, "One JSON object per delivery on stdout, nothing else");
  add_verbose_flag(*cmd, o.verbose);
  cmd->add_option("--duplicate", o.duplicate, "Send the identical delivery N times")
      ->check(whole_number(1, 100000));
  cmd->add_option("--tamper", o.tamper,
                  "Break the delivery after signing: signature, body, timestamp")
      ->check(CLI::IsMember({"signature", "body", "timestamp"}));
  cmd->add_option("--age", o.age_s, "Backdate the timestamp by SECONDS (replay-window drill)")
      ->check(whole_number(0, 100LL * 365 * 86400));
  cmd->add_option("--retries", o.retries, "Re-send up to N times on non-2xx or no answer")
      ->check(whole_number(0, 100));
  cmd->add_option("--backoff", o.backoff, "First retry delay (doubles each time): 500ms, 1s, 2m")
      ->capture_default_str();
  cmd->add_option("--wait-for-listener", o.wait_for_listener_s,
                  "Before sending, wait up to SECONDS for the target's port to accept "
                  "connections (a listener still starting)")
      ->check(decimal_number(0.001, 86400.0));
  cmd->add_flag("--dry-run", o.dry_run, "Print the request instead of sending it");
  cmd->add_option("--save", o.save, "Append what was sent to FILE (capture format, mode 0600)");
  cmd->add_option("--set", o.sets,
                  "Override a payload field: PATH=VALUE (dotted path; JSON or text); the path "
                  "must exist in the fixture");
  cmd->add_option("--set-new", o.set_news,
                  "Like --set, and adds the keys (or array elements) the fixture does not have");
  cmd->add_option("-d,--data", o.data, "Replace the payload: @file, - (stdin) or the text itself");
  cmd->add_option("--fixtures", o.fixture_dirs,
                  "Extra fixture directory (DIR/<provider>/<event>.json)");
  cmd->add_option("--signing-url", o.signing_url,
                  "twilio: the URL to sign, when the handler sees another");
  add_load_and_scenario_options(*cmd, o);
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool send stripe invoice.payment_failed --to localhost:3000/webhooks --secret "
      "whsec_…\n"
      "  hooktool send github push --to :3000 --secret s3cret --duplicate 3 --expect 2xx --json\n"
      "  hooktool send stripe invoice.paid --to :3000 --tamper signature   # must get 4xx\n"
      "  hooktool send github push --to :3000 --count 20000 --concurrency 32   # load\n"
      "  hooktool send stripe --scenario checkout --to :3000/webhooks   # a sequence of events");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

constexpr int kInterruptedExit = 130; // 128 + SIGINT, as shells report a Ctrl-C

struct Context {
  const SendOptions& o;
  const providers::Provider& provider;
  Expectation expect;
  std::string secret;
  std::string signing_url;
  model::Headers extra;
  std::optional<util::AppendFile> save;
  bool tampered = false;
  // --scenario: the event being sent, 1-based, of `steps` (0 outside a scenario).
  std::size_t step = 0;
  std::size_t steps = 0;
};

// --scenario --json: which scenario and which of its events a record is about.
void add_scenario_fields(const Context& c, nlohmann::ordered_json& j) {
  if (c.steps == 0)
    return;
  j["scenario"] = c.o.scenario;
  j["step"] = c.step;
  j["steps"] = c.steps;
}

// -v: the handler's answer as HTTPie prints it: status line, headers, blank line, body.
void print_attempt(const Context& c, const core::Composed& d, const model::HttpRequest& req,
                   const net::HttpResponse& r, int attempt, int copy) {
  if (c.o.json)
    return;
  constexpr auto out = ui::Stream::out;
  std::string line = ui::paint(util::format_clock(util::now_ms()), ui::Style::dim, out) + "  ";
  if (r.error != net::TransportError::none)
    line += ui::paint("ERR", ui::Style::error, out);
  else
    line += ui::paint(std::to_string(r.status), ui::status_style(r.status), out);
  line +=
      "  " + req.method + " " + req.url + "  " + std::string(c.provider.id()) + " " + d.info.type;
  if (!d.info.id.empty())
    line += " [" + d.info.id + "]";
  line += "  " + ui::paint(std::to_string(r.duration_ms) + " ms", ui::Style::dim, out);
  if (c.o.duplicate > 1)
    line += ui::paint("  copy " + std::to_string(copy) + "/" + std::to_string(c.o.duplicate),
                      ui::Style::dim, out);
  if (attempt > 1)
    line += ui::paint("  attempt " + std::to_string(attempt), ui::Style::warn, out);
  std::cout << line << "\n";
  if (r.error != net::TransportError::none)
    std::cout << "          " << ui::paint(r.error_message, ui::Style::error, out) << "\n";
  else if (c.o.verbose)
    print_response(r);
  else if (!c.expect.matches(r.status) && !r.body.empty())
    std::cout << "          " << ui::paint(ui::body_snippet(r.body), ui::Style::dim, out) << "\n";
  std::cout.flush();
}

// The capture record of a delivery as sent (no answer yet).
core::CaptureRecord sent_record(const Context& c, const core::Composed& d,
                                const model::HttpRequest& req) {
  core::CaptureRecord rec;
  rec.id = core::new_capture_id();
  rec.received_at_ms = util::now_ms();
  rec.method = req.method;
  const auto url = model::parse_target(req.url);
  rec.path = url.path;
  rec.query = url.query;
  rec.url = req.url;
  rec.headers = req.headers;
  rec.body = req.body;
  rec.provider = std::string(c.provider.id());
  rec.event_type = d.info.type;
  rec.event_id = d.info.id;
  providers::VerifyParams vp;
  vp.secret = c.secret;
  vp.now = util::now_s();
  vp.urls = {c.signing_url.empty() ? req.url : c.signing_url};
  rec.verification = c.provider.verify(req, vp);
  return rec;
}

// --save to an existing file that other users can read: said once.
void warn_if_shared(const util::AppendFile& file) {
  if (!file.warning().empty())
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " " << file.warning()
              << "\n";
}

void save_attempt(Context& c, const core::Composed& d, const model::HttpRequest& req,
                  const net::HttpResponse& r) {
  if (!c.save)
    return;
  auto rec = sent_record(c, d, req);
  rec.received_at_ms -= r.duration_ms;
  rec.remote = r.remote;
  if (r.error == net::TransportError::none)
    rec.response_status = r.status;
  rec.duration_ms = r.duration_ms;
  c.save->append(core::to_capture_line(rec));
}

nlohmann::ordered_json summary_json(const Context& c, const core::Composed& d,
                                    const net::DeliveryOutcome& outcome, bool ok) {
  const auto& r = outcome.response;
  nlohmann::ordered_json j;
  j["provider"] = c.provider.id();
  j["event"] = d.info.type;
  j["event_id"] = d.info.id;
  add_scenario_fields(c, j);
  j["url"] = d.request.url;
  j["status"] = r.error == net::TransportError::none ? nlohmann::ordered_json(r.status) : nullptr;
  j["duration_ms"] = r.duration_ms;
  j["attempts"] = outcome.attempts;
  j["ok"] = ok;
  j["expected"] = c.expect.describe();
  if (r.error != net::TransportError::none)
    j["error"] = {{"kind", net::to_string(r.error)}, {"message", r.error_message}};
  if (c.tampered)
    j["tamper"] = d.tamper_note;
  return j;
}

std::string latency_text(std::int64_t us) {
  char buf[32];
  if (us < 1000)
    std::snprintf(buf, sizeof buf, "%lld µs", static_cast<long long>(us));
  else
    std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1000.0);
  return buf;
}

void print_load_summary(const Context& c, const net::LoadStats& stats, std::int64_t unexpected,
                        bool ok) {
  char head[160];
  std::snprintf(head, sizeof head, "%lld deliveries in %.2f s: %.0f/s (concurrency %d)\n",
                static_cast<long long>(stats.completed),
                static_cast<double>(stats.elapsed_us) / 1e6, stats.requests_per_second(),
                c.o.concurrency);
  std::cout << head << "status:  ";
  if (stats.statuses.empty())
    std::cout << "none";
  for (const auto& [status, n] : stats.statuses)
    std::cout << ui::paint(std::to_string(status), ui::status_style(status), ui::Stream::out)
              << " × " << n << "  ";
  std::cout << "\nerrors:  ";
  if (stats.errors.empty())
    std::cout << "none";
  for (const auto& [kind, n] : stats.errors)
    std::cout << ui::paint(std::string(net::to_string(kind)), ui::Style::error, ui::Stream::out)
              << " × " << n << "  ";
  std::cout << "\nlatency: p50 " << latency_text(stats.percentile_us(0.5)) << "  p90 "
            << latency_text(stats.percentile_us(0.9)) << "  p99 "
            << latency_text(stats.percentile_us(0.99)) << "  max "
            << latency_text(stats.percentile_us(1.0)) << "\n";
  if (!ok)
    std::cerr << ui::paint("hooktool:", ui::Style::error, ui::Stream::err) << " " << unexpected
              << " of " << stats.completed << " deliveries did not get the expected "
              << c.expect.describe() << "\n";
}

// What load mode sends: one signed delivery over and over (--same-payload), or each one
// rendered and signed afresh. A fresh source runs on one of the engine's producer threads; it
// owns its state, so nothing in it is shared with another thread (each producer has its own).
net::RequestSource load_source(const Context& c, const core::FixtureStore& store,
                               const core::PayloadSpec& spec, const core::ComposeInput& base) {
  if (c.o.same_payload) {
    auto fixed = std::make_shared<const model::HttpRequest>(core::compose(base).request);
    return [fixed](model::HttpRequest& out) {
      out = *fixed;
      return true;
    };
  }
  // Parsed once; each delivery overwrites only the values in the last rendering, in the
  // buffers of a request sent before.
  auto payload = std::make_shared<core::PayloadTemplate>(store, spec);
  auto in = std::make_shared<core::ComposeInput>(base);
  in->payload.format = payload->format();
  in->read_back_info = false; // per-delivery ids are not reported in load mode
  const auto age_s = c.o.age_s;
  const bool drill = base.tamper != core::Tamper::none;
  return [payload, in, age_s, drill](model::HttpRequest& out) {
    const auto now_ms = util::now_ms() - age_s * 1000;
    in->timestamp = now_ms / 1000;
    if (drill) { // the drills read the payload from the input
      in->payload = payload->render(now_ms);
      out = core::compose(*in).request;
      return true;
    }
    payload->render_into(now_ms, out.body);
    core::compose_into(*in, out);
    return true;
  };
}

// Ctrl-C during a load run: the first one stops starting deliveries (the summary of what was
// done is printed, as hey and wrk do); a second one ends the process at once.
std::atomic<bool> g_interrupted{false};

extern "C" void on_load_interrupt(int /*sig*/) {
  g_interrupted.store(true);
}

class InterruptGuard {
public:
  InterruptGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_load_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; // the second Ctrl-C is the default: exit now
    ::sigaction(SIGINT, &sa, &previous_);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  ~InterruptGuard() { ::sigaction(SIGINT, &previous_, nullptr); }

private:
  struct sigaction previous_ {};
};

// Load mode: many deliveries (net::run_load picks the engine), then one summary.
int run_load(Context& c, const core::FixtureStore& store, const core::PayloadSpec& spec,
             const core::ComposeInput& base) {
  const auto& o = c.o;
  if (!o.save.empty())
    warn_if_shared(c.save.emplace(o.save));
  net::ClientOptions copts;
  copts.timeout = std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000));
  copts.tls = o.insecure ? net::ClientOptions::Tls::insecure : net::ClientOptions::Tls::verify;
  copts.follow_redirects = o.location;
  copts.max_response_body = 64u << 10;
  net::LoadOptions lo;
  lo.count = o.count;
  lo.concurrency = o.concurrency;
  lo.rate = o.rate;
  lo.duration_ms = static_cast<std::int64_t>(o.duration_s * 1000);
  lo.url = base.url;
  lo.same_request = o.same_payload;
  lo.stop = &g_interrupted;
  lo.threads = o.threads;
  lo.more_sources = [&] {
    return load_source(c, store, spec, base);
  };
  const InterruptGuard interrupt_guard;
  // Only --save needs each response (the engine's I/O threads then take turns); the verdict
  // comes from the figures.
  net::ResponseSink on_response;
  if (c.save)
    on_response = [&](const model::HttpRequest& req, const net::HttpResponse& r) {
      core::Composed d;
      d.request = req;
      d.info = c.provider.event_info(req);
      save_attempt(c, d, req, r);
    };
  const bool show_progress = ui::is_terminal(ui::Stream::err);
  const auto on_progress = [&](const net::LoadProgress& p) {
    if (show_progress)
      std::cerr << ui::progress_line(p, 30) << std::flush;
  };
  const auto stats =
      net::run_load(load_source(c, store, spec, base), copts, lo, on_response, on_progress);
  if (show_progress)
    std::cerr << ui::clear_line() << std::flush;
  std::int64_t unexpected = 0; // errors, and statuses --expect does not accept
  for (const auto& [kind, n] : stats.errors)
    unexpected += n;
  for (const auto& [status, n] : stats.statuses)
    unexpected += c.expect.matches(status) ? 0 : n;

  const bool interrupted = g_interrupted.load();
  const bool ok = unexpected == 0 && stats.completed > 0 && !interrupted;
  const int code = interrupted ? kInterruptedExit : ok ? 0 : 1;
  if (interrupted)
    std::cerr << "hooktool: interrupted (Ctrl-C) after " << stats.completed
              << (o.count > 0 ? " of " + std::to_string(o.count) : std::string())
              << " deliveries; the summary covers those\n";
  if (!o.json) {
    print_load_summary(c, stats, unexpected, unexpected == 0 && stats.completed > 0);
    return code;
  }
  nlohmann::ordered_json j;
  j["provider"] = c.provider.id();
  j["event"] = o.event;
  j["url"] = base.url;
  auto figures = net::load_stats_json(stats);
  for (auto& [key, value] : figures.items())
    j[key] = std::move(value);
  j["expected"] = c.expect.describe();
  j["unexpected"] = unexpected;
  j["ok"] = ok;
  if (interrupted)
    j["interrupted"] = true;
  std::cout << j.dump() << "\n";
  return code;
}

// Flag combinations and values that are mistakes, before anything is read or sent.
void check_send_flags(const SendOptions& o, const providers::Provider& provider,
                      core::Tamper tamper) {
  if (o.to.empty())
    throw usage_error("send needs --to URL (or HOOKTOOL_TO, or `to` in .hooktool.toml)");
  if (tamper == core::Tamper::timestamp && provider.window() == providers::Window::none)
    throw usage_error("--tamper timestamp: " + std::string(provider.id()) +
                      " signatures carry no timestamp; use --tamper signature or body");
  if (o.age_s > 0 && provider.window() == providers::Window::none)
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err)
              << " --age has no effect on " << provider.id()
              << " signatures (no timestamp is signed); only payload times move\n";
  const bool load = o.count > 0 || o.duration_s > 0;
  if (!load && (o.concurrency > 1 || o.rate > 0 || o.same_payload || o.threads > 0))
    throw usage_error("--concurrency, --rate, --threads and --same-payload need --count or "
                      "--duration (load mode)");
  if (o.verbose && (o.json || load))
    throw usage_error(o.json
                          ? "-v/--verbose prints responses as text; it does not combine with --json"
                          : "-v/--verbose prints each response; load mode prints a summary");
  if (load && (o.duplicate > 1 || o.retries > 0))
    throw usage_error(
        "--duplicate and --retries are not available in load mode (use --same-payload)");
  if (!o.signing_url.empty())
    (void)model::parse_target(o.signing_url);
}

// The secret in force; when none is configured, the development secret (generated and kept
// the first time, and said on stderr then, with how to configure a handler with it). Without a
// place to keep it (no HOME), a fresh secret, said on stderr.
std::string signing_secret(const SendOptions& o, const core::Settings& settings,
                           const providers::Provider& provider) {
  if (auto secret = settings.secret(o.provider, o.secret)) {
    provider.validate_secret(secret->value);
    return secret->value;
  }
  const auto note = [] {
    return ui::paint("note:", ui::Style::info, ui::Stream::err);
  };
  try {
    core::DevSecrets store(core::DevSecrets::default_dir());
    auto dev = store.get_or_create(provider);
    if (dev.created) {
      const std::string id(provider.id());
      std::cerr << note() << " no secret given: made the development secret for " << id
                << " (kept in " << dev.path.string() << "); send and listen use it when no "
                << "secret is given. Configure your handler with "
                << (provider.asymmetric() ? "the public key " + provider.verifying_key(dev.value)
                                          : dev.value)
                << " (hooktool secret " << id << " shows it)\n";
    }
    return std::move(dev.value);
  } catch (const Error& e) {
    auto generated = provider.generate_secret();
    std::cerr << note() << " no secret given and no development secret (" << e.what()
              << "); signed with " << generated
              << " (set --secret, HOOKTOOL_SECRET or --secret-file)\n";
    return generated;
  }
}

core::PayloadSpec payload_spec(const SendOptions& o, const providers::Provider& provider,
                               std::int64_t now_ms) {
  core::PayloadSpec spec;
  spec.fixture_family = std::string(providers::fixture_family(provider.id()));
  spec.event = o.event;
  if (!o.data.empty())
    spec.data = util::read_arg(o.data);
  for (const auto& s : o.sets)
    spec.sets.push_back(core::parse_set(s));
  for (const auto& s : o.set_news)
    spec.sets.push_back(core::parse_set(s, core::SetMode::create));
  spec.pretty_json = provider.pretty_json();
  spec.now_ms = now_ms;
  return spec;
}

// --dry-run --save F: the records that would have been sent (one per --duplicate copy),
// with no answer; said on stderr, since nothing went out.
void save_dry_run(const Context& c, const core::Composed& delivery) {
  if (c.o.save.empty())
    return;
  util::AppendFile file(c.o.save);
  warn_if_shared(file);
  std::string lines;
  for (int copy = 0; copy < c.o.duplicate; ++copy)
    lines += core::to_capture_line(sent_record(c, delivery, delivery.request));
  file.append(lines);
  std::cerr << ui::paint("note:", ui::Style::info, ui::Stream::err) << " --dry-run: saved "
            << c.o.duplicate << (c.o.duplicate == 1 ? " record" : " records")
            << " of what would have been sent to " << c.o.save
            << " (no answer: nothing was sent)\n";
}

int print_dry_run(const Context& c, const core::Composed& delivery) {
  save_dry_run(c, delivery);
  if (c.o.json) {
    nlohmann::ordered_json j;
    j["method"] = delivery.request.method;
    j["url"] = delivery.request.url;
    auto headers = nlohmann::ordered_json::array();
    for (const auto& h : delivery.request.headers)
      headers.push_back({h.name, h.value});
    j["headers"] = std::move(headers);
    j["body"] = delivery.request.body;
    j["event_id"] = delivery.info.id;
    add_scenario_fields(c, j);
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::cout << ui::render_request(delivery.request, ui::Stream::out);
  if (!delivery.tamper_note.empty())
    std::cerr << "tamper: " << delivery.tamper_note << "\n";
  return 0;
}

// A handshake event sent with the default expectation: what is wrong with the handler's
// answer, as the provider would judge it ("" when it is right); nullopt for other sends.
std::optional<std::string> handshake_check(const Context& c, const model::HttpRequest& sent,
                                           const net::HttpResponse& r) {
  if (c.tampered || !c.o.expect.empty() || !c.provider.is_handshake_event(c.o.event) ||
      r.error != net::TransportError::none)
    return std::nullopt;
  const providers::HandshakeAnswer reply{
      r.status, std::string(model::find_header(r.headers, "Content-Type").value_or("")), r.body};
  return c.provider.handshake_problem(sent, c.provider.verifying_key(c.secret), reply).value_or("");
}

// Says how the handler answered the handshake; false when the provider would refuse it.
bool report_handshake(const Context& c, const std::optional<std::string>& problem,
                      nlohmann::ordered_json* json) {
  if (!problem)
    return true;
  if (json != nullptr)
    (*json)["handshake"] = {{"ok", problem->empty()},
                            {"problem", problem->empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json(*problem)}};
  else if (problem->empty())
    std::cerr << ui::paint("handshake:", ui::Style::ok, ui::Stream::err) << " answered as "
              << c.provider.id() << " requires\n";
  else
    std::cerr << ui::paint("hooktool:", ui::Style::error, ui::Stream::err)
              << " wrong handshake answer: " << *problem << "\n";
  return problem->empty();
}

std::string answer_text(const net::HttpResponse& r) {
  std::string text = r.error == net::TransportError::none
                         ? std::to_string(r.status)
                         : "no answer (" + std::string(net::to_string(r.error)) + ")";
  if (const auto to = model::find_header(r.headers, "Location"); to && r.status / 100 == 3)
    text += " (a redirect to " + util::printable(*to) +
            ", not followed: providers do not follow redirects; --location does)";
  return text;
}

// One delivery (or --duplicate copies), each with its retries.
int deliver_copies(Context& c, const core::Composed& delivery, std::int64_t backoff_ms,
                   core::Tamper tamper) {
  const auto& o = c.o;
  if (!o.save.empty())
    warn_if_shared(c.save.emplace(o.save));
  if (!delivery.tamper_note.empty() && !o.json)
    std::cerr << ui::paint("tamper:", ui::Style::warn, ui::Stream::err) << " "
              << delivery.tamper_note << "; expecting " << c.expect.describe() << "\n";
  net::ClientOptions copts;
  copts.timeout = std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000));
  copts.tls = o.insecure ? net::ClientOptions::Tls::insecure : net::ClientOptions::Tls::verify;
  copts.follow_redirects = o.location;
  // A handshake answer is judged as text: a handler that compresses it (the provider's own
  // Accept-Encoding asks for gzip) is decoded first.
  copts.decode_answer = c.provider.is_handshake_event(o.event);
  net::HttpClient client(copts);
  const net::RetryPolicy policy{tamper == core::Tamper::none ? o.retries : 0, backoff_ms};
  int failed = 0;
  bool handshake_failed = false;
  std::string last_answer;
  for (int copy = 1; copy <= o.duplicate; ++copy) {
    const auto prepare = [&](model::HttpRequest& req, int attempt) {
      // A real provider signs each attempt afresh and keeps the event id.
      const auto ts = (util::now_ms() - o.age_s * 1000) / 1000;
      core::resign(req, c.provider, c.secret, ts, o.signing_url, c.extra);
      c.provider.mark_retry(req.headers, attempt - 1);
    };
    const auto on_attempt = [&](const model::HttpRequest& req, const net::HttpResponse& r,
                                int attempt) {
      print_attempt(c, delivery, req, r, attempt, copy);
      save_attempt(c, delivery, req, r);
    };
    const auto done = [&](const net::HttpResponse& r) {
      return r.error == net::TransportError::none && r.ok_2xx();
    };
    const auto outcome = net::deliver(client, delivery.request, policy, done, prepare, on_attempt);
    const auto handshake = handshake_check(c, delivery.request, outcome.response);
    const bool answered = outcome.response.error == net::TransportError::none &&
                          c.expect.matches(outcome.response.status);
    bool ok = answered && (!handshake || handshake->empty());
    failed += ok ? 0 : 1;
    last_answer = answer_text(outcome.response);
    if (o.json) {
      auto j = summary_json(c, delivery, outcome, ok);
      (void)report_handshake(c, handshake, &j);
      std::cout << j.dump() << "\n" << std::flush;
    } else if (answered || (handshake && !handshake->empty())) {
      (void)report_handshake(c, handshake, nullptr);
      if (!ok)
        handshake_failed = true; // said above: not "expected 2xx"
    }
  }
  if (failed > 0 && !o.json && !handshake_failed) {
    std::cerr << ui::paint("hooktool:", ui::Style::error, ui::Stream::err) << " expected "
              << c.expect.describe();
    if (o.duplicate == 1)
      std::cerr << ", got " << last_answer << "\n";
    else
      std::cerr << ": " << failed << " of " << o.duplicate << " deliveries got something else\n";
  }
  return failed == 0 ? 0 : 1;
}

// --wait-for-listener: the target's port accepts connections, or a failure naming it.
void wait_for_listener(const SendOptions& o, const model::Url& target) {
  const auto limit =
      std::chrono::milliseconds(static_cast<long long>(o.wait_for_listener_s * 1000));
  if (net::wait_until_accepting(target.host, target.effective_port(), limit))
    return;
  const std::string host =
      target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", o.wait_for_listener_s);
  throw failure("nothing accepted a connection on " + host + ":" +
                std::to_string(target.effective_port()) + " within " + seconds +
                " s (--wait-for-listener)");
}

// --scenario: the scenario's events in order, each rendered with the shared ids, signed and
// sent as one send is, waiting between them; the first that fails stops the run.
int send_scenario(Context& c, const core::Settings& settings, const std::string& url,
                  std::int64_t backoff_ms) {
  const auto& o = c.o;
  if (!o.event.empty() || !o.data.empty() || c.tampered || o.count > 0 || o.duration_s > 0)
    throw usage_error("--scenario sends the scenario's events: it takes no EVENT, --data, "
                      "--tamper, --count or --duration");
  const std::vector<std::filesystem::path> dirs(o.fixture_dirs.begin(), o.fixture_dirs.end());
  const core::FixtureStore store(dirs);
  const auto family = std::string(providers::fixture_family(c.provider.id()));
  std::vector<core::SetOp> sets;
  for (const auto& s : o.sets)
    sets.push_back(core::parse_set(s));
  const core::ScenarioRun run(store, core::ScenarioStore(dirs).load(family, o.scenario), sets,
                              c.provider.pretty_json(), util::now_ms() - o.age_s * 1000);
  for (const auto& path : run.unmatched_sets())
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " --set " << path
              << ": no event of scenario " << o.scenario << " has this field; not applied\n";
  c.secret = signing_secret(o, settings, c.provider);
  c.steps = run.size();
  for (std::size_t i = 0; i < run.size(); ++i) {
    const auto& step = run.scenario().steps[i];
    c.step = i + 1;
    if (i > 0 && !o.dry_run)
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::min<std::int64_t>(step.delay_ms, o.scenario_gap_ms)));
    const auto now_ms = util::now_ms() - o.age_s * 1000;
    core::ComposeInput in;
    in.provider = &c.provider;
    in.event = step.event;
    in.payload = run.render(i, now_ms);
    in.url = url;
    in.signing_url = o.signing_url;
    in.secret = c.secret;
    in.timestamp = now_ms / 1000;
    in.extra_headers = c.extra;
    const auto delivery = core::compose(in);
    if (o.dry_run) {
      if (i > 0 && !o.json)
        std::cout << "\n";
      print_dry_run(c, delivery);
    } else if (deliver_copies(c, delivery, backoff_ms, core::Tamper::none) != 0) {
      std::cerr << ui::paint("hooktool:", ui::Style::error, ui::Stream::err) << " scenario "
                << o.scenario << " stopped at event " << i + 1 << " of " << run.size() << " ("
                << step.event << ")" << (i + 1 < run.size() ? "; the rest were not sent\n" : "\n");
      return 1;
    }
  }
  if (!o.dry_run && !o.json)
    std::cerr << "scenario " << o.scenario << ": " << run.size() << " events delivered\n";
  return 0;
}

} // namespace

int run_send(const SendOptions& o, const core::Settings& settings) {
  const auto provider = providers::require_provider(o.provider, to_config(o.generic));
  check_generic_flags_apply(o.generic, provider.get(),
                            "send " + std::string(provider->id()) + " does not use it");
  const auto tamper = o.tamper.empty() ? core::Tamper::none : *core::parse_tamper(o.tamper);
  check_send_flags(o, *provider, tamper);
  const auto target = model::parse_target(o.to);
  const auto backoff = util::parse_duration_ms(o.backoff);
  if (!backoff)
    throw usage_error("--backoff: expected a duration like 500ms, 1s or 2m, got '" + o.backoff +
                      "'");
  Context c{o,
            *provider,
            o.expect.empty() ? parse_expect(tamper == core::Tamper::none ? "2xx" : "4xx")
                             : parse_expect(o.expect),
            {},
            o.signing_url,
            parse_headers(o.headers),
            std::nullopt,
            tamper != core::Tamper::none};
  if (!o.scenario.empty())
    return send_scenario(c, settings, target.str(), *backoff);
  if (o.event.empty())
    throw usage_error("send needs an EVENT (see `hooktool fixtures " + o.provider +
                      "`) or --scenario NAME");

  const core::FixtureStore store(
      std::vector<std::filesystem::path>(o.fixture_dirs.begin(), o.fixture_dirs.end()));
  const auto now_ms = util::now_ms() - o.age_s * 1000;
  const auto spec = payload_spec(o, *provider, now_ms);
  auto payload = core::render_payload(store, spec);
  c.secret = signing_secret(o, settings, *provider);

  core::ComposeInput in;
  in.provider = provider.get();
  in.event = o.event;
  in.payload = std::move(payload);
  in.url = target.str();
  in.signing_url = o.signing_url;
  in.secret = c.secret;
  in.timestamp = now_ms / 1000;
  in.extra_headers = c.extra;
  in.tamper = tamper;
  if (o.wait_for_listener_s > 0 && !o.dry_run)
    wait_for_listener(o, target);
  if ((o.count > 0 || o.duration_s > 0) && !o.dry_run)
    return run_load(c, store, spec, in);
  auto delivery = core::compose(in);
  if (tamper != core::Tamper::none && !delivery.tamper_applied)
    throw usage_error("--tamper " + o.tamper + ": " + delivery.tamper_note);
  if (o.dry_run)
    return print_dry_run(c, delivery);
  return deliver_copies(c, delivery, *backoff, tamper);
}

} // namespace hooktool::commands
