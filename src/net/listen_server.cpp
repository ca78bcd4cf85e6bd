#include "net/listen_server.hpp"

#include "net/event_loop.hpp"

#include <algorithm>
#include <exception>
#include <iostream>
#include <thread>
#include <utility>
#include <vector>

namespace hooktool::net {

// The loop is built in start() (it binds the socket); until then the settings wait here.
struct ListenServer::Impl {
  ServerOptions options;
  RequestHandler on_request;
  RejectHandler on_reject;
  std::vector<std::unique_ptr<server::EventLoop>> loops; // [0] accepts
  std::vector<std::thread> threads;
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
  auto& o = impl_->options;
  const std::size_t n =
      o.loops != 0 ? std::min(o.loops, kMaxLoops)
                   : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxLoops);
  // Each loop's pool starts its threads only when a handler must wait; they share the limit.
  o.workers = std::max<std::size_t>(1, o.workers / n);
  auto& loops = impl_->loops;
  for (std::size_t i = 0; i < n; ++i)
    loops.push_back(std::make_unique<server::EventLoop>(o, impl_->on_request, impl_->on_reject,
                                                        /*accepting=*/i == 0, n));
  std::vector<server::EventLoop*> all;
  for (const auto& loop : loops)
    all.push_back(loop.get());
  loops.front()->share_with(all);
  for (const auto& loop : loops) {
    impl_->threads.emplace_back([loop = loop.get()] {
      try {
        loop->run();
      } catch (const std::exception& e) {
        // Only epoll itself failing ends up here; the process cannot serve any more.
        std::cerr << "hooktool: listener stopped: " << e.what() << "\n";
      }
    });
  }
  return loops.front()->port();
}

void ListenServer::stop() {
  for (const auto& loop : impl_->loops)
    loop->stop();
}

void ListenServer::join() {
  for (auto& thread : impl_->threads)
    if (thread.joinable())
      thread.join();
  if (!impl_->joined) {
    for (const auto& loop : impl_->loops)
      loop->shutdown_workers();
    impl_->joined = true;
  }
}

} // namespace hooktool::net
