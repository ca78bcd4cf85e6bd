#include "listen/responder.hpp"

#include "model/url.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <curl/curl.h>
#include <memory>
#include <thread>

namespace hooktool::listen {

bool Route::matches(const core::CaptureRecord& record) const {
  if (!provider.empty() &&
      providers::secret_family(provider) != providers::secret_family(record.provider))
    return false;
  return event_glob.empty() || util::glob_match(event_glob, record.event_type);
}

namespace {

// "provider" or "provider:event-glob" (provider may be *) into r; false when the part before
// ':' names no provider, leaving r as it was.
bool parse_provider_filter(std::string_view filter, Route& r) {
  const auto colon = filter.find(':');
  const auto provider = filter.substr(0, colon);
  if (provider != "*" && !providers::make_provider(provider))
    return false;
  r.provider = provider == "*" ? "" : std::string(provider);
  if (colon != std::string_view::npos)
    r.event_glob = std::string(filter.substr(colon + 1));
  return true;
}

} // namespace

Route parse_route(std::string_view text) {
  Route r;
  const auto eq = text.find('=');
  const auto scheme = text.find("://");
  std::string_view url = text;
  if (eq != std::string_view::npos && (scheme == std::string_view::npos || eq < scheme)) {
    const auto filter = text.substr(0, eq);
    const auto colon = filter.find(':');
    const auto provider = filter.substr(0, colon);
    // "localhost:3000/x?a=b" has an '=' too: a filter names a known provider (or *).
    if (parse_provider_filter(filter, r)) {
      url = text.substr(eq + 1);
    } else if (colon != std::string_view::npos) {
      // "stirpe:invoice.*=…" is a filter naming a provider that does not exist.
      const auto ids = providers::provider_ids();
      const std::vector<std::string> names(ids.begin(), ids.end());
      throw usage_error("--forward-to '" + util::printable(text.substr(0, 200)) +
                        "': unknown provider '" + util::printable(provider.substr(0, 60)) + "'" +
                        util::did_you_mean(provider, names));
    }
  }
  if (url.empty())
    throw usage_error("--forward-to '" + std::string(text) + "': missing URL after '='");
  r.url = model::parse_target(url).str();
  return r;
}

Route parse_event_filter(std::string_view text) {
  if (text.empty())
    throw usage_error("--events: empty filter (give an event glob or provider[:event-glob])");
  Route r;
  if (!parse_provider_filter(text, r))
    r.event_glob = std::string(text); // an event glob ("invoice.*", Bitbucket's "repo:*")
  return r;
}

std::string Answer::problem() const {
  if (status < 100 || status > 599)
    return "status " + std::to_string(status) + " is not an HTTP status (100-599)";
  if (fail_status < 100 || fail_status > 599)
    return "fail status " + std::to_string(fail_status) + " is not an HTTP status (100-599)";
  if (delay_ms < 0 || delay_ms > 3600000)
    return "delay " + std::to_string(delay_ms) + " ms is outside 0-3600000";
  if (!(fail_rate >= 0 && fail_rate <= 1)) // NaN fails both
    return "fail rate must be between 0 and 1";
  if (fail_rate > 0 && fail_status == status)
    return "the fail status " + std::to_string(fail_status) +
           " equals the status: every answer "
           "would be " +
           std::to_string(status) + "; choose another fail status";
  return {};
}

Responder::Responder(std::vector<Route> routes, Simulation simulation,
                     std::chrono::milliseconds forward_timeout, HostHeader host_header)
    : routes_(std::move(routes)), sim_(std::move(simulation)),
      live_(sim_.live ? sim_.live : std::make_shared<LiveAnswer>(sim_.answer())),
      forward_timeout_(forward_timeout), host_header_(host_header),
      rng_(sim_.seed ? *sim_.seed : std::random_device{}()) {}

bool Responder::roll_failure(double fail_rate) {
  if (fail_rate <= 0)
    return false;
  const std::lock_guard lock(rng_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < fail_rate;
}

const Route* Responder::route_for(const core::CaptureRecord& record) const {
  for (const auto& route : routes_)
    if (route.matches(record))
      return &route;
  return nullptr;
}

std::optional<core::ForwardInfo> Responder::replay(const core::CaptureRecord& record) {
  const auto* route = route_for(record);
  if (route == nullptr)
    return std::nullopt;
  auto copy = record;
  copy.forward.reset();
  (void)forward(*route, copy);
  return copy.forward;
}

core::ForwardInfo Responder::send_to(const core::CaptureRecord& record, const std::string& url) {
  Route route;
  route.url = url;
  auto copy = record;
  copy.forward.reset();
  (void)forward(route, copy);
  return copy.forward ? std::move(*copy.forward) : core::ForwardInfo{};
}

namespace {
net::OutgoingResponse refused(int status, std::string reason);
} // namespace

net::OutgoingResponse Responder::respond(core::CaptureRecord& record) {
  const auto answer = live_->get(); // one consistent answer for this delivery
  if (answer.delay_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(answer.delay_ms));
  if (const auto& h = record.handshake; h && h->status != 0) {
    // A handshake listen answers (or refuses) itself: never forwarded, never a simulated failure.
    if (h->answered)
      return {h->status, {{"Content-Type", h->content_type}}, h->body};
    return refused(h->status, "handshake not answered: signature " +
                                  std::string(model::to_string(record.verification.status)) + ": " +
                                  record.verification.reason);
  }
  for (const auto& route : routes_)
    if (route.matches(record))
      return forward(route, record);
  net::OutgoingResponse out;
  if (roll_failure(answer.fail_rate)) {
    out.status = answer.fail_status;
    out.body = "hooktool: simulated failure (--fail-rate)\n";
    return out;
  }
  out.status = answer.status;
  out.body = sim_.body;
  if (!out.body.empty() && !model::find_header(sim_.headers, "Content-Type"))
    out.headers.push_back({"Content-Type", sim_.content_type});
  out.headers.insert(out.headers.end(), sim_.headers.begin(), sim_.headers.end());
  return out;
}

namespace {

struct CurluFree {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};

// The URL a delivery is forwarded to. The route's URL is parsed by libcurl's URL API (never
// pasted, which let a target like "@127.0.0.1:PORT/internal" change the host). When the route
// names no path, the delivery's own path and query follow the route's origin byte for byte:
// libcurl's part setter would lower-case percent-escapes ("%2F" -> "%2f"), which changes what
// a handler that signs or routes on the path sees. The path is origin-form here (checked by the
// caller), so nothing after the origin can change the host. nullopt when libcurl refuses the
// route or the target cannot travel in a URL (a '#' would become a fragment).
std::optional<std::string> forward_url(const std::string& route_url,
                                       const core::CaptureRecord& record) {
  const std::unique_ptr<CURLU, CurluFree> url(curl_url());
  if (!url ||
      curl_url_set(url.get(), CURLUPART_URL, route_url.c_str(), CURLU_PATH_AS_IS) != CURLUE_OK)
    return std::nullopt;
  const auto target = model::parse_target(route_url);
  const bool own_target = target.path == "/" && target.query.empty();
  if (own_target) {
    if (record.path.find('#') != std::string::npos || record.query.find('#') != std::string::npos)
      return std::nullopt;
    if (curl_url_set(url.get(), CURLUPART_QUERY, nullptr, 0) != CURLUE_OK ||
        curl_url_set(url.get(), CURLUPART_FRAGMENT, nullptr, 0) != CURLUE_OK)
      return std::nullopt;
  }
  char* text = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &text, 0) != CURLUE_OK || text == nullptr)
    return std::nullopt;
  std::string out(text);
  curl_free(text);
  if (own_target) {
    if (out.empty() || out.back() != '/')
      return std::nullopt;
    out.pop_back(); // the route's "/" gives way to the delivery's path
    out += record.path;
    if (!record.query.empty())
      out += "?" + record.query;
  }
  return out;
}

net::OutgoingResponse refused(int status, std::string reason) {
  return {status, {{"Content-Type", "text/plain; charset=utf-8"}}, "hooktool: " + reason + "\n"};
}

} // namespace

