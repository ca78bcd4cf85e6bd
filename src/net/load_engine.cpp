#include "net/load_engine.hpp"

#include "model/url.hpp"
#include "net/fd.hpp"
#include "net/load_response.hpp"
#include "net/server_socket.hpp"
#include "net/transfer.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace hooktool::net {

namespace {

using Clock = std::chrono::steady_clock;
using server::Fd;

std::int64_t us_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::microseconds>(b - a).count();
}

// One request ready to go: its bytes and, for the response sink, the request itself.
struct Ready {
  std::string wire;
  model::HttpRequest request;
  bool head = false; // HEAD: its answer has no body, whatever its headers say

  void serialise() {
    serialise_request(request, wire);
    head = request.method == "HEAD";
  }
};

// A bounded single-producer single-consumer ring of ready requests. Items are swapped in and
// out, so their buffers circulate instead of being allocated per request. The consumer never
// blocks: when it finds the ring empty it says how many it could start, and the producer makes
// the eventfd readable for the consumer's epoll once that many (at most kWakeBatch) are ready,
// so a producer slower than the network wakes the I/O thread once per batch, not per request.
class ReadyRing {
public:
  explicit ReadyRing(std::size_t capacity) : slots_(capacity) {
    wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake_)
      throw failure(std::string("eventfd: ") + std::strerror(errno));
  }
  [[nodiscard]] int wake_fd() const noexcept { return wake_.get(); }

  // Producer: waits while full; false once the consumer has stopped.
  bool push(Ready& item) {
    bool wake = false;
    {
      std::unique_lock lock(mutex_);
      space_.wait(lock, [&] { return stopped_ || tail_ - head_ < slots_.size(); });
      if (stopped_)
        return false;
      std::swap(slots_[tail_ % slots_.size()], item);
      ++tail_;
      if (wanted_ != 0 && tail_ - head_ >= wanted_) {
        wanted_ = 0;
        wake = true;
      }
    }
    if (wake)
      signal();
    return true;
  }
  // Producer: no more items (also when it failed).
  void close(std::exception_ptr error = nullptr) {
    {
      const std::lock_guard lock(mutex_);
      closed_ = true;
      error_ = std::move(error);
    }
    signal();
  }
  // Consumer: takes the next item, or false when there is none right now; then the wake-up
  // comes when `could_start` items (or kWakeBatch) are ready, or the producer has finished.
  bool pop(Ready& out, std::size_t could_start) {
    const std::lock_guard lock(mutex_);
    if (head_ == tail_) {
      wanted_ = std::clamp<std::size_t>(could_start, 1, kWakeBatch);
      return false;
    }
    std::swap(slots_[head_ % slots_.size()], out);
    ++head_;
    space_.notify_one();
    return true;
  }
  // Consumer: whether the producer is done and everything has been taken.
  [[nodiscard]] bool drained() {
    const std::lock_guard lock(mutex_);
    return closed_ && head_ == tail_;
  }
  [[nodiscard]] std::exception_ptr error() {
    const std::lock_guard lock(mutex_);
    return error_;
  }
  // Consumer: wants nothing more; wakes a waiting producer.
  void stop() {
    {
      const std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    space_.notify_all();
  }
  void drain_wake() const noexcept {
    std::uint64_t n = 0;
    [[maybe_unused]] const auto r = ::read(wake_.get(), &n, sizeof n);
  }

private:
  void signal() const noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(wake_.get(), &one, sizeof one);
  }

  static constexpr std::size_t kWakeBatch = 8;
  std::vector<Ready> slots_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
  std::size_t wanted_ = 0; // the consumer found the ring empty: wake it when this many are ready
  bool closed_ = false;
  bool stopped_ = false;
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable space_;
  Fd wake_;
};

// Where every request goes, resolved once.
struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string remote; // "ip:port"
  std::string host;   // as in the URL, for messages
  int port = 0;
};

