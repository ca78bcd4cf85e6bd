// The listener engine in process (net::ListenServer, no hooktool process): its event loops share
// the connections, a handler that does not wait runs on a loop, and one that may wait runs on a
// worker without holding up the other connections.

#include "net/listen_server.hpp"
#include "raw_socket.hpp"

#include <atomic>
#include <condition_variable>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>
#include <vector>

// One namespace per suite: the suites share unity units.
namespace suite_engine {

namespace {

using namespace hooktool;
using namespace std::chrono_literals;

const std::string kRequest = "GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

// Sends one request on fd and reads its whole answer (it has no body); the answer or "".
std::string ask(int fd, std::chrono::milliseconds within = 5s) {
  const auto deadline = raw::Clock::now() + within;
  if (!raw::send_all(fd, kRequest, deadline))
    return {};
  std::string got;
  bool closed = false;
  raw::read_until(
      fd, got, deadline,
      [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }, closed);
  return got;
}

TEST(EngineLoops, ConnectionsAreSharedAndAWaitingHandlerRunsOnAWorker) {
  std::atomic<bool> run_inline{true};
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::thread::id> threads;
  bool hold = false;    // the next handler waits until released
  bool holding = false; // a handler is waiting
  net::ServerOptions options;
  options.port = 0;
  options.loops = 2;
  options.workers = 4;
  options.handle_inline = [&] {
    return run_inline.load();
  };
  net::ListenServer server(
      std::move(options),
      [&](net::IncomingRequest&&) {
        std::unique_lock lock(mutex);
        threads.push_back(std::this_thread::get_id());
        if (hold) {
          hold = false;
          holding = true;
          changed.notify_all();
          changed.wait_for(lock, 10s, [&] { return !holding; });
        }
        return net::OutgoingResponse{};
      },
      nullptr);
  const int port = server.start();

  // The first connection goes to the accepting loop, the second to the one with fewer.
  const int a = raw::connect_loopback(port);
  const int b = raw::connect_loopback(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  EXPECT_EQ(ask(a).rfind("HTTP/1.1 200", 0), 0U);
  EXPECT_EQ(ask(b).rfind("HTTP/1.1 200", 0), 0U);
  {
    const std::lock_guard lock(mutex);
    ASSERT_EQ(threads.size(), 2U);
    EXPECT_NE(threads[0], threads[1]) << "both connections were served by one loop";
  }

  // A handler that may wait goes to a worker: while it waits, the other connection is answered.
  {
    const std::lock_guard lock(mutex);
    hold = true;
  }
  run_inline = false;
  ASSERT_TRUE(raw::send_all(a, kRequest, raw::Clock::now() + 5s));
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 5s, [&] { return holding; }));
  }
  run_inline = true;
  EXPECT_EQ(ask(b).rfind("HTTP/1.1 200", 0), 0U) << "a waiting handler held up another connection";
  {
    const std::lock_guard lock(mutex);
    holding = false;
    changed.notify_all();
  }
  std::string answer;
  bool closed = false;
  raw::read_until(
      a, answer, raw::Clock::now() + 5s,
      [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; }, closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0U);
  {
    const std::lock_guard lock(mutex);
    ASSERT_EQ(threads.size(), 4U);
    EXPECT_NE(threads[2], threads[0]) << "the waiting handler ran on a loop";
    EXPECT_NE(threads[2], threads[1]) << "the waiting handler ran on a loop";
    EXPECT_EQ(threads[3], threads[1]); // the connection stays with its loop
  }
  ::close(a);
  ::close(b);
  server.stop();
  server.join();
}

} // namespace

} // namespace suite_engine
