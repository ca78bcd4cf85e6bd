#include "net/listen_server.hpp"

#include "net/event_loop.hpp"

#include <exception>
#include <iostream>
#include <thread>
#include <utility>

namespace hooktool::net {

// The loop is built in start() (it binds the socket); until then the settings wait here.
struct ListenServer::Impl {
  ServerOptions options;
  RequestHandler on_request;
  RejectHandler on_reject;
  std::unique_ptr<server::EventLoop> loop;
  std::thread thread;
  bool joined = false;
};

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
  impl_->loop = std::make_unique<server::EventLoop>(
      std::move(impl_->options), std::move(impl_->on_request), std::move(impl_->on_reject));
  impl_->thread = std::thread([loop = impl_->loop.get()] {
    try {
      loop->run();
    } catch (const std::exception& e) {
      // Only epoll itself failing ends up here; the process cannot serve any more.
      std::cerr << "hooktool: listener stopped: " << e.what() << "\n";
    }
  });
  return impl_->loop->port();
}

void ListenServer::stop() {
  if (impl_->loop)
    impl_->loop->stop();
}

void ListenServer::join() {
  if (impl_->thread.joinable())
    impl_->thread.join();
  if (impl_->loop && !impl_->joined) {
    impl_->loop->shutdown_workers();
    impl_->joined = true;
  }
}

} // namespace hooktool::net
