#include "net/event_loop.hpp"

#include "net/server_socket.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

namespace hooktool::net::server {

namespace {

using namespace std::chrono_literals;

// epoll keys: the listening socket, the stop eventfd, the pool's eventfd; connections are
// (generation << 32 | slot + kFirstSlotKey), so an event or an answer for a connection that
// was closed (and whose slot was reused) is recognised as stale.
constexpr std::uint64_t kListenKey = 0;
constexpr std::uint64_t kWakeKey = 1;
constexpr std::uint64_t kPoolKey = 2;
constexpr std::uint64_t kFirstSlotKey = 3;

constexpr std::size_t kReadChunk = 64u << 10;
constexpr std::size_t kAcceptBatch = 64;         // then back to the other events
constexpr auto kSweepEvery = 100ms;              // deadline resolution
constexpr auto kLinger = 1s;                     // reading (and dropping) after a refusal
constexpr auto kDrain = 500ms;                   // answers still written after stop()
constexpr std::size_t kReservedDescriptors = 64; // capture file, curl sockets, stdio, …

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::seconds seconds(int s) {
  return std::chrono::seconds(std::max(1, s));
}

} // namespace

struct EventLoop::Connection {
  enum class Phase {
    reading,  // reading a request (or idle between requests)
    handling, // a request is with the workers; nothing more is read meanwhile
    lingering // answered and shut for writing; reading and dropping until EOF or kLinger
  };

  std::uint64_t key = 0;
  Fd fd;
  std::unique_ptr<Transport> io;
  std::string remote;
  RequestReader reader;
  std::string pending; // bytes read past a complete request (pipelined), not yet parsed
  std::string out;     // bytes to write
  std::size_t out_sent = 0;
  Phase phase = Phase::reading;
  bool close_after_write = false;
  // Edge-triggered readiness: set by epoll, cleared when a call would block. TLS can need the
  // other direction (a read that must write, a write that must read): *_needs_* record that.
  bool can_read = true;
  bool can_write = true;
  bool read_needs_write = false;
  bool write_needs_read = false;
  // The request in flight (for its answer).
  bool head = false;
  bool keep_alive = true;
  int minor_version = 1;
  // Absolute deadlines; time_point{} when not armed.
  Clock::time_point idle_since{};
  Clock::time_point head_deadline{};
  Clock::time_point request_deadline{};
  Clock::time_point write_deadline{};
  Clock::time_point linger_deadline{};

  explicit Connection(ReaderLimits limits) : reader(limits) {}
  [[nodiscard]] bool idle() const noexcept {
    return phase == Phase::reading && !reader.started() && pending.empty() &&
           out_sent == out.size();
  }
};

EventLoop::EventLoop(ServerOptions options, RequestHandler on_request, RejectHandler on_reject,
                     bool accepting, std::size_t connection_share)
    : options_(std::move(options)), on_reject_(std::move(on_reject)),
      pool_(options_.workers, std::move(on_request), options_.handler_marks_waits) {
  const auto& o = options_;
  limits_ = {o.max_header_bytes, o.max_headers, o.max_body};
  if (o.tls)
    tls_ = std::make_unique<TlsContext>(*o.tls);

  // Each client holds a descriptor: the soft limit (often 1024) would refuse connections long
  // before the cap does, so raise it, and keep the cap below it.
  const auto files = raise_open_file_limit();
  max_connections_ = std::max<std::size_t>(
      1, std::min(o.max_connections, files > kReservedDescriptors + o.workers
                                         ? files - kReservedDescriptors - o.workers
                                         : 1) /
             std::max<std::size_t>(1, connection_share));

  if (accepting)
    listener_ = listen_tcp(o.host, o.port, port_);
  epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  reserve_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!epoll_ || !wake_)
    throw failure(std::string("cannot set up the event loop: ") + std::strerror(errno));
  const auto add = [this](int fd, std::uint64_t key) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = key;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      throw failure(std::string("cannot set up the event loop: ") + std::strerror(errno));
  };
  if (listener_)
    add(listener_.get(), kListenKey); // level-triggered: accepts continue on the next round
  add(wake_.get(), kWakeKey);
  add(pool_.notify_fd(), kPoolKey);
  buffer_.resize(kReadChunk);
  if (o.handle_inline && o.rounds)
    round_ = o.rounds();
}

