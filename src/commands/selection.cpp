#include "commands/selection.hpp"

#include "commands/cli_words.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

namespace hooktool::commands {

void add_selection_options(CLI::App& cmd, SelectionFlags& f) {
  cmd.add_option("--id", f.ids, "Only this capture id or provider event id (repeatable)");
  cmd.add_option("--event", f.event, "Only event types matching this glob (invoice.*)");
  cmd.add_option("--provider", f.provider, "Only this provider's deliveries");
  cmd.add_option("--last", f.last, "Only the last N selected deliveries")->check(whole_number(1));
  cmd.add_option("--since", f.since, "Only deliveries received since: RFC 3339 or 10m, 2h, 1d ago");
  cmd.add_option("--until", f.until,
                 "Only deliveries received before: RFC 3339 or 10m, 2h, 1d ago");
  cmd.add_flag("--skip-bad", f.skip_bad, "Skip malformed lines (counted) instead of stopping");
}

namespace {

// "2026-11-25T12:00:00Z" or a span back from now: "90s", "10m", "2h", "1d".
std::int64_t parse_when(const std::string& flag, const std::string& text) {
  if (const auto ms = util::parse_rfc3339(text))
    return *ms;
  std::string t = text;
  std::int64_t scale = 1;
  if (!t.empty() && t.back() == 'd') {
    t.pop_back();
    t += "h";
    scale = 24;
  }
  // A bare number has no unit: "--since 1" is a second, a minute or a year ago to different
  // readers, so one is required.
  const bool has_unit = !t.empty() && std::string_view("smh").find(t.back()) != std::string::npos;
  const auto span = has_unit ? util::parse_duration_ms(t) : std::nullopt;
  if (!span || t.find_first_not_of("0123456789.smh") != std::string::npos)
    throw usage_error(flag + ": expected an RFC 3339 time or a span like 10m, 2h, 1d; got '" +
                      text + "'");
  return util::now_ms() - *span * scale;
}

struct Filter {
  std::set<std::string> ids;
  std::string event;
  std::string provider;
  std::optional<std::int64_t> since, until;

  [[nodiscard]] bool matches(const core::CaptureRecord& r) const {
    if (!ids.empty() && !ids.contains(r.id) && !ids.contains(r.event_id))
      return false;
    if (!event.empty() && !util::glob_match(event, r.event_type))
      return false;
    if (!provider.empty() &&
        providers::secret_family(provider) != providers::secret_family(r.provider))
      return false;
    if (since && r.received_at_ms < *since)
      return false;
    return !(until && r.received_at_ms >= *until);
  }
};

} // namespace

Selection select_deliveries(core::DeliverySource& source, const SelectionFlags& f,
                            const providers::GenericConfig& generic) {
  Filter filter;
  filter.ids = {f.ids.begin(), f.ids.end()};
  filter.event = f.event;
  if (!f.provider.empty()) {
    (void)providers::require_provider(f.provider, generic);
    filter.provider = f.provider;
  }
  if (!f.since.empty())
    filter.since = parse_when("--since", f.since);
  if (!f.until.empty())
    filter.until = parse_when("--until", f.until);

  Selection s;
  for (;;) {
    std::optional<std::pair<core::SourcePosition, core::CaptureRecord>> item;
    try {
      item = source.next();
    } catch (const Error& e) {
      if (!f.skip_bad)
        throw;
      ++s.bad;
      std::cerr << "hooktool: " << util::capped(e.what(), 2000) << " (skipped)\n";
      continue;
    }
    if (!item)
      break;
    ++s.total;
    if (!filter.matches(item->second))
      continue;
    s.picked.push_back(item->first);
    if (f.last > 0 && s.picked.size() > static_cast<std::size_t>(f.last))
      s.picked.pop_front();
  }
  return s;
}

} // namespace hooktool::commands
