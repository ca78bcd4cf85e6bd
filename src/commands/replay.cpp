#include "commands/replay.hpp"

#include "commands/cli_words.hpp"
#include "commands/config.hpp"
#include "core/compose.hpp"
#include "core/delivery_source.hpp"
#include "core/replay.hpp"
#include "model/url.hpp"
#include "net/fanout.hpp"
#include "providers/registry.hpp"
#include "ui/curl_command.hpp"
#include "ui/http_view.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/probe.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
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
      ->check(whole_number(1, 100000));
  cmd->add_option("--concurrency", o.concurrency, "Send that many copies at once")
      ->check(whole_number(1, 1024));
  cmd->add_option("--probe", o.probe,
                  "Shell command printing a number (a row count): read before and after the "
                  "copies of each delivery; growth over 1 means processed more than once");
  cmd->add_option("--delay", o.delay_ms,
                  "Wait MS milliseconds between sends (between copies, --concurrency at a time)")
      ->check(whole_number(0, 3600000));
  cmd->add_flag("--resign", o.resign,
                "Sign again with a fresh timestamp (needs --secret); ids are kept");
  add_secret_options(*cmd, o.secret, "Secret for --resign");
  cmd->add_option("-H,--header", o.headers, "Add or override a header 'Name: value' (repeatable)");
  cmd->add_option("--expect", o.expect, "Expected status: 2xx (default), 4xx, 202, …");
  cmd->add_flag("--json", o.json, "One JSON object per delivery on stdout, nothing else");
  add_verbose_flag(*cmd, o.verbose);
  cmd->add_flag("--as-curl", o.as_curl, "Print a curl command per delivery instead of sending");
  cmd->add_option("--curl-dir", o.curl_dir, "--as-curl: where to write bodies that hold NUL bytes")
      ->capture_default_str();
  cmd->add_option("--timeout", o.timeout_s, "Seconds to wait for each response")
      ->capture_default_str()
      ->check(decimal_number(0.001, 86400.0));
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the TLS certificate");
  cmd->add_flag("-L,--location", o.location,
                "Follow redirects (same method and body; providers do not)");
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool replay deliveries.jsonl --to localhost:3000 --event 'invoice.*' --times 3\n"
      "  hooktool replay deliveries.jsonl --to :3000 --times 5 --concurrency 5 --probe 'cat "
      "count'\n"
      "  hooktool replay deliveries.jsonl --to :3000 --last 1 --resign --secret stripe=whsec_…\n"
      "  hooktool replay deliveries.jsonl --as-curl --id evt_…");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

// The answers to all copies of one delivery, and what they show.
struct CopiesResult {
  std::vector<net::HttpResponse> responses;
  std::vector<int> statuses; // 0: no answer
  bool ok = true;            // every copy got the expected answer (409 allowed for copies)
  core::CopyVerdict verdict;
  std::int64_t slowest_ms = 0;
  std::string error;       // first transport error
  std::string failed_body; // the first unexpected answer's body, for the report
};

class Replayer {
public:
  Replayer(const ReplayOptions& o, const core::Settings& settings)
      : o_(o), settings_(settings), generic_(to_config(o.generic)),
        extra_(parse_headers(o.headers)),
        expect_(parse_expect(o.expect.empty() ? "2xx" : o.expect)) {
    if (!o.to.empty())
      target_ = model::parse_target(o.to);
    copts_.timeout = std::chrono::milliseconds(static_cast<long long>(o.timeout_s * 1000));
    copts_.tls = o.insecure ? net::ClientOptions::Tls::insecure : net::ClientOptions::Tls::verify;
    copts_.follow_redirects = o.location;
  }

  [[nodiscard]] const providers::GenericConfig& generic() const { return generic_; }
  [[nodiscard]] const Expectation& expect() const { return expect_; }

