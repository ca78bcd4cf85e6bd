#include "webui/server.hpp"

#include "crypto/crypto.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"

namespace hooktool::webui {

std::string new_token() {
  return crypto::random_string("0123456789abcdef", 32);
}

namespace {

ApiOptions api_options() {
  ApiOptions o;
  o.token = new_token();
  return o;
}

// The secret listen verifies a provider's deliveries with, as a signing key: the one given for
// its family, else the bare --secret, else its development secret (a key pair's private half).
SigningSecret signing_secret(const listen::InspectorConfig& c, const std::string& id) {
  SigningSecret out;
  std::shared_ptr<const providers::Provider> provider = providers::make_provider(id, c.generic);
  if (!provider) {
    out.error = "unknown provider '" + id + "': nothing to re-sign it as";
    return out;
  }
  out.provider = provider;
  const auto family = std::string(providers::secret_family(id));
  std::optional<std::string> given;
  if (const auto it = c.secrets.find(family); it != c.secrets.end())
    given = it->second;
  else if (c.bare_secret)
    given = c.bare_secret;
  if (given) {
    if (provider->asymmetric()) {
      out.error = "listen holds " + family +
                  "'s public key, which cannot sign: re-sign with "
                  "hooktool replay --resign and the private key, or keep the original signature";
      return out;
    }
    out.secret = *given;
    return out;
  }
  if (c.dev_secrets) {
    try {
      if (auto dev = c.dev_secrets->find(*provider)) {
        out.secret = std::move(dev->value);
        return out;
      }
    } catch (const Error& e) {
      out.error = e.what();
      return out;
    }
  }
  out.error = "listen holds no secret for " + family + " (start it with --secret " + family +
              "=…), so it cannot re-sign; keep the original signature instead";
  return out;
}

} // namespace

Actions session_actions(listen::Session& session) {
  const auto& c = session.config();
  auto sender = std::make_shared<listen::Responder>(
      std::vector<listen::Route>{}, listen::Simulation{}, c.forward_timeout, c.host_header);
  sender->set_forward_headers(c.forward_headers);
  Actions a;
  a.replay = [&session](const core::CaptureRecord& r, listen::RemoteTarget remote) {
    return session.replay(r, remote);
  };
  a.send_to = [sender](const core::CaptureRecord& r, const std::string& url) {
    return sender->send_to(r, url);
  };
  a.forward_target = [&c](const core::CaptureRecord& r) {
    for (const auto& route : c.routes)
      if (route.matches(r))
        return route.url;
    return std::string();
  };
  a.signing_secret = [&c](const std::string& id) {
    return signing_secret(c.inspector, id);
  };
  a.answer = c.simulation.live;
  return a;
}

UiServer::UiServer(UiOptions options, Store& store, Actions actions)
    : options_(std::move(options)), store_(store), api_(api_options(), store, std::move(actions)) {}

UiServer::~UiServer() {
  stop();
}

int UiServer::start() {
  net::ServerOptions so;
  so.host = options_.host;
  so.port = options_.port;
  so.max_body = 1u << 20;
  so.workers = options_.workers;
  server_ = std::make_unique<net::ListenServer>(
      std::move(so), [this](net::IncomingRequest&& in) { return api_.handle(in); },
      [](int, const std::string&) {});
  try {
    port_ = server_->start();
  } catch (const Error& e) {
    server_.reset();
    throw usage_error(std::string("--ui-port: ") + e.what() + " (choose another with --ui-port)");
  }
  api_.set_port(port_);
  return port_;
}

void UiServer::stop() {
  store_.close();
  if (server_) {
    server_->stop();
    server_->join();
    server_.reset();
  }
}

std::string UiServer::url() const {
  return "http://" + options_.host + ":" + std::to_string(port_) + "/";
}

} // namespace hooktool::webui