struct Conn {
  Fd fd;
  bool connecting = false;
  bool busy = false;
  bool reused = false;  // the connection has carried a response before this request
  bool retried = false; // this request was sent again after a reused connection closed
  bool want_out = false;
  bool head = false;                       // the request is HEAD: no body in the answer
  Ready own;                               // the request when it came from the ring
  const std::string* wire = nullptr;       // bytes being sent
  const model::HttpRequest* req = nullptr; // for the sink
  std::size_t sent = 0;
  ResponseParser parser;
  Clock::time_point start{};
  Clock::time_point deadline{};
};

// The epoll key of ring r's wake-up (connections are keyed by their index).
constexpr std::uint64_t kWakeFlag = std::uint64_t{1} << 63;

// What the I/O threads of one run share: the start of the clock and the numbering of the
// requests (a ticket per request started, so --count and --rate hold for the run as a whole).
struct Run {
  Clock::time_point start{};
  std::atomic<std::int64_t> tickets{0};
  std::atomic<bool> failed{false}; // an I/O thread threw: the others start nothing more
  std::mutex sink;                 // on_response is called by one thread at a time
  bool lock_sink = false;
};

// An I/O thread's running figures, read by the thread that shows progress.
struct alignas(64) Tally {
  std::atomic<std::int64_t> completed{0};
  std::atomic<std::int64_t> failures{0};
};

class Engine {
public:
  Engine(const ClientOptions& client, const LoadOptions& options, Endpoint endpoint,
         std::size_t connections, Run& run, const ResponseSink& on_response,
         const ProgressSink* on_progress)
      : client_(client), options_(options), endpoint_(std::move(endpoint)), run_(run),
        on_response_(on_response), on_progress_(on_progress),
        conns_(std::max<std::size_t>(1, connections)), buffer_(std::size_t{64} * 1024) {
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_)
      throw failure(std::string("epoll: ") + std::strerror(errno));
    response_.remote = endpoint_.remote;
    for (std::size_t i = conns_.size(); i-- > 0;)
      idle_.push_back(i);
  }

  // Takes requests from rings (fresh) or sends fixed over and over; the first connection may
  // come connected already.
  LoadStats run(std::vector<ReadyRing*> rings, const Ready* fixed, Fd preconnected);
  [[nodiscard]] const Tally& tally() const noexcept { return tally_; }

private:
  bool may_start(Clock::time_point now, int& wait_ms);
  bool next_item(Conn& c);
  void start_requests(Clock::time_point now);
  void begin(std::size_t i, Clock::time_point now);
  void open_connection(std::size_t i);
  void write_some(std::size_t i);
  void read_some(std::size_t i);
  void on_event(std::uint64_t key, std::uint32_t events);
  void complete(std::size_t i, TransportError error, const std::string& message);
  void drop(Conn& c) noexcept;
  bool retry_on_fresh(std::size_t i);
  void sweep(Clock::time_point now);
  void watch(Conn& c, std::size_t i, bool out, int op);
  void report();
  void deliver(const Conn& c);

  const ClientOptions& client_;
  const LoadOptions& options_;
  Endpoint endpoint_;
  Run& run_;
  const ResponseSink& on_response_;
  const ProgressSink* on_progress_; // null: the calling thread reports (several I/O threads)
  std::vector<Conn> conns_;
  std::vector<std::size_t> idle_;
  std::vector<char> buffer_;
  Fd epoll_;
  std::vector<ReadyRing*> rings_;
  std::size_t next_ring_ = 0;
  const Ready* fixed_ = nullptr;
  LoadStats stats_;
  Tally tally_;
  HttpResponse response_; // reused for every completion: nothing allocated per request
  Clock::time_point start_{};
  std::int64_t ticket_ = -1; // the number of the next request this thread starts; -1: none yet
  std::int64_t in_flight_ = 0;
  std::int64_t failures_ = 0;
  bool exhausted_ = false;
  bool rate_wait_ = false; // the rate limit holds the next start back
  bool starved_ = false;   // the ring was empty: wait for the producer's wake-up
};

void Engine::watch(Conn& c, std::size_t i, bool out, int op) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (out ? EPOLLOUT : 0u);
  ev.data.u64 = i;
  if (::epoll_ctl(epoll_.get(), op, c.fd.get(), &ev) != 0)
    throw failure(std::string("epoll_ctl: ") + std::strerror(errno));
  c.want_out = out;
}