  // The captured delivery as it goes out again: re-signed or warned about when stale.
  model::HttpRequest prepare(const core::CaptureRecord& record, std::size_t line) {
    auto req = core::replay_request(record, target_, o_.keep_path == "yes");
    const auto* provider = provider_for(record.provider);
    if (o_.resign) {
      if (provider == nullptr)
        throw usage_error(o_.file + ":" + std::to_string(line) +
                          ": --resign: the delivery's provider is unknown");
      const auto secret = settings_.secret(record.provider, o_.secret);
      if (!secret)
        throw usage_error("--resign: no secret for " + util::capped(record.provider));
      provider->validate_secret(secret->value);
      // Twilio signs the URL: this signs the one the replay goes to.
      core::resign(req, *provider, secret->value, util::now_s(), {}, {});
    } else if (provider != nullptr && !o_.as_curl) {
      warn_if_stale(record, *provider, req);
    }
    for (const auto& h : extra_)
      model::set_header(req.headers, h.name, h.value);
    return req;
  }

  // Sends `--times` copies, `--concurrency` at once, `--delay` between batches, with the
  // probe read before and after.
  CopiesResult send(const model::HttpRequest& req) {
    CopiesResult r;
    std::optional<double> before;
    if (!o_.probe.empty())
      before = probe();
    for (int sent = 0; sent < o_.times;) {
      if (sent_any_ && o_.delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(o_.delay_ms));
      sent_any_ = true;
      const int batch = o_.delay_ms > 0 ? std::min(o_.concurrency, o_.times - sent) : o_.times;
      auto part = net::send_copies(req, batch, o_.concurrency, copts_);
      for (auto& x : part)
        r.responses.push_back(std::move(x));
      sent += batch;
    }
    std::optional<double> after;
    if (before)
      after = probe();
    judge(r, before, after);
    return r;
  }

private:
  const providers::Provider* provider_for(const std::string& id) {
    if (id.empty())
      return nullptr;
    auto& p = providers_[id];
    if (!p)
      p = providers::make_provider(id, generic_);
    return p.get();
  }

  static void warn_if_stale(const core::CaptureRecord& record, const providers::Provider& p,
                            const model::HttpRequest& req) {
    const auto ts = p.signed_time(req); // Linear's is in the body
    if (!ts)
      return;
    const auto age = util::now_s() - *ts;
    if (p.default_tolerance() > 0 && age > p.default_tolerance())
      std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " "
                << util::capped(record.id) << " was signed " << age << " s ago; "
                << util::capped(record.provider) << " handlers reject it as stale (tolerance "
                << p.default_tolerance() << " s): add --resign --secret …\n";
  }

  double probe() const {
    std::string error;
    const auto v = util::run_probe(o_.probe, error);
    if (!v)
      throw usage_error("--probe: " + error + " (it must print a number, e.g. a row count)");
    return *v;
  }

  void judge(CopiesResult& r, std::optional<double> before, std::optional<double> after) const {
    bool matched = false;
    for (const auto& resp : r.responses) {
      const bool answered = resp.error == net::TransportError::none;
      r.statuses.push_back(answered ? resp.status : 0);
      r.slowest_ms = std::max(r.slowest_ms, resp.duration_ms);
      matched = matched || (answered && expect_.matches(resp.status));
      if (!answered && r.error.empty())
        r.error = resp.error_message;
    }
    // Copies of a delivery may answer 409, a duplicate answer, once one copy got the expected.
    for (const auto& resp : r.responses) {
      const bool answered = resp.error == net::TransportError::none;
      const bool fine =
          answered && (expect_.matches(resp.status) || (matched && resp.status == 409));
      if (!fine && r.ok) {
        r.ok = false;
        r.failed_body = resp.body;
      }
    }
    r.verdict = core::judge_copies(r.statuses, before, after);
  }

  const ReplayOptions& o_;
  const core::Settings& settings_;
  providers::GenericConfig generic_;
  model::Headers extra_;
  Expectation expect_;
  std::optional<model::Url> target_;
  net::ClientOptions copts_;
  std::map<std::string, std::unique_ptr<providers::Provider>> providers_;
  bool sent_any_ = false;
};

