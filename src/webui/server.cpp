#include "webui/server.hpp"

#include "crypto/crypto.hpp"
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

} // namespace

UiServer::UiServer(UiOptions options, Store& store, ReplayFn replay)
    : options_(std::move(options)), store_(store), api_(api_options(), store, std::move(replay)) {}

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