void Engine::report() {
  if (on_progress_ != nullptr && *on_progress_)
    (*on_progress_)({stats_.completed, options_.count, failures_,
                     us_between(start_, Clock::now()) / 1000, options_.duration_ms});
}

// Whether the next request may start now. The thread first takes a ticket (the request's
// number in the run, counted over all I/O threads), which it keeps until the request starts:
// past --count there are no more, and --rate makes ticket n due at n / rate seconds.
bool Engine::may_start(Clock::time_point now, int& wait_ms) {
  rate_wait_ = false;
  if (exhausted_ || (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) ||
      run_.failed.load(std::memory_order_relaxed))
    return false;
  const auto elapsed = us_between(start_, now);
  if (options_.duration_ms > 0 && elapsed >= options_.duration_ms * 1000)
    return false;
  if (ticket_ < 0) {
    const auto t = run_.tickets.fetch_add(1, std::memory_order_relaxed);
    if (options_.count > 0 && t >= options_.count) {
      exhausted_ = true;
      return false;
    }
    ticket_ = t;
  }
  if (options_.rate > 0) {
    const auto due = static_cast<std::int64_t>(static_cast<double>(ticket_) * 1e6 / options_.rate);
    if (elapsed < due) {
      rate_wait_ = true;
      wait_ms = static_cast<int>(std::min<std::int64_t>(wait_ms, (due - elapsed) / 1000 + 1));
      return false;
    }
  }
  return true;
}

// The next request for connection c: the fixed one, or one from this thread's rings taken in
// turn (when all are empty, the thread waits for a producer's wake-up).
bool Engine::next_item(Conn& c) {
  if (fixed_ != nullptr) {
    c.wire = &fixed_->wire;
    c.req = &fixed_->request;
    c.head = fixed_->head;
    return true;
  }
  bool all_drained = true;
  for (std::size_t k = 0; k < rings_.size(); ++k) {
    const auto r = (next_ring_ + k) % rings_.size();
    auto& ring = *rings_[r];
    if (ring.pop(c.own, idle_.size())) {
      next_ring_ = (r + 1) % rings_.size();
      c.wire = &c.own.wire;
      c.req = &c.own.request;
      c.head = c.own.head;
      return true;
    }
    if (!ring.drained())
      all_drained = false;
    else if (auto error = ring.error())
      std::rethrow_exception(error);
  }
  if (all_drained)
    exhausted_ = true;
  else
    starved_ = true;
  return false;
}

void Engine::start_requests(Clock::time_point now) {
  int unused = 0;
  while (!idle_.empty() && !starved_ && may_start(now, unused)) {
    const auto i = idle_.back();
    if (!next_item(conns_[i]))
      break;
    idle_.pop_back();
    ticket_ = -1;
    ++in_flight_;
    conns_[i].retried = false;
    begin(i, now);
  }
}

void Engine::begin(std::size_t i, Clock::time_point now) {
  auto& c = conns_[i];
  c.busy = true;
  c.sent = 0;
  c.parser.reset();
  c.parser.no_body(c.head);
  c.start = now;
  c.deadline = now + client_.timeout;
  if (!c.fd) {
    open_connection(i);
    return;
  }
  write_some(i);
}

void Engine::open_connection(std::size_t i) {
  auto& c = conns_[i];
  c.reused = false;
  c.fd.reset(::socket(endpoint_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!c.fd) {
    complete(i, TransportError::connect, std::string("socket: ") + std::strerror(errno));
    return;
  }
  const int one = 1;
  ::setsockopt(c.fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(c.fd.get(), reinterpret_cast<const sockaddr*>(&endpoint_.addr), endpoint_.len) ==
      0) {
    c.connecting = false;
    watch(c, i, false, EPOLL_CTL_ADD);
    write_some(i);
    return;
  }
  if (errno != EINPROGRESS) {
    const int err = errno;
    complete(i, TransportError::connect,
             "Failed to connect to " + endpoint_.host + " port " + std::to_string(endpoint_.port) +
                 ": " + std::strerror(err));
    return;
  }
  c.connecting = true;
  watch(c, i, true, EPOLL_CTL_ADD);
}

void Engine::write_some(std::size_t i) {
  auto& c = conns_[i];
  while (c.sent < c.wire->size()) {
    const auto n = ::send(c.fd.get(), c.wire->data() + c.sent, c.wire->size() - c.sent,
                          MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.want_out)
        watch(c, i, true, EPOLL_CTL_MOD);
      return;
    }
    const int err = errno;
    if (!retry_on_fresh(i))
      complete(i, TransportError::connect, std::string("Send failure: ") + std::strerror(err));
    return;
  }
  if (c.want_out)
    watch(c, i, false, EPOLL_CTL_MOD);
}

