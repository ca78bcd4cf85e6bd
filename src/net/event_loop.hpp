#pragma once
// The listener's event loop: one thread, epoll (edge-triggered), every socket non-blocking.
// It accepts, reads and parses requests (RequestReader), hands complete ones to the worker
// pool, and writes the answers back in each connection's request order. Deadlines are
// absolute (never extended by a trickle of bytes), and the number of open connections is
// capped with the oldest idle connection closed first, so slow or idle clients cannot delay
// a new delivery.

#include "net/fd.hpp"
#include "net/listen_server.hpp"
#include "net/request_reader.hpp"
#include "net/server_transport.hpp"
#include "net/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hooktool::net::server {

class EventLoop {
public:
  // Binds the listening socket (usage error when it cannot), ready for run().
  EventLoop(ServerOptions options, RequestHandler on_request, RejectHandler on_reject);
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  [[nodiscard]] int port() const noexcept { return port_; }
  // Serves until stop(); returns once no connection and no handler is left (see stop()).
  void run();
  // Asks run() to end: no new connections or requests; answers of requests being handled are
  // still written (for up to kDrain). Any thread.
  void stop() noexcept;
  // Joins the handler threads (after run() has returned).
  void shutdown_workers() { pool_.shutdown(); }

private:
  using Clock = std::chrono::steady_clock;
  struct Connection;

  void accept_all(Clock::time_point now);
  bool evict_one();
  void on_event(std::uint64_t key, std::uint32_t events, Clock::time_point now);
  void drive(Connection& c, Clock::time_point now);
  bool flush(Connection& c);
  bool consume(Connection& c, std::string_view data, Clock::time_point now);
  void dispatch(Connection& c);
  void refuse(Connection& c, int status, std::string_view reason, bool report);
  void begin_close(Connection& c, Clock::time_point now);
  void linger(Connection& c);
  void close(Connection& c);
  void take_answers(Clock::time_point now);
  void sweep(Clock::time_point now);
  void begin_stop(Clock::time_point now);
  Connection* find(std::uint64_t key) noexcept;

  ServerOptions options_;
  RejectHandler on_reject_;
  ReaderLimits limits_;
  std::unique_ptr<TlsContext> tls_;
  Fd listener_;
  Fd epoll_;
  Fd wake_;
  Fd reserve_; // a spare descriptor, given up to accept-and-close when out of descriptors
  int port_ = 0;
  std::size_t max_connections_ = 0;
  WorkerPool pool_;

  std::vector<std::unique_ptr<Connection>> slots_;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> free_slots_;
  std::size_t open_ = 0;
  std::size_t in_flight_ = 0; // jobs handed to the pool whose answer has not come back
  std::vector<char> buffer_;  // one read buffer for every connection
  std::vector<Done> answers_;
  std::vector<Job> jobs_; // dispatched in this round, handed to the pool together at its end

  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  Clock::time_point drain_deadline_{};
};

} // namespace hooktool::net::server
