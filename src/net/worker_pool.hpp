#pragma once
// The threads that run the request handler, off the event loop: the handler verifies,
// captures to disk and may forward for seconds, and no socket may wait for that.

#include "net/fd.hpp"
#include "net/listen_server.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hooktool::net::server {

// A request handed to the pool, and where its answer goes.
struct Job {
  std::uint64_t connection = 0; // the event loop's key for the connection
  IncomingRequest request;
  bool head = false;      // HEAD: the answer has no body
  bool keep_alive = true; // the client allows another request after this one
  int minor_version = 1;  // HTTP/1.<minor_version>
  std::chrono::steady_clock::time_point queued{};
};

// An answer, serialised on the worker, ready for the socket.
struct Done {
  std::uint64_t connection = 0;
  std::string bytes;
  bool close = false; // close the connection once the bytes are out
};

// Up to max_threads workers; answers are posted back and announced on an eventfd the event
// loop polls. Threads start as jobs need them: as many as the machine has cores while jobs
// queue up, and more only while queued jobs wait because every worker is blocked (a handler
// sleeping for --delay or waiting on a forward; with grow_only_when_waiting, only a wait the
// handler marked with a BlockingScope counts) — more threads than cores for work that only
// needs the CPU would just contend for locks and switch (listen with --capture on a loaded
// machine grew to 26 threads on the 2 ms rule alone, and spent its time switching between them).
class WorkerPool {
public:
  using Clock = std::chrono::steady_clock;

  // grow_only_when_waiting: see ServerOptions::handler_marks_waits.
  WorkerPool(std::size_t max_threads, RequestHandler handler, bool grow_only_when_waiting = false);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Queues the jobs (emptying jobs); never blocks on the handler.
  void submit(std::vector<Job>& jobs);
  // Starts one more worker when the oldest queued job has waited longer than kStall (and, when
  // growing only for waits, some worker is inside a BlockingScope).
  void grow_if_stalled(Clock::time_point now);
  // Workers inside a BlockingScope.
  [[nodiscard]] std::size_t waiting() const noexcept {
    return waiting_.load(std::memory_order_relaxed);
  }
  // BlockingScope's counter: the pool the calling thread works for, or null.
  static WorkerPool* current() noexcept;
  void enter_wait() noexcept { waiting_.fetch_add(1, std::memory_order_relaxed); }
  void leave_wait() noexcept { waiting_.fetch_sub(1, std::memory_order_relaxed); }
  // Jobs queued and not yet taken by a worker.
  [[nodiscard]] std::size_t queued() const noexcept {
    return queued_.load(std::memory_order_relaxed);
  }
  static constexpr auto kStall = std::chrono::milliseconds(2);
  // Readable when answers are waiting.
  [[nodiscard]] int notify_fd() const noexcept { return notify_.get(); }
  // Moves the waiting answers into out (cleared first).
  void take_done(std::vector<Done>& out);
  // Lets queued jobs finish, then joins every worker. Idempotent.
  void shutdown();
  // Runs the handler for job on the calling thread (the event loop, for a job that does not wait).
  Done handle(Job& job);

private:
  void run();

  void spawn(); // mu_ held
  const std::size_t max_threads_;
  const std::size_t core_threads_;
  const bool grow_only_when_waiting_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<std::size_t> waiting_{0};
  RequestHandler handler_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;

  std::mutex done_mu_;
  std::vector<Done> done_;
  Fd notify_;
};

// The bytes of a response: status line, headers, Content-Length, body (none for HEAD, 1xx,
// 204, 304). Header names and values that could split the response are dropped.
std::string serialize_response(const OutgoingResponse& response, bool head, bool close,
                               int minor_version);
// A response the server itself gives (400, 408, 413, 431, 505, 500): text body, then close.
std::string error_response(int status, std::string_view reason);

} // namespace hooktool::net::server