EventLoop::~EventLoop() {
  slots_.clear(); // close every connection before the pool (and its threads) go
  pool_.shutdown();
}

void EventLoop::stop() noexcept {
  stop_requested_ = true;
  const std::uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void EventLoop::run() {
  std::array<epoll_event, 256> events{};
  auto next_sweep = Clock::now() + kSweepEvery;
  for (;;) {
    const auto wait_ms = std::max<long long>(
        0,
        std::chrono::duration_cast<std::chrono::milliseconds>(next_sweep - Clock::now()).count() +
            1);
    const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                               static_cast<int>(wait_ms));
    if (n < 0 && errno != EINTR)
      throw failure(std::string("event loop: ") + std::strerror(errno));
    const auto now = Clock::now();
    for (int i = 0; i < n; ++i) {
      const auto key = events[static_cast<std::size_t>(i)].data.u64;
      if (key == kListenKey) {
        if (!stopping_)
          accept_all(now);
      } else if (key == kWakeKey) {
        std::uint64_t count = 0;
        (void)!::read(wake_.get(), &count, sizeof count);
        take_adopted(now);
      } else if (key == kPoolKey) {
        take_answers(now);
      } else {
        on_event(key, events[static_cast<std::size_t>(i)].events, now);
      }
    }
    settle_round(now);
    // One hand-over per round: one lock and one wake-up for every request read in it.
    pool_.submit(jobs_);
    if (pool_.queued() > 0)
      pool_.grow_if_stalled(now);
    if (stop_requested_ && !stopping_)
      begin_stop(now);
    if (now >= next_sweep) {
      sweep(now);
      next_sweep = now + kSweepEvery;
    }
    // Done once no handler is running (so no worker touches the handler's state after join)
    // and every answer went out, or the drain time is over.
    if (stopping_ && in_flight_ == 0 && (open_ == 0 || now >= drain_deadline_))
      break;
  }
  for (auto& slot : slots_)
    if (slot)
      close(*slot);
}

void EventLoop::accept_all(Clock::time_point now) {
  for (std::size_t i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    Fd fd(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len,
                    SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: make room, or at least take the connection off the queue (it
        // would otherwise keep the listening socket readable and spin the loop).
        if (evict_one())
          continue;
        if (reserve_) {
          reserve_.reset();
          const Fd dropped(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
          reserve_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
          continue;
        }
      }
      return; // EAGAIN: the queue is empty
    }
    // The loop with the fewest connections takes it (this one on a tie).
    EventLoop* target = this;
    for (auto* peer : peers_)
      if (peer->open_connections() < target->open_connections())
        target = peer;
    if (target == this)
      take_in(std::move(fd), addr, now);
    else
      target->adopt(std::move(fd), addr);
  }
}

void EventLoop::adopt(Fd fd, const sockaddr_storage& addr) {
  incoming_.fetch_add(1, std::memory_order_relaxed);
  {
    const std::lock_guard lock(inbox_mu_);
    inbox_.emplace_back(std::move(fd), addr);
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void EventLoop::take_adopted(Clock::time_point now) {
  std::vector<std::pair<Fd, sockaddr_storage>> arrived;
  {
    const std::lock_guard lock(inbox_mu_);
    arrived.swap(inbox_);
  }
  incoming_.fetch_sub(arrived.size(), std::memory_order_relaxed);
  for (auto& [fd, addr] : arrived)
    if (!stopping_)
      take_in(std::move(fd), addr, now); // else closed here (RAII)
}

void EventLoop::take_in(Fd fd, const sockaddr_storage& addr, Clock::time_point now) {
  // At the cap, the oldest idle connection makes room for the new one (a new delivery
  // matters more than a connection kept open for a request that may never come).
  if (open_ >= max_connections_ && !evict_one())
    return; // every connection is busy with a request: refuse this one (closed by RAII)
  const int yes = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);

  std::uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    generations_.push_back(0);
  }
  auto c = std::make_unique<Connection>(limits_);
  c->key = (static_cast<std::uint64_t>(++generations_[slot]) << 32) | (slot + kFirstSlotKey);
  c->remote = format_address(addr);
  c->idle_since = now;
  try {
    c->io = tls_ ? tls_->wrap(fd.get()) : make_plain_transport(fd.get());
  } catch (const Error&) {
    free_slots_.push_back(slot);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = c->key;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev) != 0) {
    free_slots_.push_back(slot);
    return;
  }
  c->fd = std::move(fd);
  slots_[slot] = std::move(c);
  ++open_;
}