// A capture id as part of a file name: anything but letters, digits, '_' and '-' becomes '_', so
// an id from a hand-edited file cannot name a path elsewhere ("../x").
std::string file_name_part(std::string_view id) {
  std::string out(id.substr(0, 64));
  for (auto& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      c = '_';
  return out;
}

void print_curl(const ReplayOptions& o, const core::CaptureRecord& record,
                const model::HttpRequest& req) {
  std::string body_file;
  if (req.body.find('\0') != std::string::npos) {
    body_file = (std::filesystem::path(o.curl_dir) /
                 ("hooktool-body-" + file_name_part(record.id) + ".bin"))
                    .string();
    util::write_file(body_file, req.body); // created 0600
  }
  // The comment's values are quoted as words too: a line break in one cannot end the comment.
  std::cout << "# " << ui::shell_word(record.id) << "  "
            << (record.provider.empty() ? "-" : ui::shell_word(record.provider)) << " "
            << (record.event_type.empty() ? "-" : ui::shell_word(record.event_type)) << "\n"
            << ui::to_curl(req, body_file) << "\n";
}

void print_json(const ReplayOptions& o, const core::CaptureRecord& record,
                const model::HttpRequest& req, const CopiesResult& r) {
  nlohmann::ordered_json j;
  j["id"] = record.id;
  j["provider"] = record.provider;
  j["event"] = record.event_type;
  j["event_id"] = record.event_id;
  j["url"] = req.url;
  auto statuses = nlohmann::ordered_json::array();
  for (const int s : r.statuses)
    statuses.push_back(s == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s));
  j["statuses"] = std::move(statuses);
  j["duration_ms"] = r.slowest_ms;
  j["ok"] = r.ok;
  if (o.times > 1) {
    j["idempotent"] = r.verdict.idempotent;
    j["compared"] = r.verdict.compared;
    if (!r.verdict.issue.empty())
      j["idempotency_issue"] = r.verdict.issue;
    if (!r.verdict.note.empty())
      j["note"] = r.verdict.note;
  }
  if (!r.error.empty())
    j["error"] = r.error;
  std::cout << util::json_for_terminal(
                   j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
            << "\n"
            << std::flush;
}

void print_text(const ReplayOptions& o, const core::CaptureRecord& record,
                const model::HttpRequest& req, const CopiesResult& r) {
  constexpr auto out = ui::Stream::out;
  const std::string indent(10, ' ');
  std::cout << ui::paint(util::format_clock(util::now_ms()), ui::Style::dim, out) << "  "
            << ui::paint(core::status_counts(r.statuses), r.ok ? ui::Style::ok : ui::Style::error,
                         out)
            << "  " << util::printable(req.method) << " " << util::printable(req.url) << "  "
            << (record.provider.empty() ? "-" : util::printable(record.provider)) << " "
            << (record.event_type.empty() ? "-" : util::printable(record.event_type));
  if (!record.event_id.empty())
    std::cout << " [" << util::printable(record.event_id) << "]";
  std::cout << ui::paint("  " + std::to_string(r.slowest_ms) + " ms", ui::Style::dim, out) << "\n";
  if (o.times > 1) {
    if (r.verdict.idempotent)
      std::cout << indent << ui::paint("idempotent: " + r.verdict.compared, ui::Style::dim, out)
                << "\n";
    else
      std::cout << indent << ui::paint("not idempotent: " + r.verdict.issue, ui::Style::error, out)
                << "\n"
                << indent << ui::paint(r.verdict.compared, ui::Style::dim, out) << "\n";
    if (!r.verdict.note.empty())
      std::cout << indent << ui::paint("note: " + r.verdict.note, ui::Style::warn, out) << "\n";
  }
  if (!r.error.empty() && !o.verbose)
    std::cout << indent << ui::paint(util::printable(r.error), ui::Style::error, out) << "\n";
  if (o.verbose) {
    for (std::size_t i = 0; i < r.responses.size(); ++i) {
      if (r.responses.size() > 1)
        std::cout << indent
                  << ui::paint("copy " + std::to_string(i + 1) + "/" +
                                   std::to_string(r.responses.size()),
                               ui::Style::dim, out)
                  << "\n";
      print_response(r.responses[i], indent);
    }
  } else if (!r.ok && !r.failed_body.empty()) {
    constexpr std::size_t kShown = 300;
    std::cout << indent << "answer: " << util::printable(r.failed_body.substr(0, kShown))
              << (r.failed_body.size() > kShown ? "…" : "") << "\n";
  }
  std::cout.flush();
}

struct Totals {
  int failures = 0;
  int not_idempotent = 0;
  long long requests = 0;
};

int summarise(const ReplayOptions& o, const Selection& selection, const core::DeliverySource& src,
              const Totals& t, const Expectation& expect) {
  if (o.json && selection.bad > 0)
    std::cerr << "hooktool: " << selection.bad << " malformed " << src.units() << " skipped\n";
  if (!o.json) {
    std::cerr << "hooktool: replayed " << selection.picked.size()
              << (selection.picked.size() == 1 ? " delivery" : " deliveries");
    if (o.times > 1)
      std::cerr << " × " << o.times;
    std::cerr << " (" << t.requests << (t.requests == 1 ? " request)" : " requests)");
    if (t.failures > 0)
      std::cerr << "; " << t.failures << " did not get the expected " << expect.describe();
    if (t.not_idempotent > 0)
      std::cerr << "; " << t.not_idempotent << " handled non-idempotently";
    if (selection.bad > 0)
      std::cerr << "; " << selection.bad << " malformed " << src.units() << " skipped";
    std::cerr << "\n";
  }
  return t.failures == 0 && t.not_idempotent == 0 ? 0 : 1;
}

} // namespace