// A keep-alive connection the server closed before answering (its idle timeout): the request
// goes again once on a fresh connection, as libcurl does.
bool Engine::retry_on_fresh(std::size_t i) {
  auto& c = conns_[i];
  if (!c.reused || c.retried || c.parser.started())
    return false;
  drop(c);
  c.retried = true;
  c.sent = 0;
  c.parser.reset();
  open_connection(i);
  return true;
}

void Engine::drop(Conn& c) noexcept {
  if (c.fd)
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, c.fd.get(), nullptr);
  c.fd.reset();
  c.connecting = false;
  c.want_out = false;
  c.reused = false;
}

void Engine::read_some(std::size_t i) {
  auto& c = conns_[i];
  const auto n = ::recv(c.fd.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (!c.busy) { // an idle keep-alive connection: the server closed it (or sent junk)
    drop(c);
    return;
  }
  if (n < 0) {
    const int err = errno;
    if (!retry_on_fresh(i))
      complete(i, TransportError::connect, std::string("Recv failure: ") + std::strerror(err));
    return;
  }
  if (n == 0) {
    if (retry_on_fresh(i))
      return;
    c.parser.on_eof();
  } else {
    const std::string_view data(buffer_.data(), static_cast<std::size_t>(n));
    const auto used = c.parser.feed(data);
    if (c.parser.state() == ResponseParser::State::complete && used < data.size()) {
      complete(i, TransportError::none, {});
      drop(c); // bytes after the answer, unasked for: the connection cannot be trusted
      return;
    }
  }
  switch (c.parser.state()) {
  case ResponseParser::State::incomplete:
    return;
  case ResponseParser::State::complete:
    complete(i, TransportError::none, {});
    return;
  case ResponseParser::State::failed:
    complete(i, c.parser.started() ? TransportError::other : TransportError::connect,
             c.parser.error());
    return;
  }
}

void Engine::complete(std::size_t i, TransportError error, const std::string& message) {
  auto& c = conns_[i];
  const auto now = Clock::now();
  const auto us = us_between(c.start, now);
  stats_.latency.record(us);
  ++stats_.completed;
  --in_flight_;
  response_.status = error == TransportError::none ? c.parser.status() : 0;
  response_.error = error;
  response_.error_message = message;
  response_.duration_us = us;
  response_.duration_ms = us / 1000;
  response_.body_size = static_cast<std::size_t>(c.parser.body_bytes());
  if (error != TransportError::none) {
    ++stats_.errors[error];
    ++failures_;
  } else {
    ++stats_.statuses[response_.status];
    failures_ += response_.ok_2xx() ? 0 : 1;
  }
  tally_.completed.store(stats_.completed, std::memory_order_relaxed);
  tally_.failures.store(failures_, std::memory_order_relaxed);
  const bool keep = error == TransportError::none && c.parser.keep_alive();
  if (!keep)
    drop(c);
  else
    c.reused = true;
  c.busy = false;
  idle_.push_back(i);
  if (on_response_)
    deliver(c);
}

void Engine::deliver(const Conn& c) {
  if (!run_.lock_sink) {
    on_response_(*c.req, response_);
    return;
  }
  const std::lock_guard lock(run_.sink);
  on_response_(*c.req, response_);
}

void Engine::sweep(Clock::time_point now) {
  for (std::size_t i = 0; i < conns_.size(); ++i) {
    auto& c = conns_[i];
    if (!c.busy || now < c.deadline)
      continue;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(client_.timeout).count();
    complete(i, TransportError::timeout,
             "Operation timed out after " + std::to_string(ms) + " milliseconds (" +
                 std::to_string(c.parser.started() ? c.parser.body_bytes() : 0) +
                 " body bytes received)");
    drop(c);
  }
}

void Engine::on_event(std::uint64_t key, std::uint32_t events) {
  if ((key & kWakeFlag) != 0) {
    rings_[static_cast<std::size_t>(key & ~kWakeFlag)]->drain_wake();
    starved_ = false;
    return;
  }
  const auto i = static_cast<std::size_t>(key);
  auto& c = conns_[i];
  if (!c.fd)
    return;
  if (c.connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == EPOLLOUT) {
      c.connecting = false;
      write_some(i);
    } else if (err != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
      complete(i, TransportError::connect,
               "Failed to connect to " + endpoint_.host + " port " +
                   std::to_string(endpoint_.port) + ": " +
                   std::strerror(err != 0 ? err : ECONNREFUSED));
    }
    return;
  }
  if ((events & EPOLLOUT) != 0 && c.busy && c.sent < c.wire->size())
    write_some(i);
  if (c.fd && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
    read_some(i);
}

LoadStats Engine::run(std::vector<ReadyRing*> rings, const Ready* fixed, Fd preconnected) {
  rings_ = std::move(rings);
  fixed_ = fixed;
  for (std::size_t r = 0; r < rings_.size(); ++r) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeFlag | r;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, rings_[r]->wake_fd(), &ev);
  }
  if (preconnected) {
    conns_[0].fd = std::move(preconnected);
    watch(conns_[0], 0, false, EPOLL_CTL_ADD);
  }
  start_ = run_.start;
  auto last_progress = start_;
  auto last_sweep = start_;
  std::array<epoll_event, 256> events{};
  for (;;) {
    auto now = Clock::now();
    start_requests(now);
    int wait_ms = 100;
    if (in_flight_ == 0 && !may_start(now, wait_ms) && !rate_wait_)
      break;
    if (in_flight_ > 0)
      wait_ms = std::min(wait_ms, 20);
    const int n =
        ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), wait_ms);
    if (n < 0 && errno != EINTR)
      throw failure(std::string("epoll_wait: ") + std::strerror(errno));
    for (int k = 0; k < n; ++k)
      on_event(events[static_cast<std::size_t>(k)].data.u64,
               events[static_cast<std::size_t>(k)].events);
    now = Clock::now();
    if (now - last_sweep >= std::chrono::milliseconds(10)) {
      last_sweep = now;
      sweep(now);
    }
    if (now - last_progress >= std::chrono::milliseconds(100)) {
      last_progress = now;
      report();
    }
  }
  stats_.elapsed_us = us_between(start_, Clock::now());
  report();
  return std::move(stats_);
}

