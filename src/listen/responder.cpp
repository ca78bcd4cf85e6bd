#include "listen/responder.hpp"

#include "model/url.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <thread>

namespace hooktool::listen {

bool Route::matches(const core::CaptureRecord& record) const {
  if (!provider.empty() &&
      providers::secret_family(provider) != providers::secret_family(record.provider))
    return false;
  return event_glob.empty() || util::glob_match(event_glob, record.event_type);
}

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
    if (provider == "*" || providers::make_provider(provider)) {
      r.provider = provider == "*" ? "" : std::string(provider);
      if (colon != std::string_view::npos)
        r.event_glob = std::string(filter.substr(colon + 1));
      url = text.substr(eq + 1);
    }
  }
  if (url.empty())
    throw usage_error("--forward-to '" + std::string(text) + "': missing URL after '='");
  r.url = model::parse_target(url).str();
  return r;
}

bool is_hop_by_hop(std::string_view name) noexcept {
  for (const auto* h :
       {"Host", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer",
        "Upgrade", "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate", "Expect"})
    if (util::iequals(name, h))
      return true;
  return false;
}

Responder::Responder(std::vector<Route> routes, Simulation simulation,
                     std::chrono::milliseconds forward_timeout)
    : routes_(std::move(routes)), sim_(std::move(simulation)), forward_timeout_(forward_timeout),
      rng_(sim_.seed ? *sim_.seed : std::random_device{}()) {}

bool Responder::roll_failure() {
  if (sim_.fail_rate <= 0)
    return false;
  const std::lock_guard lock(rng_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < sim_.fail_rate;
}

net::OutgoingResponse Responder::respond(core::CaptureRecord& record) {
  if (sim_.delay_ms > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(sim_.delay_ms));
  for (const auto& route : routes_)
    if (route.matches(record))
      return forward(route, record);
  net::OutgoingResponse out;
  if (roll_failure()) {
    out.status = 500;
    out.body = "hooktool: simulated failure (--fail-rate)\n";
    return out;
  }
  out.status = sim_.status;
  out.body = sim_.body;
  if (!out.body.empty())
    out.headers.push_back({"Content-Type", sim_.content_type});
  return out;
}

net::OutgoingResponse Responder::forward(const Route& route, core::CaptureRecord& record) {
  // One client per worker thread keeps connections to the handler alive between deliveries.
  thread_local std::optional<net::HttpClient> client;
  thread_local std::chrono::milliseconds client_timeout{0};
  if (!client || client_timeout != forward_timeout_) {
    net::ClientOptions options;
    options.timeout = forward_timeout_;
    options.tls = net::ClientOptions::Tls::insecure; // local handlers use self-signed certificates
    options.max_response_body = 64u << 20;
    client.emplace(options);
    client_timeout = forward_timeout_;
  }
  auto target = model::parse_target(route.url);
  if (target.path == "/" && target.query.empty()) {
    // A bare origin keeps the delivery's own path and query.
    target.path = record.path;
    target.query = record.query;
  }
  model::HttpRequest req;
  req.method = record.method;
  req.url = target.str();
  for (const auto& h : record.headers)
    if (!is_hop_by_hop(h.name))
      req.headers.push_back(h);
  req.body = record.body;

  const auto r = client->send(req);
  core::ForwardInfo info;
  info.url = req.url;
  info.duration_ms = r.duration_ms;
  net::OutgoingResponse out;
  if (r.error != net::TransportError::none) {
    info.error = r.error_message;
    out.status = r.error == net::TransportError::timeout ? 504 : 502;
    out.body = "hooktool: handler at " + req.url +
               (r.error == net::TransportError::timeout ? " timed out" : " unreachable") + ": " +
               r.error_message + "\n";
  } else {
    info.status = r.status;
    info.body = r.body;
    out.status = r.status;
    out.body = r.body;
    for (const auto& h : r.headers)
      if (!is_hop_by_hop(h.name) && !util::iequals(h.name, "Date") &&
          !util::iequals(h.name, "Server"))
        out.headers.push_back(h);
  }
  record.forward = std::move(info);
  return out;
}

} // namespace hooktool::listen