int run_replay(const ReplayOptions& o, const core::Settings& settings) {
  if (!o.as_curl && o.to.empty())
    throw usage_error(
        "replay needs --to URL (or HOOKTOOL_TO, `to` in .hooktool.toml, or --as-curl)");
  if (!o.probe.empty() && o.as_curl)
    throw usage_error("--probe needs deliveries sent, not --as-curl");
  if (o.verbose && (o.json || o.as_curl))
    throw usage_error(o.json
                          ? "-v/--verbose prints responses as text; it does not combine with --json"
                          : "-v/--verbose prints responses; --as-curl sends nothing");
  Replayer replayer(o, settings);
  if (o.resign && !settings.any_secret(o.secret))
    throw usage_error("--resign needs --secret (or --secret-file, HOOKTOOL_SECRET, a config file)");

  // Pass 1: validate every delivery and remember where the selected ones are.
  const auto source = core::open_deliveries(o.file);
  const auto selection = select_deliveries(*source, o.select, replayer.generic());
  if (selection.picked.empty()) {
    std::cerr << "hooktool: no delivery in " << util::printable(o.file) << " matched ("
              << selection.total << " read"
              << (selection.bad > 0 ? ", " + std::to_string(selection.bad) + " malformed skipped"
                                    : "")
              << ")\n";
    return 1;
  }
  Totals totals;
  for (const auto& sel : selection.picked) {
    const auto record = source->at(sel);
    const auto req = replayer.prepare(record, sel.number);
    if (o.as_curl) {
      print_curl(o, record, req);
      continue;
    }
    const auto r = replayer.send(req);
    totals.requests += static_cast<long long>(r.responses.size());
    totals.failures += r.ok ? 0 : 1;
    totals.not_idempotent += r.verdict.idempotent ? 0 : 1;
    if (o.json)
      print_json(o, record, req, r);
    else
      print_text(o, record, req, r);
  }
  if (o.as_curl)
    return 0;
  return summarise(o, selection, *source, totals, replayer.expect());
}

} // namespace hooktool::commands