net::OutgoingResponse Responder::forward(const Route& route, core::CaptureRecord& record) {
  // Only origin-form ("/path?query") is forwarded: absolute-form, authority-form and "*" name
  // other hosts or nothing at all, and a handler behind hooktool never expects them.
  if (record.path.empty() || record.path.front() != '/') {
    core::ForwardInfo info;
    info.url = route.url;
    info.error = "request target is not origin-form (/path): not forwarded";
    info.error_kind = "not_forwardable";
    record.forward = std::move(info);
    return refused(400, "request target must start with '/'; not forwarded");
  }
  // One client per worker thread keeps connections to the handler alive between deliveries.
  thread_local std::optional<net::HttpClient> client;
  thread_local std::chrono::milliseconds client_timeout{0};
  if (!client || client_timeout != forward_timeout_) {
    net::ClientOptions options;
    options.timeout = forward_timeout_;
    options.tls = net::ClientOptions::Tls::insecure; // local handlers use self-signed certificates
    options.max_response_body = kMaxForwardedResponse;
    options.timeout_option = "--forward-timeout";
    client.emplace(options);
    client_timeout = forward_timeout_;
  }
  const auto url = forward_url(route.url, record);
  if (!url) {
    core::ForwardInfo info;
    info.url = route.url;
    info.error = "cannot build the forward URL from the request target";
    info.error_kind = "not_forwardable";
    record.forward = std::move(info);
    return refused(400, "request target cannot be forwarded");
  }
  model::HttpRequest req;
  req.method = record.method;
  req.url = *url;
  const auto overridden = [&](const std::string& name) {
    return std::any_of(forward_headers_.begin(), forward_headers_.end(),
                       [&](const auto& extra) { return util::iequals(extra.name, name); });
  };
  for (const auto& h : record.headers)
    // The sender's Host is relayed (handlers that check signatures over the URL, like
    // Twilio's, need it) unless --host-header rewrite; libcurl then sends it as given.
    if ((!model::is_hop_by_hop(h.name) ||
         (host_header_ == HostHeader::keep && util::iequals(h.name, "Host"))) &&
        !overridden(h.name))
      req.headers.push_back(h);
  req.headers.insert(req.headers.end(), forward_headers_.begin(), forward_headers_.end());
  req.body = record.body;

  const auto r = client->send(req);
  core::ForwardInfo info;
  info.url = req.url;
  info.duration_ms = r.duration_ms;
  net::OutgoingResponse out;
  if (r.error != net::TransportError::none) {
    // "forward timed out after 5 s (--forward-timeout)", "nothing is listening on HOST:PORT".
    info.error = (r.error == net::TransportError::timeout ? "forward " : "") + r.error_message;
    info.error_kind = std::string(net::failure_kind(r));
    out.status = r.error == net::TransportError::timeout ? 504 : 502;
    out.body = "hooktool: forward to " + req.url + " failed: " + info.error + "\n";
  } else if (r.body_size > r.body.size()) {
    // A cut body answered 200 would tell the sender it was delivered something it was not.
    info.status = r.status;
    info.error =
        "response body over " + std::to_string(kMaxForwardedResponse >> 20) + " MiB: not relayed";
    info.error_kind = "too_large";
    out = refused(502, "handler at " + req.url + " answered more than " +
                           std::to_string(kMaxForwardedResponse >> 20) + " MiB; not relayed");
  } else {
    info.status = r.status;
    info.body = r.body;
    out.status = r.status;
    out.body = r.body;
    for (const auto& h : r.headers)
      if (!model::is_hop_by_hop(h.name) && !util::iequals(h.name, "Date") &&
          !util::iequals(h.name, "Server"))
        out.headers.push_back(h);
  }
  record.forward = std::move(info);
  return out;
}

} // namespace hooktool::listen
