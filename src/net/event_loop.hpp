#pragma once
// The listener's event loops: one thread each, epoll (edge-triggered), every socket
// non-blocking. A loop reads and parses requests (RequestReader), runs the handler itself when
// it will not wait (ServerOptions::handle_inline: no hand-over between threads, which cost a
// quarter of listen's CPU) or hands the request to its worker pool, and writes the answers
// back in each connection's request order. Deadlines are
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
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <utility>
#include <vector>

namespace hooktool::net::server {

// A server runs one loop per core (ServerOptions::loops): the first binds the listening
// socket, accepts, and hands each new connection to the loop with the fewest open ones, which
// then owns it for its life (so a connection's requests never cross threads).
class EventLoop {
public:
  // With accepting: binds the listening socket (usage error when it cannot). Else the loop only
  // serves connections handed to it (adopt). connection_share: the part of the connection cap
  // this loop holds (1/loops). Ready for run().
  EventLoop(ServerOptions options, RequestHandler on_request, RejectHandler on_reject,
            bool accepting = true, std::size_t connection_share = 1);
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  [[nodiscard]] int port() const noexcept { return port_; }
  // The loops new connections are shared among (this one included); set before run().
  void share_with(std::vector<EventLoop*> loops) { peers_ = std::move(loops); }
  // Connections open in this loop or on their way to it (read by the accepting loop to
  // choose where one goes).
  [[nodiscard]] std::size_t open_connections() const noexcept {
    return open_.load(std::memory_order_relaxed) + incoming_.load(std::memory_order_relaxed);
  }
  // Takes an accepted connection from the accepting loop: queued, and picked up on this loop's
  // thread. Any thread.
  void adopt(Fd fd, const sockaddr_storage& addr);
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
  void take_in(Fd fd, const sockaddr_storage& addr, Clock::time_point now);
  void take_adopted(Clock::time_point now);
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
  // Answers the requests given to the round handler in this round (and any that answering
  // them lets the loop read: pipelined requests), then writes the answers.
  void settle_round(Clock::time_point now);
  // An answer for c's request (from a worker, or handled on the loop): queued for writing.
  void answered(Connection& c, Done&& done, Clock::time_point now);
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
  std::atomic<std::size_t> open_{0};     // written by this loop's thread only
  std::atomic<std::size_t> incoming_{0}; // adopted, not yet taken in
  std::vector<EventLoop*> peers_;
  std::mutex inbox_mu_;
  std::vector<std::pair<Fd, sockaddr_storage>> inbox_; // adopted, not yet taken in
  std::size_t in_flight_ = 0; // jobs handed to the pool whose answer has not come back
  std::vector<char> buffer_;  // one read buffer for every connection
  std::vector<Done> answers_;
  std::vector<Job> jobs_; // dispatched in this round, handed to the pool together at its end
  // Requests given to round_ in this round, in order: their connections and how to answer.
  struct Held {
    std::uint64_t connection = 0;
    bool head = false;
    bool keep_alive = true;
    int minor_version = 1;
  };
  std::unique_ptr<RoundHandler> round_;
  std::vector<Held> held_;
  std::vector<Held> settling_;
  std::vector<OutgoingResponse> round_answers_;

  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  Clock::time_point drain_deadline_{};
};

} // namespace hooktool::net::server
