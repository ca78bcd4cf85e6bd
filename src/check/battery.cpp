#include "check/battery.hpp"

#include "net/fanout.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/probe.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sys/wait.h>

namespace hooktool::check {

namespace {

using providers::Window;
using Json = nlohmann::ordered_json;

std::string ms_text(std::int64_t ms) {
  if (ms < 1000)
    return std::to_string(ms) + " ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string answer_text(const net::HttpResponse& r) {
  if (r.error != net::TransportError::none)
    return "no answer (" + r.error_message + ")";
  return std::to_string(r.status) + " in " + ms_text(r.duration_ms);
}

// The checks run with one client so that connections are reused like a provider's.
class Runner {
public:
  explicit Runner(const CheckSetup& s)
      : s_(s), client_(s.client), decoding_client_(decoding(s.client)) {}

  // A fresh delivery of the chosen event (new ids, current time), signed at now - age.
  core::Composed fresh(core::Tamper tamper = core::Tamper::none, std::int64_t age_s = 0,
                       const std::string& event = {}) {
    core::PayloadSpec spec;
    spec.fixture_family = std::string(providers::fixture_family(s_.provider->id()));
    spec.event = event.empty() ? s_.event : event;
    spec.pretty_json = s_.provider->pretty_json();
    spec.now_ms = util::now_ms() - age_s * 1000;
    core::ComposeInput in;
    in.provider = s_.provider;
    in.event = spec.event;
    in.payload = core::render_payload(*s_.store, spec);
    in.url = s_.url;
    in.signing_url = s_.signing_url;
    in.secret = s_.secret;
    in.timestamp = spec.now_ms / 1000;
    in.extra_headers = s_.extra_headers;
    in.tamper = tamper;
    return core::compose(in);
  }

  // decode: a compressed answer's body is decoded (an answer judged as text: handshakes).
  net::HttpResponse send(const model::HttpRequest& req, bool decode = false) {
    auto r = (decode ? decoding_client_ : client_).send(req);
    note_unreachable(r);
    if (s_.on_exchange)
      s_.on_exchange(req, r);
    return r;
  }

  // Records a failure that every later check would hit too (nothing listening, no such
  // host, a TLS failure), so that the battery stops with one clear line.
  void note_unreachable(const net::HttpResponse& r) {
    using net::TransportError;
    if (unreachable_.empty() &&
        (r.error == TransportError::connect || r.error == TransportError::resolve ||
         r.error == TransportError::tls))
      unreachable_ = r.error_message;
  }
  [[nodiscard]] const std::string& unreachable() const { return unreachable_; }