std::optional<Endpoint> resolve(const model::Url& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  const auto port = std::to_string(url.effective_port());
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list) != 0 || list == nullptr)
    return std::nullopt;
  std::vector<Endpoint> found;
  for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
    Endpoint e;
    std::memcpy(&e.addr, a->ai_addr, a->ai_addrlen);
    e.len = static_cast<socklen_t>(a->ai_addrlen);
    e.remote = server::format_address(e.addr);
    e.host = url.host;
    e.port = url.effective_port();
    found.push_back(std::move(e));
  }
  ::freeaddrinfo(list);
  return found.front();
}

// Connects to each address in turn (bounded by the timeout) and keeps the first that answers,
// as libcurl would pick it; the connection is the engine's first. Without one, the first
// address is kept and every request reports why it could not connect.
Fd preconnect(const model::Url& url, Endpoint& chosen, std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const auto port = std::to_string(url.effective_port());
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &list) != 0 || list == nullptr)
    return {};
  Fd kept;
  for (const addrinfo* a = list; a != nullptr && !kept; a = a->ai_next) {
    Fd fd(::socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd)
      continue;
    if (::connect(fd.get(), a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS)
        continue;
      pollfd p{fd.get(), POLLOUT, 0};
      const auto ms = static_cast<int>(std::min<std::int64_t>(timeout.count(), 2000));
      int err = 0;
      socklen_t len = sizeof err;
      if (::poll(&p, 1, ms) != 1 || ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
          err != 0)
        continue;
    }
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::memcpy(&chosen.addr, a->ai_addr, a->ai_addrlen);
    chosen.len = static_cast<socklen_t>(a->ai_addrlen);
    chosen.remote = server::format_address(chosen.addr);
    kept = std::move(fd);
  }
  ::freeaddrinfo(list);
  return kept;
}

