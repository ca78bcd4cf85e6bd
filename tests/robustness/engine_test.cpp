// The listener engine in process (net::ListenServer, no hooktool process): its event loops share
// the connections, a handler that does not wait runs on a loop, and one that may wait runs on a
// worker without holding up the other connections.

#include "net/listen_server.hpp"
#include "raw_socket.hpp"

#include <atomic>
#include <condition_variable>
#include <gtest/gtest.h>
#include <mutex>
#include <stdexcept>
#include <sys/socket.h>
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

// A round handler for the tests: answers each request with its target as the body; finish()
// can be held (entered is signalled, then it waits for release) or made to throw.
class TestRound final : public net::RoundHandler {
public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::size_t> batches; // requests per finish()
    bool hold = false;                // the next finish() waits for release
    bool holding = false;
    bool fail = false; // finish() throws
  };
  explicit TestRound(Shared& shared) : shared_(shared) {}
  void begin(net::IncomingRequest&& request) override { targets_.push_back(request.target); }
  void finish(std::vector<net::OutgoingResponse>& answers) override {
    std::unique_lock lock(shared_.mutex);
    shared_.batches.push_back(targets_.size());
    if (shared_.hold) {
      shared_.hold = false;
      shared_.holding = true;
      shared_.changed.notify_all();
      shared_.changed.wait_for(lock, 10s, [&] { return !shared_.holding; });
    }
    if (shared_.fail) {
      targets_.clear();
      throw std::runtime_error("finish failed");
    }
    for (const auto& t : targets_)
      answers.push_back({200, {{"Content-Type", "text/plain"}}, t});
    targets_.clear();
  }

private:
  Shared& shared_;
  std::vector<std::string> targets_;
};

net::ServerOptions round_options(TestRound::Shared& shared) {
  net::ServerOptions options;
  options.port = 0;
  options.loops = 1;
  options.workers = 2;
  options.handle_inline = [] {
    return true;
  };
  options.rounds = [&shared]() -> std::unique_ptr<net::RoundHandler> {
    return std::make_unique<TestRound>(shared);
  };
  return options;
}

net::RequestHandler never_called() {
  return [](net::IncomingRequest&&) {
    return net::OutgoingResponse{599, {}, "the round handler was bypassed"};
  };
}

// Reads from fd until `answers` answers (each with a 1..9-byte body) have arrived.
std::string read_answers(int fd, std::size_t answers) {
  std::string got;
  bool closed = false;
  raw::read_until(
      fd, got, raw::Clock::now() + 5s,
      [answers](const std::string& b) { return raw::response_count(b) >= answers; }, closed);
  return got;
}

TEST(EngineRounds, NoAnswerLeavesBeforeTheRoundsFinishAndRequestsReadMeanwhileShareARound) {
  TestRound::Shared shared;
  shared.hold = true;
  net::ListenServer server(round_options(shared), never_called(), nullptr);
  const int port = server.start();
  const int a = raw::connect_loopback(port);
  const int b = raw::connect_loopback(port);
  const int c = raw::connect_loopback(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  ASSERT_GE(c, 0);
  ASSERT_TRUE(raw::send_all(a, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n", raw::Clock::now() + 5s));
  {
    std::unique_lock lock(shared.mutex);
    ASSERT_TRUE(shared.changed.wait_for(lock, 5s, [&] { return shared.holding; }));
  }
  // The loop is inside finish() for a's request: nothing of its answer may be written yet.
  char byte = 0;
  EXPECT_EQ(::recv(a, &byte, 1, MSG_DONTWAIT), -1) << "an answer went out before finish()";
  // b and c send meanwhile: the loop reads both in its next round, settled together.
  ASSERT_TRUE(raw::send_all(b, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n", raw::Clock::now() + 5s));
  ASSERT_TRUE(raw::send_all(c, "GET /c HTTP/1.1\r\nHost: x\r\n\r\n", raw::Clock::now() + 5s));
  {
    const std::lock_guard lock(shared.mutex);
    shared.holding = false;
    shared.changed.notify_all();
  }
  const auto got_a = read_answers(a, 1);
  const auto got_b = read_answers(b, 1);
  const auto got_c = read_answers(c, 1);
  EXPECT_EQ(got_a.rfind("HTTP/1.1 200", 0), 0U) << got_a;
  EXPECT_TRUE(got_a.ends_with("\r\n\r\n/a")) << got_a;
  EXPECT_TRUE(got_b.ends_with("\r\n\r\n/b")) << got_b; // each answer to its own connection
  EXPECT_TRUE(got_c.ends_with("\r\n\r\n/c")) << got_c;
  {
    const std::lock_guard lock(shared.mutex);
    ASSERT_EQ(shared.batches.size(), 2U);
    EXPECT_EQ(shared.batches[0], 1U);
    EXPECT_EQ(shared.batches[1], 2U) << "requests read in one round were settled apart";
  }
  ::close(a);
  ::close(b);
  ::close(c);
  server.stop();
  server.join();
}

TEST(EngineRounds, PipelinedRequestsAreAllAnsweredInOrder) {
  TestRound::Shared shared;
  net::ListenServer server(round_options(shared), never_called(), nullptr);
  const int port = server.start();
  const int a = raw::connect_loopback(port);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(raw::send_all(a,
                            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
                            "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                            "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
                            raw::Clock::now() + 5s));
  const auto got = read_answers(a, 3);
  ASSERT_EQ(raw::response_count(got), 3U) << got;
  const auto one = got.find("\r\n\r\n/1");
  const auto two = got.find("\r\n\r\n/2");
  const auto three = got.find("\r\n\r\n/3");
  ASSERT_NE(one, std::string::npos) << got;
  ASSERT_NE(two, std::string::npos) << got;
  ASSERT_NE(three, std::string::npos) << got;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  ::close(a);
  server.stop();
  server.join();
}

TEST(EngineRounds, AFinishThatThrowsAnswers500ToEachRequestOfTheRound) {
  TestRound::Shared shared;
  shared.fail = true;
  net::ListenServer server(round_options(shared), never_called(), nullptr);
  const int port = server.start();
  const int a = raw::connect_loopback(port);
  ASSERT_GE(a, 0);
  ASSERT_TRUE(raw::send_all(a,
                            "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
                            raw::Clock::now() + 5s));
  const auto got = read_answers(a, 2);
  ASSERT_EQ(raw::response_count(got), 2U) << got;
  EXPECT_EQ(got.rfind("HTTP/1.1 500", 0), 0U) << got;
  EXPECT_NE(got.find("HTTP/1.1 500", 1), std::string::npos) << got;
  ::close(a);
  server.stop();
  server.join();
}

} // namespace

} // namespace suite_engine