  [[nodiscard]] const CheckSetup& setup() const { return s_; }

private:
  const CheckSetup& s_;
  static net::ClientOptions decoding(net::ClientOptions options) {
    options.decode_answer = true;
    return options;
  }
  net::HttpClient client_;
  net::HttpClient decoding_client_;
  std::string unreachable_;
};

CheckResult result(std::string name, Outcome outcome, std::string evidence,
                   std::string advice = {}) {
  return {std::move(name), outcome, std::move(evidence), std::move(advice)};
}

// A delivery that must be refused: 4xx passes, 2xx fails, 5xx warns (providers retry 5xx).
CheckResult judge_rejection(const std::string& name, const net::HttpResponse& r,
                            const std::string& what) {
  const auto seen = answer_text(r);
  if (r.error != net::TransportError::none)
    return result(name, Outcome::fail, seen,
                  "answer a delivery with " + what + " with 400 or 401, promptly");
  if (r.status >= 400 && r.status < 500)
    return result(name, Outcome::pass, seen);
  if (r.ok_2xx())
    return result(name, Outcome::fail, seen + ": accepted a delivery with " + what,
                  "verify the signature over the raw body before doing anything, and answer 400 "
                  "or 401 when it does not match");
  if (r.status >= 500)
    return result(name, Outcome::warn, seen,
                  "answer 400/401, not 5xx: providers retry 5xx, so a forged delivery keeps coming "
                  "back");
  return result(name, Outcome::fail, seen, "answer 400 or 401 to a delivery with " + what);
}

// A 4xx to a correctly signed delivery is the handler's signature check failing: name the
// ways of holding the secret that make it fail, as listen and verify would try them.
std::string valid_rejected_advice(const Runner& run, const net::HttpResponse& r) {
  const std::string plain = "answer a correctly signed delivery with 2xx (check the secret and "
                            "that you verify the raw body)";
  const auto& s = run.setup();
  if (r.error != net::TransportError::none || r.status < 400 || r.status >= 500 ||
      s.provider->signature_header().empty())
    return plain;
  std::string slips;
  for (const auto& v : s.provider->secret_variants(s.secret))
    slips += (slips.empty() ? "" : ", ") + v.tag;
  return "answer a correctly signed delivery with 2xx: a " + std::to_string(r.status) +
         " here is usually the signature check failing; verify the raw body bytes, not "
         "re-serialised JSON, with the secret exactly as hooktool signs with it" +
         (slips.empty() ? "" : " (the usual slips: " + slips + ")");
}

CheckResult check_accepts_valid(Runner& run) {
  const std::string name = "accepts-valid";
  const auto d = run.fresh();
  const auto r = run.send(d.request);
  const auto limit_ms = run.setup().provider->delivery_timeout_s() * 1000;
  const auto seen = answer_text(r);
  if (r.error != net::TransportError::none || !r.ok_2xx())
    return result(name, Outcome::fail, seen, valid_rejected_advice(run, r));
  if (r.duration_ms > limit_ms)
    return result(name, Outcome::fail,
                  seen + ", over " + std::string(run.setup().provider->id()) + "'s " +
                      std::to_string(limit_ms / 1000) + " s timeout",
                  "acknowledge first (2xx), then process in the background");
  if (r.duration_ms > run.setup().slow_ms)
    return result(name, Outcome::warn, seen,
                  "acknowledge first, process in the background: slow answers get retried "
                  "and time out under load");
  return result(name, Outcome::pass, seen);
}

// Only for providers with an endpoint-verification request (run_checks leaves it out for the
// others): the provider's own judgement of the handler's answer.
CheckResult check_handshake(Runner& run) {
  const std::string name = "answers-handshake";
  const auto& s = run.setup();
  const auto& p = *s.provider;
  const auto event = std::string(p.handshake_event());
  auto d = run.fresh(core::Tamper::none, 0, event);
  const auto r = run.send(d.request, true); // the provider's Accept-Encoding kept, gzip decoded
  const auto seen = answer_text(r) + " to " + event;
  const auto advice = "verify the signature, then answer " + event + " as " + std::string(p.id()) +
                      " requires (see README, Handshakes); until then it does not deliver";
  if (r.error != net::TransportError::none)
    return result(name, Outcome::fail, seen, advice);
  const providers::HandshakeAnswer reply{
      r.status, std::string(model::find_header(r.headers, "Content-Type").value_or("")), r.body};
  if (const auto problem = p.handshake_problem(d.request, p.verifying_key(s.secret), reply))
    return result(name, Outcome::fail, seen + ": " + *problem, advice);
  return result(name, Outcome::pass, seen + ", answered as " + std::string(p.id()) + " requires");
}

CheckResult check_tamper(Runner& run, const std::string& name, core::Tamper tamper,
                         const std::string& what) {
  const auto d = run.fresh(tamper);
  if (!d.tamper_applied)
    return result(name, Outcome::skip, d.tamper_note);
  auto r = judge_rejection(name, run.send(d.request), what);
  // Where the drill happened, when it is not a header a reader would assume.
  if (tamper == core::Tamper::body || run.setup().provider->signature_header().empty())
    r.evidence += " (" + d.tamper_note + ")";
  return r;
}

// The missing- and malformed-signature drills, applied where the provider keeps its
// signature (headers, or the body for body-signed schemes); SKIP when there is none.
CheckResult check_signature_drill(Runner& run, const std::string& name,
                                  providers::SignatureDrill drill, const std::string& what) {
  auto d = run.fresh();
  const auto& p = *run.setup().provider;
  const auto where = p.drill_signature(d.request, drill);
  if (where.empty())
    return result(name, Outcome::skip,
                  "the " + run.setup().event + " delivery carries no signature to drill");
  auto r = judge_rejection(name, run.send(d.request), what);
  if (p.signature_header().empty())
    r.evidence += " (" + where + ")";
  return r;
}

CheckResult check_missing_signature(Runner& run) {
  return check_signature_drill(run, "rejects-missing-signature", providers::SignatureDrill::remove,
                               "no signature");
}

CheckResult check_malformed_signature(Runner& run) {
  return check_signature_drill(run, "rejects-malformed-signature",
                               providers::SignatureDrill::malform, "a malformed signature");
}

CheckResult check_stale(Runner& run) {
  const std::string name = "rejects-stale-timestamp";
  const auto& p = *run.setup().provider;
  if (p.window() == Window::none)
    return result(name, Outcome::skip, std::string(p.id()) + " signs no timestamp");
  const auto age = p.default_tolerance() + 300;
  auto r = judge_rejection(name, run.send(run.fresh(core::Tamper::none, age).request),
                           "a timestamp " + std::to_string(age) + " s old");
  if (r.outcome == Outcome::fail)
    r.advice = "reject timestamps older than " + std::to_string(p.default_tolerance()) +
               " s (replay protection); the provider's official library does";
  return r;
}

CheckResult check_future(Runner& run) {
  const std::string name = "rejects-future-timestamp";
  const auto& p = *run.setup().provider;
  if (p.window() == Window::none)
    return result(name, Outcome::skip, std::string(p.id()) + " signs no timestamp");
  const auto ahead = p.default_tolerance() + 300;
  auto r = judge_rejection(name, run.send(run.fresh(core::Tamper::none, -ahead).request),
                           "a timestamp " + std::to_string(ahead) + " s in the future");
  if (r.outcome == Outcome::fail && p.window() == Window::past) {
    // Stripe's and Slack's own libraries bound only the past: a handler built on them accepts,
    // and is right to (so --strict does not fail every such handler).
    r.outcome = Outcome::pass;
    r.evidence += ": accepted, as " + std::string(p.id()) +
                  "'s official library does (it bounds only the past)";
    r.advice.clear();
  } else if (r.outcome == Outcome::fail) {
    r.advice = "reject timestamps more than " + std::to_string(p.default_tolerance()) +
               " s in the future, as the Standard Webhooks libraries do";
  }
  return r;
}

// Python's json.dumps default separators: ", " and ": ".
std::string python_style(const Json& j) {
  if (j.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : j.items()) {
      out += (first ? "" : ", ") + Json(k).dump() + ": " + python_style(v);
      first = false;
    }
    return out + "}";
  }
  if (j.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < j.size(); ++i)
      out += (i == 0 ? "" : ", ") + python_style(j[i]);
    return out + "]";
  }
  return j.dump(-1, ' ', true);
}

