#include "net/listen_server.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <httplib.h>
#include <sys/socket.h>
#include <thread>
#include <utility>

namespace hooktool::net {

struct ListenServer::Impl {
  ServerOptions options;
  RequestHandler on_request;
  RejectHandler on_reject;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
};

namespace {

// Takes the body out of the request: cpp-httplib does not read it after the handler, and a
// webhook body copied per request shows in the listener's profile.
IncomingRequest to_incoming(const httplib::Request& req, bool tls) {
  IncomingRequest in;
  in.method = req.method;
  in.target = req.target;
  const auto q = req.target.find('?');
  in.path = req.target.substr(0, q);
  if (q != std::string::npos)
    in.query = req.target.substr(q + 1);
  // cpp-httplib keeps headers in a case-insensitive multimap: name case and repeats
  // survive, arrival order across different names does not.
  in.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
        name == "LOCAL_PORT")
      continue; // added by cpp-httplib, not sent by the client
    in.headers.push_back({name, value});
  }
  in.body = std::move(
      const_cast<std::string&>(req.body)); // NOLINT(cppcoreguidelines-pro-type-const-cast)
  in.remote = (req.remote_addr.find(':') != std::string::npos ? "[" + req.remote_addr + "]"
                                                              : req.remote_addr) +
              ":" + std::to_string(req.remote_port);
  in.tls = tls;
  return in;
}

// Exposes the listening socket, whose backlog cpp-httplib 0.11 fixes at 5: a burst of new
// connections beyond it has its SYNs dropped and waits a second for the retransmission.
template <class Base> class Listener final : public Base {
public:
  using Base::Base;
  [[nodiscard]] socket_t listening_socket() const { return this->svr_sock_; }
};

// Set by our handler so that the error handler can tell our 4xx/5xx from httplib's own.
thread_local bool t_handled = false;

} // namespace

ListenServer::ListenServer(ServerOptions options, RequestHandler on_request,
                           RejectHandler on_reject)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->on_request = std::move(on_request);
  impl_->on_reject = std::move(on_reject);
}

ListenServer::~ListenServer() {
  stop();
  join();
}

int ListenServer::start() {
  auto& o = impl_->options;
  const bool tls = o.tls.has_value();
  std::function<socket_t()> listening_socket;
  if (tls) {
    auto server =
        std::make_unique<Listener<httplib::SSLServer>>(o.tls->cert.get(), o.tls->key.get());
    listening_socket = [s = server.get()] {
      return s->listening_socket();
    };
    impl_->server = std::move(server);
  } else {
    auto server = std::make_unique<Listener<httplib::Server>>();
    listening_socket = [s = server.get()] {
      return s->listening_socket();
    };
    impl_->server = std::move(server);
  }
  auto& svr = *impl_->server;
  if (!svr.is_valid())
    throw failure("cannot set up the TLS context");

  // Defaults that cap loopback throughput: Nagle on, 5 requests per connection, few workers.
  svr.set_tcp_nodelay(true);
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second listener share the port
  // and silently take half the deliveries; SO_REUSEADDR alone still allows quick restarts.
  svr.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr.set_keep_alive_max_count(1u << 30);
  svr.set_keep_alive_timeout(o.keep_alive_timeout_s);
  svr.set_read_timeout(o.read_timeout_s, 0);
  svr.set_write_timeout(o.read_timeout_s, 0);
  svr.set_payload_max_length(o.max_body);
  const auto workers = o.workers;
  svr.new_task_queue = [workers] {
    return new httplib::ThreadPool(workers);
  };

  const auto handler = [this, tls](const httplib::Request& req, httplib::Response& res) {
    t_handled = true;
    auto out = impl_->on_request(to_incoming(req, tls));
    res.status = out.status;
    std::string content_type;
    for (auto& h : out.headers) {
      if (util::iequals(h.name, "Content-Type"))
        content_type = h.value;
      else
        res.headers.emplace(std::move(h.name), std::move(h.value));
    }
    if (!out.body.empty() || !content_type.empty())
      res.set_content(out.body, content_type.empty() ? "text/plain" : content_type);
  };
  const std::string any = ".*";
  svr.Get(any, handler);
  svr.Post(any, handler);
  svr.Put(any, handler);
  svr.Patch(any, handler);
  svr.Delete(any, handler);
  svr.Options(any, handler);
  svr.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
        // Our own handler's 4xx/5xx pass through here too; only report what httplib refused.
        const bool ours = std::exchange(t_handled, false);
        if (!ours && impl_->on_reject)
          impl_->on_reject(res.status, req.remote_addr);
        return httplib::Server::HandlerResponse::Unhandled;
      }));
  // Conflicting Content-Length values make the message length ambiguous (RFC 9112 §6.3):
  // refuse the request and close, before cpp-httplib picks one and reads the body by it.
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value_count("Content-Length") > 1) {
      const auto first = req.get_header_value("Content-Length", 0);
      for (std::size_t i = 1; i < req.get_header_value_count("Content-Length"); ++i)
        if (req.get_header_value("Content-Length", i) != first) {
          res.status = 400;
          res.set_header("Connection", "close");
          res.set_content("hooktool: conflicting Content-Length headers\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
        }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  svr.set_post_routing_handler(
      [](const httplib::Request&, httplib::Response&) { t_handled = false; });
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                               const std::exception_ptr&) { res.status = 500; });

  int port = o.port;
  if (port == 0) {
    port = svr.bind_to_any_port(o.host);
    if (port < 0)
      throw usage_error("cannot listen on " + o.host + ": no free port, or not a local address");
  } else if (!svr.bind_to_port(o.host, port)) {
    throw usage_error("cannot listen on " + o.host + ":" + std::to_string(port) +
                      " (address in use, or not a local address)");
  }
  // Calling listen() again on a listening socket only resizes its queue.
  ::listen(listening_socket(), SOMAXCONN);
  impl_->thread = std::thread([this] { impl_->server->listen_after_bind(); });
  return port;
}

void ListenServer::stop() {
  if (impl_->server)
    impl_->server->stop();
}

void ListenServer::join() {
  if (impl_->thread.joinable())
    impl_->thread.join();
}

} // namespace hooktool::net