// Runs the source on its own thread into the ring until the count is reached, the source
// ends, or the engine stops the ring.
void produce(const RequestSource& source, std::int64_t count, ReadyRing& ring) {
  try {
    Ready item; // after a push, holds the buffers of a request sent before: reused
    for (std::int64_t made = 0; count == 0 || made < count; ++made) {
      if (!source(item.request))
        break;
      item.serialise();
      if (!ring.push(item))
        break;
    }
    ring.close();
  } catch (...) {
    ring.close(std::current_exception());
  }
}

} // namespace

namespace {

// Origin-form target and Host value of a URL; parsed once per thread for the URL of the run.
struct WireTarget {
  std::string url;
  std::string target; // path[?query]
  std::string host;   // host[:port], IPv6 bracketed, default port left out
};

const WireTarget& wire_target(const std::string& url) {
  thread_local WireTarget cached;
  if (cached.url == url && !url.empty())
    return cached;
  const auto u = model::parse_target(url);
  WireTarget t;
  t.url = url;
  // An empty query ("/p?") still sends its '?', as libcurl does (a '?' before any '#' can
  // only start the query: the URL has no credentials, and a host holds none).
  const auto question = url.find('?');
  const bool asks = question != std::string::npos && question < url.find('#');
  t.target = asks ? u.path + "?" + u.query : u.path;
  t.host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != 0 &&
      !((u.scheme == "http" && u.port == 80) || (u.scheme == "https" && u.port == 443)))
    t.host += ":" + std::to_string(u.port);
  cached = std::move(t);
  return cached;
}

// The same rules as detail::unsafe_request (which gives the message), with a lookup table:
// method and header names are tokens, header values hold no CR, LF or NUL.
bool plainly_safe(const model::HttpRequest& request) noexcept {
  static const auto table = [] {
    std::array<bool, 256> t{};
    for (int c = 0x21; c < 0x7f; ++c)
      t[static_cast<std::size_t>(c)] =
          std::string_view("\"(),/:;<=>?@[\\]{}").find(static_cast<char>(c)) ==
          std::string_view::npos;
    return t;
  }();
  const auto token = [&](std::string_view s) {
    if (s.empty())
      return false;
    for (const char c : s)
      if (!table[static_cast<unsigned char>(c)])
        return false;
    return true;
  };
  if (!token(request.method))
    return false;
  for (const auto& h : request.headers) {
    if (!token(h.name))
      return false;
    for (const char c : h.value)
      if (c == '\r' || c == '\n' || c == '\0')
        return false;
  }
  return true;
}

// libcurl sends a header only when its value holds more than blanks (curl's ISSPACE); an
// empty value ("Name;" to libcurl) goes as "Name:".
bool libcurl_sends(const model::Header& h) noexcept {
  return h.value.empty() || h.value.find_first_not_of(" \t\n\v\f\r") != std::string::npos;
}

} // namespace