CheckResult check_raw_bytes(Runner& run) {
  const std::string name = "verifies-raw-bytes";
  const auto& p = *run.setup().provider;
  if (!p.signs_body_text())
    return result(name, Outcome::skip,
                  std::string(p.id()) + " signs form parameters or a body hash, not JSON text");
  auto base = run.fresh();
  if (model::find_header(base.request.headers, "Content-Type").value_or("").find("json") ==
      std::string_view::npos)
    return result(name, Outcome::skip, "the " + run.setup().event + " body is not JSON");
  const auto doc = Json::parse(base.request.body, nullptr, false);
  if (doc.is_discarded())
    return result(name, Outcome::skip, "the body does not parse as JSON");
  // What is sent: the same fields with whitespace no serialiser produces by default.
  const auto raw = doc.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const nlohmann::json sorted = nlohmann::json::parse(base.request.body);
  const std::array<std::pair<std::string, std::string>, 3> variants{{
      {"compact", doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
      {"python-style", python_style(doc)},
      {"sorted keys", sorted.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)},
  }};
  const auto& s = run.setup();
  std::string evidence;
  for (const auto& [label, signed_text] : variants) {
    // Signed over the re-serialised text, sent as the raw bytes.
    auto req = base.request;
    req.body = signed_text;
    core::resign(req, p, s.secret, util::now_s(), s.signing_url, s.extra_headers);
    req.body = raw;
    const auto r = run.send(req);
    evidence += (evidence.empty() ? "" : "; ") + label + " " + answer_text(r);
    if (r.error == net::TransportError::none && r.ok_2xx())
      return result(name, Outcome::fail,
                    evidence + ": accepted a signature made over re-serialised JSON (" + label +
                        ")",
                    "compute the HMAC over the raw request bytes as received, before any JSON "
                    "parsing");
  }
  auto good = base.request;
  good.body = raw;
  core::resign(good, p, s.secret, util::now_s(), s.signing_url, s.extra_headers);
  const auto r = run.send(good);
  evidence += "; raw-bytes signature " + answer_text(r);
  if (r.error != net::TransportError::none || !r.ok_2xx())
    return result(name, Outcome::fail,
                  evidence + ": rejected a correct signature over unusual whitespace",
                  "verify the exact bytes received; do not re-serialise the JSON first");
  return result(name, Outcome::pass, evidence);
}

