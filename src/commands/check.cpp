#include "commands/check.hpp"

#include "check/battery.hpp"
#include "commands/cli_words.hpp"
#include "core/dev_secrets.hpp"
#include "model/url.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/probe.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

namespace hooktool::commands {

CLI::App* register_check(CLI::App& app, CheckOptions& o) {
  auto* cmd =
      app.add_subcommand("check", "Grade a webhook handler against the receiving checklist");
  cmd->add_option("provider", o.provider, "Provider id");
  cmd->add_option("--to", o.to, "The handler: localhost:3000/webhooks, https://…");
  add_secret_options(*cmd, o.secret, "The handler's secret");
  cmd->add_option("--event", o.event, "Fixture to build deliveries from (default per provider)");
  cmd->add_option("--only", o.only, "Run only these checks (comma-separated or repeated)")
      ->delimiter(',');
  cmd->add_option("--skip", o.skip, "Skip these checks (comma-separated or repeated)")
      ->delimiter(',');
  cmd->add_flag("--json", o.json, "One JSON object per check, then a summary object");
  cmd->add_flag("--strict", o.strict, "Exit 1 on WARN too");
  add_verbose_flag(*cmd, o.verbose);
  cmd->add_option(
      "--probe", o.probe,
      "Shell command printing a number (e.g. a row count), run around the duplicate checks");
  cmd->add_option("--copies", o.copies, "Copies sent at once by handles-concurrent-duplicates")
      ->capture_default_str()
      ->check(whole_number(2, 256));
  cmd->add_option("-H,--header", o.headers, "Extra header 'Name: value' on every delivery");
  cmd->add_option("--fixtures", o.fixture_dirs, "Extra fixture directory");
  cmd->add_option("--signing-url", o.signing_url, "twilio: the URL the handler sees");
  cmd->add_option("--timeout", o.timeout_s,
                  "Seconds to wait for each answer (default: provider's limit + 5)")
      ->check(decimal_number(0.001, 86400.0));
  cmd->add_flag("-k,--insecure", o.insecure, "Do not verify the TLS certificate");
  cmd->add_option("--slow-after", o.slow_ms, "WARN when a valid delivery takes longer (ms)")
      ->capture_default_str()
      ->check(whole_number(1, 3600000));
  cmd->add_flag("--list", o.list, "List the checks and exit");
  add_generic_options(*cmd, o.generic);
  cmd->footer(
      "Examples:\n"
      "  hooktool check stripe --to localhost:3000/webhooks --secret \"$STRIPE_WEBHOOK_SECRET\"\n"
      "  hooktool check github --to :3000 --secret s3cret --probe 'wc -l < processed.log'\n"
      "  hooktool check --list");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

ui::Style outcome_style(check::Outcome o) {
  switch (o) {
  case check::Outcome::pass:
    return ui::Style::ok;
  case check::Outcome::fail:
    return ui::Style::error;
  case check::Outcome::warn:
    return ui::Style::warn;
  case check::Outcome::skip:
    return ui::Style::dim;
  }
  return ui::Style::dim;
}

std::vector<std::string> select_checks(const CheckOptions& o) {
  std::set<std::string> known;
  for (const auto& c : check::all_checks())
    known.insert(c.name);
  const auto validate = [&](const std::vector<std::string>& given, const char* flag) {
    for (const auto& n : given)
      if (!known.contains(n)) {
        std::string list;
        std::vector<std::string> names;
        for (const auto& k : check::all_checks()) {
          list += (list.empty() ? "" : ", ") + k.name;
          names.push_back(k.name);
        }
        throw usage_error(std::string(flag) + ": unknown check '" + n + "'" +
                          util::did_you_mean(n, names) + "; checks: " + list);
      }
  };
  validate(o.only, "--only");
  validate(o.skip, "--skip");
  std::vector<std::string> out;
  for (const auto& c : check::all_checks()) {
    const bool in_only =
        o.only.empty() || std::find(o.only.begin(), o.only.end(), c.name) != o.only.end();
    const bool skipped = std::find(o.skip.begin(), o.skip.end(), c.name) != o.skip.end();
    if (in_only && !skipped)
      out.push_back(c.name);
  }
  return out;
}

// Prints the report card as results arrive, as text or JSON lines, and the summary.
class CardPrinter {
public:
  CardPrinter(const CheckOptions& o, const std::vector<std::string>& names) : o_(o) {
    for (const auto& n : names)
      width_ = std::max(width_, n.size());
  }

  void header(const providers::Provider& p, const check::CheckSetup& s) const {
    if (!o_.json)
      std::cout << ui::paint("hooktool check " + std::string(p.id()), ui::Style::bold, kOut)
                << " → " << util::printable(s.url) << "  (event " << util::printable(s.event)
                << ")\n\n";
  }

  void result(const check::CheckResult& r) {
    ++counts_[static_cast<std::size_t>(r.outcome)];
    if (o_.json) {
      nlohmann::ordered_json j{
          {"check", r.name}, {"result", check::to_string(r.outcome)}, {"evidence", r.evidence}};
      if (!r.advice.empty())
        j["advice"] = r.advice;
      std::cout << util::json_for_terminal(
                       j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                << "\n"
                << std::flush;
      return;
    }
    std::cout << ui::paint(std::string(check::to_string(r.outcome)), outcome_style(r.outcome), kOut)
              << "  " << r.name << std::string(width_ + 2 - r.name.size(), ' ')
              << util::printable(r.evidence) << "\n";
    if (!r.advice.empty())
      std::cout << std::string(6 + width_ + 2, ' ')
                << ui::paint("→ " + util::printable(r.advice), ui::Style::dim, kOut) << "\n";
    std::cout.flush();
  }

  // The summary; returns the exit code.
  [[nodiscard]] int summary(const providers::Provider& p, const std::string& url,
                            const check::CheckRun& run) const {
    const auto passed = count(check::Outcome::pass);
    const auto failed = count(check::Outcome::fail);
    const auto warned = count(check::Outcome::warn);
    const auto skipped = count(check::Outcome::skip);
    const bool stopped = !run.unreachable.empty();
    const bool ok = !stopped && failed == 0 && (!o_.strict || warned == 0);
    if (o_.json) {
      nlohmann::ordered_json summary{
          {"provider", p.id()}, {"url", url},         {"passed", passed}, {"failed", failed},
          {"warned", warned},   {"skipped", skipped}, {"ok", ok}};
      if (stopped)
        summary["stopped"] = run.unreachable;
      std::cout << util::json_for_terminal(nlohmann::ordered_json{{"summary", summary}}.dump(
                       -1, ' ', false, nlohmann::json::error_handler_t::replace))
                << "\n";
    } else if (!stopped) {
      std::cout << "\n"
                << passed << " passed, " << failed << " failed, " << warned << " warned, "
                << skipped << " skipped"
                << (o_.strict && warned > 0 ? " (--strict: warnings fail)" : "") << "\n";
    }
    if (stopped) // every other check would fail the same way: one line, not a page of advice
      std::cerr << "hooktool: check stopped: could not reach " << util::printable(url) << " ("
                << util::printable(run.unreachable) << "); is the handler running?\n";
    return ok ? 0 : 1;
  }

private:
  static constexpr auto kOut = ui::Stream::out;
  [[nodiscard]] int count(check::Outcome o) const { return counts_[static_cast<std::size_t>(o)]; }

  const CheckOptions& o_;
  std::size_t width_ = 0;
  std::array<int, 4> counts_{};
};

void print_list() {
  for (const auto& c : check::all_checks())
    std::cout << c.name << std::string(c.name.size() < 30 ? 30 - c.name.size() : 1, ' ')
              << c.description << "\n";
}

// Everything the battery needs, validated before the first delivery: a usage error (exit 2)
// for a bad flag, an unknown event, an unusable secret or a probe that cannot be read.
check::CheckSetup make_setup(const CheckOptions& o, const core::Settings& settings,
                             const providers::Provider& provider, const core::FixtureStore& store) {
  const auto target = model::parse_target(o.to);
  auto secret = settings.secret(o.provider, o.secret);
  if (!secret) {
    // A handler configured with the development secret (hooktool secret PROVIDER) is checked
    // with it; none is made here: a handler cannot know a secret made now.
    const auto dev = core::DevSecrets(core::DevSecrets::default_dir()).find(provider);
    if (!dev)
      throw usage_error("check needs the handler's secret: --secret, --secret-file or "
                        "HOOKTOOL_SECRET (or the development secret: hooktool secret " +
                        std::string(provider.id()) + ")");
    std::cerr << "note: checking with the development secret for " << provider.id() << " ("
              << dev->path.string() << ")\n";
    secret = core::ResolvedSecret{dev->value, core::SecretSource::file, dev->path.string()};
  }
  provider.validate_secret(secret->value);
  if (!o.signing_url.empty())
    (void)model::parse_target(o.signing_url);
  check::CheckSetup setup;
  setup.provider = &provider;
  setup.store = &store;
  setup.event = o.event.empty() ? std::string(provider.default_event()) : o.event;
  (void)store.load(providers::fixture_family(provider.id()), setup.event); // unknown: exit 2
  setup.url = target.str();
  setup.signing_url = o.signing_url;
  setup.secret = secret->value;
  setup.extra_headers = parse_headers(o.headers);
  const auto timeout_s =
      o.timeout_s > 0 ? o.timeout_s : static_cast<double>(provider.delivery_timeout_s() + 5);
  setup.client.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  setup.client.tls =
      o.insecure ? net::ClientOptions::Tls::insecure : net::ClientOptions::Tls::verify;
  setup.copies = o.copies;
  setup.probe = o.probe;
  setup.slow_ms = o.slow_ms;
  if (!o.probe.empty()) {
    // A probe that cannot be read is the command line's fault, not the handler's.
    std::string probe_error;
    if (!util::run_probe(o.probe, probe_error))
      throw usage_error("--probe: " + probe_error + " (it must print a number, e.g. a row count)");
  }
  return setup;
}

} // namespace

int run_check(const CheckOptions& o, const core::Settings& settings) {
  if (o.list) {
    print_list();
    return 0;
  }
  if (o.provider.empty())
    throw usage_error("check needs a provider: hooktool check <provider> --to URL --secret S");
  if (o.to.empty())
    throw usage_error(
        "check needs --to URL (the handler to grade; or HOOKTOOL_TO, `to` in .hooktool.toml)");
  const auto provider = providers::require_provider(o.provider, to_config(o.generic));
  const auto names = select_checks(o);
  const core::FixtureStore store(
      std::vector<std::filesystem::path>(o.fixture_dirs.begin(), o.fixture_dirs.end()));
  if (o.verbose && o.json)
    throw usage_error("-v/--verbose prints responses as text; it does not combine with --json");
  auto setup = make_setup(o, settings, *provider, store);
  if (o.verbose) {
    // Each request the check sends, then the answer, before the check's line.
    setup.on_exchange = [](const model::HttpRequest& req, const net::HttpResponse& r) {
      std::cout << ui::paint("  > " + req.method + " " + util::printable(req.url), ui::Style::dim,
                             ui::Stream::out)
                << "\n";
      print_response(r, "    ");
      std::cout.flush();
    };
  }

  CardPrinter printer(o, names);
  printer.header(*provider, setup);
  const auto run =
      check::run_checks(setup, names, [&](const check::CheckResult& r) { printer.result(r); });
  return printer.summary(*provider, setup.url, run);
}

} // namespace hooktool::commands