void serialise_request(const model::HttpRequest& request, std::string& out) {
  if (!plainly_safe(request)) {
    const auto reason = detail::unsafe_request(request);
    throw failure("refusing a request: " + reason.value_or("not an HTTP request"));
  }
  const auto& t = wire_target(request.url);
  // What the libcurl path sends (Transfer::prepare): HEAD is CURLOPT_NOBODY and a GET without
  // a body CURLOPT_HTTPGET, neither with a body nor a Content-Length; every other request
  // carries its body as CURLOPT_POSTFIELDS, with a Content-Length, 0 included.
  const bool bodyless =
      request.method == "HEAD" || (request.method == "GET" && request.body.empty());
  out.clear();
  out.reserve(request.body.size() + 512);
  out.append(request.method).append(" ").append(t.target).append(" HTTP/1.1\r\n");
  // Host comes first, as libcurl writes it: the request's own (its first one, under the name
  // "Host"), else the URL's.
  const auto host =
      std::find_if(request.headers.begin(), request.headers.end(),
                   [](const model::Header& h) { return util::iequals(h.name, "Host"); });
  if (host == request.headers.end())
    out.append("Host: ").append(t.host).append("\r\n");
  else
    out.append(host->value.empty() ? "Host:" : "Host: ").append(host->value).append("\r\n");
  bool has_length = false;
  for (const auto& h : request.headers) {
    if (util::iequals(h.name, "Content-Length"))
      has_length = true;
    if (util::iequals(h.name, "Host") || !libcurl_sends(h))
      continue;
    out.append(h.name);
    out.append(h.value.empty() ? ":" : ": ");
    out.append(h.value).append("\r\n");
  }
  if (!bodyless && !has_length)
    out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  out.append("\r\n");
  if (!bodyless)
    out.append(request.body);
}

bool engine_can_send(const std::string& url, const ClientOptions& client) {
  if (client.follow_redirects || url.empty())
    return false;
  try {
    return model::parse_target(url).scheme == "http";
  } catch (const std::exception&) {
    return false;
  }
}

EngineShape engine_shape(const LoadOptions& options) {
  const int concurrency = std::max(1, options.concurrency);
  const bool fresh = !options.same_request;
  if (fresh && !options.more_sources)
    return {1, 1}; // one source: one producer, one ring, one I/O thread
  const auto cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = options.threads > 0 ? options.threads : std::min(cores, kMaxDefaultIoThreads);
  threads = std::clamp(threads, 1, concurrency);
  if (!fresh)
    return {threads, 0};
  int producers = options.producers > 0 ? options.producers : threads;
  producers = std::max(producers, threads); // every I/O thread has a ring of its own
  return {threads, producers};
}

namespace {

// Joins threads when it goes, first telling the I/O threads to start nothing more and the
// producers to stop (when the run ends early on an exception).
struct Threads {
  Run& run;
  std::vector<std::unique_ptr<ReadyRing>>& rings;
  std::vector<std::thread> io;
  std::vector<std::thread> producers;
  Threads(Run& r, std::vector<std::unique_ptr<ReadyRing>>& all) : run(r), rings(all) {}
  Threads(const Threads&) = delete;
  Threads& operator=(const Threads&) = delete;
  ~Threads() {
    if (std::any_of(io.begin(), io.end(), [](const std::thread& t) { return t.joinable(); }))
      run.failed.store(true);
    for (auto& t : io)
      if (t.joinable())
        t.join();
    for (auto& ring : rings)
      ring->stop();
    for (auto& t : producers)
      if (t.joinable())
        t.join();
  }
};

// Several I/O threads: each runs its engine; the calling thread shows the progress (from the
// engines' tallies) until all are done, then merges their figures.
LoadStats run_threads(std::vector<std::unique_ptr<Engine>>& engines,
                      std::vector<std::vector<ReadyRing*>> rings_of, const Ready* fixed, Fd first,
                      Threads& threads, const LoadOptions& options,
                      const ProgressSink& on_progress) {
  const std::size_t n = engines.size();
  std::vector<LoadStats> results(n);
  std::vector<std::exception_ptr> errors(n);
  std::mutex mutex;
  std::condition_variable finished;
  std::size_t running = n;
  // The threads use what is above: they are joined before it goes, also on an exception.
  struct JoinIo {
    Threads& threads;
    ~JoinIo() {
      for (auto& t : threads.io)
        if (t.joinable()) {
          threads.run.failed.store(true);
          t.join();
        }
    }
  } join_io{threads};
  for (std::size_t t = 0; t < n; ++t) {
    Fd pre = t == 0 ? std::move(first) : Fd{};
    threads.io.emplace_back([&, t, pre = std::move(pre)]() mutable {
      try {
        results[t] = engines[t]->run(std::move(rings_of[t]), fixed, std::move(pre));
      } catch (...) {
        errors[t] = std::current_exception();
        threads.run.failed.store(true);
      }
      const std::lock_guard lock(mutex);
      --running;
      finished.notify_all();
    });
  }
  const auto report = [&](std::int64_t completed, std::int64_t failures) {
    if (on_progress)
      on_progress({completed, options.count, failures,
                   us_between(threads.run.start, Clock::now()) / 1000, options.duration_ms});
  };
  for (bool done = false; !done;) {
    {
      std::unique_lock lock(mutex);
      done = finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return running == 0; });
    }
    if (done)
      break;
    std::int64_t completed = 0;
    std::int64_t failures = 0;
    for (const auto& e : engines) {
      completed += e->tally().completed.load(std::memory_order_relaxed);
      failures += e->tally().failures.load(std::memory_order_relaxed);
    }
    report(completed, failures);
  }
  for (auto& t : threads.io)
    t.join();
  for (const auto& error : errors)
    if (error)
      std::rethrow_exception(error);
  LoadStats stats = std::move(results[0]);
  for (std::size_t t = 1; t < n; ++t)
    stats.merge(results[t]);
  std::int64_t failures = 0;
  for (const auto& e : engines)
    failures += e->tally().failures.load(std::memory_order_relaxed);
  report(stats.completed, failures);
  return stats;
}

} // namespace