CheckResult check_unknown_event(Runner& run) {
  const std::string name = "accepts-unknown-event";
  const auto& p = *run.setup().provider;
  auto d = run.fresh();
  auto& req = d.request;
  const auto& s = run.setup();
  if (!p.set_unknown_event(req))
    return result(name, Outcome::skip,
                  "a " + std::string(p.id()) + " " + s.event + " delivery carries no event type");
  core::resign(req, p, s.secret, util::now_s(), s.signing_url, s.extra_headers);
  const auto r = run.send(req);
  const auto seen = answer_text(r);
  if (r.error == net::TransportError::none && r.ok_2xx())
    return result(name, Outcome::pass, seen);
  return result(name, Outcome::fail, seen + " for an event type the handler does not know",
                "answer 2xx to event types you do not handle (log and ignore them): providers "
                "add types, and a failing answer is retried and can disable the endpoint");
}

// Sends copies of one delivery, then judges the answers and (with --probe) the side effects.
CheckResult check_duplicates(Runner& run, const std::string& name, int copies, bool at_once) {
  const auto& s = run.setup();
  const auto d = run.fresh();
  std::string probe_error;
  std::optional<double> before;
  if (!s.probe.empty()) {
    before = util::run_probe(s.probe, probe_error);
    if (!before)
      return result(name, Outcome::fail, probe_error,
                    "--probe must print a number, e.g. a row count");
  }
  std::vector<net::HttpResponse> responses;
  if (at_once) {
    responses = net::send_copies(d.request, copies, copies, s.client);
    if (s.on_exchange) {
      for (const auto& r : responses)
        s.on_exchange(d.request, r);
    }
  } else {
    for (int i = 0; i < copies; ++i)
      responses.push_back(run.send(d.request));
  }
  std::string statuses;
  bool all_2xx = true;
  for (const auto& r : responses) {
    const bool answered = r.error == net::TransportError::none;
    statuses += (statuses.empty() ? "" : " ") + (answered ? std::to_string(r.status) : "ERR");
    all_2xx = all_2xx && answered && r.ok_2xx();
  }
  std::string evidence =
      std::to_string(copies) + " copies" + (at_once ? " at once" : " in a row") + ": " + statuses;
  const bool first_ok = !responses.empty() &&
                        responses.front().error == net::TransportError::none &&
                        responses.front().ok_2xx();
  if (!all_2xx && !first_ok && !at_once)
    return result(name, Outcome::fail, evidence,
                  "the first copy was refused too: fix accepts-valid first");
  if (!all_2xx)
    return result(name, Outcome::fail, evidence,
                  "answer 2xx to a delivery you have already processed (delivery is at least "
                  "once): record the event id and skip it, without failing");
  if (before) {
    const auto after = util::run_probe(s.probe, probe_error);
    if (!after)
      return result(name, Outcome::fail, evidence + "; " + probe_error);
    const auto delta = *after - *before;
    char buf[96];
    std::snprintf(buf, sizeof buf, "; probe %g -> %g", *before, *after);
    evidence += buf;
    if (delta > 1.0)
      return result(
          name, Outcome::fail, evidence + ": processed more than once",
          "make processing idempotent: store the event id in the same transaction as "
          "the side effect, and skip ids already stored" +
              std::string(at_once ? " (a unique constraint, not check-then-insert)" : ""));
  } else {
    evidence += " (add --probe to see side effects)";
  }
  return result(name, Outcome::pass, evidence);
}