bool EventLoop::evict_one() {
  // Oldest idle first; failing that, the request that has been arriving the longest (its
  // deadline would end it anyway). A connection whose request is being handled is kept.
  Connection* victim = nullptr;
  bool victim_idle = false;
  for (auto& slot : slots_) {
    if (!slot || slot->phase == Connection::Phase::handling)
      continue;
    const bool idle = slot->idle() || slot->phase == Connection::Phase::lingering;
    if (victim == nullptr || (idle && !victim_idle) ||
        (idle == victim_idle && slot->idle_since < victim->idle_since)) {
      victim = slot.get();
      victim_idle = idle;
    }
  }
  if (victim == nullptr)
    return false;
  close(*victim);
  return true;
}

EventLoop::Connection* EventLoop::find(std::uint64_t key) noexcept {
  const auto slot = static_cast<std::size_t>((key & 0xffffffffu) - kFirstSlotKey);
  if (slot >= slots_.size() || !slots_[slot] || slots_[slot]->key != key)
    return nullptr;
  return slots_[slot].get();
}

void EventLoop::on_event(std::uint64_t key, std::uint32_t events, Clock::time_point now) {
  Connection* c = find(key);
  if (c == nullptr)
    return; // closed earlier in this round
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
    c->can_read = true;
    if (c->write_needs_read)
      c->can_write = true;
  }
  if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
    c->can_write = true;
    if (c->read_needs_write)
      c->can_read = true;
  }
  drive(*c, now);
}

// Moves a connection as far as its readiness allows: write what is queued, then read and
// parse; stops when a call would block, a request goes to the workers, or it closes.
void EventLoop::drive(Connection& c, Clock::time_point now) {
  const auto key = c.key;
  for (;;) {
    if (c.out_sent < c.out.size() && !flush(c))
      return; // blocked, or closed
    if (c.phase == Connection::Phase::lingering)
      return linger(c);
    if (c.close_after_write)
      return begin_close(c, now);
    if (c.phase == Connection::Phase::handling)
      return;
    if (stopping_)
      return close(c);
    // Pipelined bytes first: they arrived before anything still in the socket.
    if (!c.pending.empty()) {
      std::string data = std::move(c.pending);
      c.pending.clear();
      if (!consume(c, data, now))
        continue;
    }
    if (!c.can_read)
      return;
    const auto r = c.io->read(buffer_.data(), buffer_.size());
    switch (r.status) {
    case IoResult::Status::ok:
      // A short read emptied the socket: with edge-triggered epoll the next bytes to arrive
      // raise a new event, so reading again now would only meet EAGAIN (a system call per
      // request). Not for TLS: a record may still be buffered inside the TLS layer.
      if (!tls_ && r.n < buffer_.size())
        c.can_read = false;
      (void)consume(c, std::string_view(buffer_.data(), r.n), now);
      break;
    case IoResult::Status::want_read:
      c.can_read = false;
      c.read_needs_write = false;
      return;
    case IoResult::Status::want_write:
      c.can_read = false;
      c.read_needs_write = true;
      return;
    case IoResult::Status::eof:
    case IoResult::Status::error:
      // A peer that leaves mid-request sent nothing to answer; an idle one just left.
      return close(c);
    }
    if (find(key) == nullptr)
      return;
  }
}