std::optional<LoadStats> run_engine_load(const RequestSource& source, const ClientOptions& client,
                                         const LoadOptions& options,
                                         const ResponseSink& on_response,
                                         const ProgressSink& on_progress) {
  const auto url = model::parse_target(options.url);
  auto endpoint = resolve(url);
  if (!endpoint)
    return std::nullopt;
  Fd first = preconnect(url, *endpoint, client.timeout);
  const auto shape = engine_shape(options);
  const auto n = static_cast<std::size_t>(shape.threads);
  const auto concurrency = static_cast<std::size_t>(std::max(1, options.concurrency));

  Ready fixed;
  std::vector<RequestSource> sources;
  if (options.same_request) {
    if (!source(fixed.request))
      return LoadStats{};
    fixed.serialise();
  } else {
    for (int p = 1; p < shape.producers; ++p)
      sources.push_back(options.more_sources());
  }
  Run run;
  run.lock_sink = n > 1;
  std::vector<std::unique_ptr<Engine>> engines;
  for (std::size_t t = 0; t < n; ++t) // the connections split as evenly as they go
    engines.push_back(std::make_unique<Engine>(client, options, *endpoint,
                                               concurrency / n + (t < concurrency % n ? 1 : 0), run,
                                               on_response, n == 1 ? &on_progress : nullptr));
  std::vector<std::unique_ptr<ReadyRing>> rings;
  std::vector<std::vector<ReadyRing*>> rings_of(n); // ring r feeds I/O thread r % n
  const auto producers = static_cast<std::size_t>(std::max(1, shape.producers));
  const auto per_ring = (concurrency + producers - 1) / producers; // connections it feeds
  for (int p = 0; p < shape.producers; ++p) {
    rings.push_back(std::make_unique<ReadyRing>(std::clamp<std::size_t>(per_ring * 4, 64, 4096)));
    rings_of[static_cast<std::size_t>(p) % n].push_back(rings.back().get());
  }
  Threads threads(run, rings);
  for (int p = 0; p < shape.producers; ++p) {
    const RequestSource& from = p == 0 ? source : sources[static_cast<std::size_t>(p) - 1];
    auto& ring = *rings[static_cast<std::size_t>(p)];
    threads.producers.emplace_back(
        [&from, &ring, &options] { produce(from, options.count, ring); });
  }
  const Ready* fixed_request = options.same_request ? &fixed : nullptr;
  run.start = Clock::now();
  if (n == 1)
    return engines[0]->run(std::move(rings_of[0]), fixed_request, std::move(first));
  return run_threads(engines, std::move(rings_of), fixed_request, std::move(first), threads,
                     options, on_progress);
}

} // namespace hooktool::net
