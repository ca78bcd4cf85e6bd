#pragma once

#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "net/http_client.hpp"
#include "providers/provider.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hooktool::check {

// A check's verdict on the handler.
enum class Outcome { pass, fail, warn, skip };

// "PASS", "FAIL", "WARN", "SKIP".
std::string_view to_string(Outcome outcome) noexcept;

// One line of the report card.
struct CheckResult {
  std::string name;
  Outcome outcome = Outcome::skip;
  std::string evidence; // what was seen: statuses, times, probe values
  std::string advice;   // on FAIL/WARN: what the handler should do instead
};

// Everything the checks need to build deliveries and reach the handler.
struct CheckSetup {
  const providers::Provider* provider = nullptr;
  const core::FixtureStore* store = nullptr;
  std::string event;       // a fixture name; default per provider
  std::string url;         // the handler
  std::string signing_url; // Twilio: the URL the handler sees
  std::string secret;
  model::Headers extra_headers;
  net::ClientOptions client;
  int copies = 5;    // concurrent duplicates
  std::string probe; // shell command printing a number (e.g. a row count); empty: none
  std::int64_t slow_ms = 2000;
  // Called with every request the battery sends and its answer (check -v), in order.
  std::function<void(const model::HttpRequest&, const net::HttpResponse&)> on_exchange;
};

// A named check with a one-line description.
struct CheckInfo {
  std::string name;
  std::string description;
};

// Every check, in the order the battery runs them.
const std::vector<CheckInfo>& all_checks();

// What a run of the battery saw.
struct CheckRun {
  std::vector<CheckResult> results;
  std::string unreachable; // set when the handler could not be reached: the run stopped there
};

// Runs the selected checks in order; on_result is called as each one finishes. Stops after
// the first check that could not reach the handler at all (refused, unresolvable, TLS).
CheckRun run_checks(const CheckSetup& setup, const std::vector<std::string>& names,
                    const std::function<void(const CheckResult&)>& on_result);

} // namespace hooktool::check