// Feeds bytes to the reader; false when it produced something to act on (an answer to write,
// a request dispatched), true when it wants more bytes.
bool EventLoop::consume(Connection& c, std::string_view data, Clock::time_point now) {
  const bool was_started = c.reader.started();
  const auto used = c.reader.feed(data);
  if (!was_started && c.reader.started()) {
    // The deadlines run from the request's first byte and are never moved by later bytes.
    c.head_deadline = now + seconds(options_.read_timeout_s);
    c.request_deadline = now + seconds(options_.request_timeout_s);
  }
  if (c.reader.take_continue()) {
    c.out.append(kContinue);
    c.write_deadline = now + seconds(options_.write_timeout_s);
  }
  if (c.reader.failed()) {
    const auto& e = c.reader.error();
    refuse(c, e.status, e.reason, true);
    return false;
  }
  if (c.reader.complete()) {
    if (used < data.size())
      c.pending.assign(data.substr(used));
    dispatch(c);
    return false;
  }
  if (c.reader.reading_body())
    c.head_deadline = {};
  return c.out_sent == c.out.size();
}

void EventLoop::dispatch(Connection& c) {
  ParsedRequest parsed = c.reader.take();
  c.head_deadline = {};
  c.request_deadline = {};
  c.phase = Connection::Phase::handling;
  c.head = parsed.method == "HEAD";
  c.keep_alive = parsed.keep_alive;
  c.minor_version = parsed.minor_version;

  Job job;
  job.connection = c.key;
  job.head = c.head;
  job.keep_alive = c.keep_alive;
  job.minor_version = c.minor_version;
  auto& in = job.request;
  const auto q = parsed.target.find('?');
  in.path = parsed.target.substr(0, q);
  if (q != std::string::npos)
    in.query = parsed.target.substr(q + 1);
  in.method = std::move(parsed.method);
  in.target = std::move(parsed.target);
  in.headers = std::move(parsed.headers);
  in.body = std::move(parsed.body);
  in.remote = c.remote;
  in.tls = tls_ != nullptr;
  if (options_.handle_inline && options_.handle_inline()) {
    // Nothing to wait for: answered here, with no hand-over to a worker and back; with a round
    // handler at the end of the round (settle_round), else now (drive(), which read the
    // request, writes the answer).
    if (round_) {
      held_.push_back({c.key, c.head, c.keep_alive, c.minor_version});
      try {
        round_->begin(std::move(job.request));
      } catch (...) { // NOLINT(bugprone-empty-catch): must not throw; finish() still answers
      }
      return;
    }
    answered(c, pool_.handle(job), Clock::now());
    return;
  }
  ++in_flight_;
  jobs_.push_back(std::move(job));
}

void EventLoop::refuse(Connection& c, int status, std::string_view reason, bool report) {
  if (report && on_reject_) {
    try {
      on_reject_(status, c.remote);
    } catch (...) { // NOLINT(bugprone-empty-catch): a report must not stop the loop
    }
  }
  c.pending.clear();
  c.out.append(error_response(status, reason));
  c.close_after_write = true;
  c.head_deadline = {};
  c.request_deadline = {};
  c.write_deadline = Clock::now() + seconds(options_.write_timeout_s);
}

bool EventLoop::flush(Connection& c) {
  while (c.out_sent < c.out.size()) {
    if (!c.can_write)
      return false;
    const auto r = c.io->write(c.out.data() + c.out_sent, c.out.size() - c.out_sent);
    switch (r.status) {
    case IoResult::Status::ok:
      c.out_sent += r.n;
      break;
    case IoResult::Status::want_write:
      c.can_write = false;
      c.write_needs_read = false;
      return false;
    case IoResult::Status::want_read:
      c.can_write = false;
      c.write_needs_read = true;
      return false;
    case IoResult::Status::eof:
    case IoResult::Status::error:
      close(c);
      return false;
    }
  }
  c.out.clear();
  c.out_sent = 0;
  if (c.out.capacity() > kReadChunk)
    std::string().swap(c.out); // one large answer does not pin its buffer
  c.write_deadline = {};
  return true;
}

// After an answer that ends the connection: shut the sending side and read until the client
// closes, so that bytes it is still sending (a body we refused) do not make the kernel reset
// the connection and destroy the answer before the client has read it.
void EventLoop::begin_close(Connection& c, Clock::time_point now) {
  c.close_after_write = false;
  if (stopping_)
    return close(c);
  c.io->shutdown_write();
  c.phase = Connection::Phase::lingering;
  c.linger_deadline = now + kLinger;
  linger(c);
}