using CheckFn = std::function<CheckResult(Runner&)>;

struct Check {
  CheckInfo info;
  CheckFn fn;
};

const std::vector<Check>& battery() {
  static const std::vector<Check> checks{
      {{"accepts-valid", "a correctly signed delivery gets 2xx, fast"}, check_accepts_valid},
      {{"answers-handshake",
        "the endpoint-verification request gets the answer the provider requires (providers "
        "with a handshake only)"},
       check_handshake},
      {{"rejects-wrong-signature", "a wrong signature gets 4xx"},
       [](Runner& r) {
         return check_tamper(r, "rejects-wrong-signature", core::Tamper::signature,
                             "a wrong signature");
       }},
      {{"rejects-tampered-body", "a body changed after signing gets 4xx"},
       [](Runner& r) {
         return check_tamper(r, "rejects-tampered-body", core::Tamper::body, "a tampered body");
       }},
      {{"rejects-missing-signature", "no signature header gets 4xx"}, check_missing_signature},
      {{"rejects-malformed-signature", "a malformed signature header gets 4xx"},
       check_malformed_signature},
      {{"rejects-stale-timestamp", "a signature older than the window gets 4xx"}, check_stale},
      {{"rejects-future-timestamp", "a far-future signature gets 4xx"}, check_future},
      {{"verifies-raw-bytes",
        "the signature is checked over the raw bytes, not re-serialised JSON"},
       check_raw_bytes},
      {{"accepts-unknown-event", "an event type the handler does not know gets 2xx"},
       check_unknown_event},
      {{"handles-duplicate", "the same delivery twice in a row: 2xx both times, processed once"},
       [](Runner& r) {
         return check_duplicates(r, "handles-duplicate", 2, false);
       }},
      {{"handles-concurrent-duplicates", "copies at once: 2xx every time, processed once"},
       [](Runner& r) {
         return check_duplicates(r, "handles-concurrent-duplicates", r.setup().copies, true);
       }},
  };
  return checks;
}

} // namespace

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
  case Outcome::pass:
    return "PASS";
  case Outcome::fail:
    return "FAIL";
  case Outcome::warn:
    return "WARN";
  case Outcome::skip:
    return "SKIP";
  }
  return "SKIP";
}

const std::vector<CheckInfo>& all_checks() {
  static const std::vector<CheckInfo> infos = [] {
    std::vector<CheckInfo> out;
    for (const auto& c : battery())
      out.push_back(c.info);
    return out;
  }();
  return infos;
}

CheckRun run_checks(const CheckSetup& setup, const std::vector<std::string>& names,
                    const std::function<void(const CheckResult&)>& on_result) {
  Runner runner(setup);
  CheckRun out;
  const std::set<std::string> wanted(names.begin(), names.end());
  for (const auto& c : battery()) {
    if (!wanted.contains(c.info.name))
      continue;
    if (c.info.name == "answers-handshake" && setup.provider->handshake_event().empty())
      continue; // absent, not SKIP: the provider has no handshake

    auto r = c.fn(runner);
    const bool stop = !runner.unreachable().empty();
    if (stop) {
      r.outcome = Outcome::fail;
      r.evidence = "no answer (" + runner.unreachable() + ")";
      r.advice = "start the handler, or point --to at it; the other checks were not run";
    }
    if (on_result)
      on_result(r);
    out.results.push_back(std::move(r));
    if (stop) {
      out.unreachable = runner.unreachable();
      break;
    }
  }
  return out;
}

} // namespace hooktool::check