void EventLoop::linger(Connection& c) {
  for (;;) {
    // Raw reads: after a refusal nothing more is parsed, TLS records included.
    const auto r = ::recv(c.fd.get(), buffer_.data(), buffer_.size(), 0);
    if (r > 0)
      continue;
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      c.can_read = false;
      return;
    }
    return close(c); // EOF or error
  }
}

void EventLoop::close(Connection& c) {
  const auto slot = static_cast<std::uint32_t>((c.key & 0xffffffffu) - kFirstSlotKey);
  // Closing the descriptor removes it from the epoll set; an answer still coming from a
  // worker finds the key stale and is dropped.
  slots_[slot].reset();
  free_slots_.push_back(slot);
  --open_;
}

void EventLoop::take_answers(Clock::time_point now) {
  pool_.take_done(answers_);
  for (auto& done : answers_) {
    --in_flight_;
    Connection* c = find(done.connection);
    if (c == nullptr)
      continue; // the client left, or the loop is stopping
    answered(*c, std::move(done), now);
    drive(*c, now);
  }
  answers_.clear();
}

void EventLoop::settle_round(Clock::time_point now) {
  while (!held_.empty()) {
    settling_.swap(held_); // answering may read pipelined requests: they go in held_ again
    round_answers_.clear();
    try {
      round_->finish(round_answers_);
    } catch (...) { // NOLINT(bugprone-empty-catch): answered 500 below
    }
    for (std::size_t i = 0; i < settling_.size(); ++i) {
      const auto& h = settling_[i];
      Done done;
      done.connection = h.connection;
      done.close = !h.keep_alive;
      static const OutgoingResponse internal_error{500, {}, "hooktool: internal error\n"};
      done.bytes =
          serialize_response(i < round_answers_.size() ? round_answers_[i] : internal_error, h.head,
                             done.close, h.minor_version);
      Connection* c = find(h.connection);
      if (c == nullptr)
        continue; // closed meanwhile (cannot happen while handling, but stay safe)
      answered(*c, std::move(done), now);
      drive(*c, now);
    }
    settling_.clear();
  }
}

void EventLoop::answered(Connection& c, Done&& done, Clock::time_point now) {
  if (c.out.empty())
    c.out = std::move(done.bytes);
  else
    c.out.append(done.bytes);
  c.phase = Connection::Phase::reading;
  c.close_after_write = done.close;
  c.idle_since = now;
  c.write_deadline = now + seconds(options_.write_timeout_s);
}

void EventLoop::sweep(Clock::time_point now) {
  const auto idle_limit = seconds(options_.keep_alive_timeout_s);
  const auto passed = [now](Clock::time_point deadline) {
    return deadline != Clock::time_point{} && now >= deadline;
  };
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    auto* c = slots_[i].get();
    if (c == nullptr)
      continue;
    if (c->phase == Connection::Phase::lingering) {
      if (passed(c->linger_deadline))
        close(*c);
    } else if (c->out_sent < c->out.size() && passed(c->write_deadline)) {
      close(*c); // the client does not read its answer
    } else if (c->phase == Connection::Phase::handling) {
      continue;
    } else if (stopping_ && passed(drain_deadline_)) {
      close(*c);
    } else if (c->idle()) {
      if (now - c->idle_since >= idle_limit)
        close(*c);
    } else if (passed(c->head_deadline) || passed(c->request_deadline)) {
      // Too slow: a trickle of bytes does not move these deadlines. Answered, not reported
      // as a malformed request.
      refuse(*c, 408, "request not received in time", false);
      drive(*c, now);
    }
  }
}

void EventLoop::begin_stop(Clock::time_point now) {
  stopping_ = true;
  drain_deadline_ = now + kDrain;
  if (listener_)
    (void)::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
  listener_.reset();
  for (auto& slot : slots_)
    if (slot && slot->phase != Connection::Phase::handling && slot->out_sent == slot->out.size())
      close(*slot);
}

} // namespace hooktool::net::server
