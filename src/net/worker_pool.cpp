#include "net/worker_pool.hpp"

#include "net/request_reader.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <system_error>
#include <thread>

namespace hooktool::net::server {

namespace {

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
  case 100:
    return "Continue";
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 301:
    return "Moved Permanently";
  case 302:
    return "Found";
  case 304:
    return "Not Modified";
  case 307:
    return "Temporary Redirect";
  case 308:
    return "Permanent Redirect";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "Content Too Large";
  case 415:
    return "Unsupported Media Type";
  case 422:
    return "Unprocessable Content";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  case 505:
    return "HTTP Version Not Supported";
  case 507:
    return "Insufficient Storage";
  default:
    return "Status";
  }
}

// A header the handler may set: a token name, a value with no CR, LF or NUL (which would end
// the header early and let a forwarded handler's answer inject headers), and not one of the
// framing headers this server writes itself.
bool relayable(const model::Header& h) noexcept {
  if (h.name.empty() || !std::all_of(h.name.begin(), h.name.end(), [](char c) {
        return is_tchar(static_cast<unsigned char>(c));
      }))
    return false;
  if (h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
    return false;
  for (const auto* framing : {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive"})
    if (util::iequals(h.name, framing))
      return false;
  return true;
}

void append_status_line(std::string& out, int status) {
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
}

} // namespace

std::string serialize_response(const OutgoingResponse& response, bool head, bool close,
                               int minor_version) {
  const int status = response.status;
  // RFC 9110 §6.4.1: 1xx, 204 and 304 carry no body (and 1xx/204 no Content-Length).
  const bool no_body = (status >= 100 && status < 200) || status == 204 || status == 304;
  std::string out;
  out.reserve(128 + response.body.size());
  append_status_line(out, status);
  bool has_type = false;
  for (const auto& h : response.headers) {
    if (!relayable(h))
      continue;
    has_type = has_type || util::iequals(h.name, "Content-Type");
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  if (!has_type && !response.body.empty() && !no_body)
    out += "Content-Type: text/plain\r\n";
  if (!no_body || status == 304) {
    out += "Content-Length: ";
    out += std::to_string(no_body ? 0 : response.body.size());
    out += "\r\n";
  }
  if (close)
    out += "Connection: close\r\n";
  else if (minor_version == 0)
    out += "Connection: keep-alive\r\n";
  out += "\r\n";
  if (!head && !no_body)
    out += response.body;
  return out;
}

std::string error_response(int status, std::string_view reason) {
  std::string body = "hooktool: ";
  body += reason;
  body += '\n';
  std::string out;
  append_status_line(out, status);
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

WorkerPool::WorkerPool(std::size_t max_threads, RequestHandler handler, bool grow_only_when_waiting)
    : max_threads_(std::max<std::size_t>(1, max_threads)),
      core_threads_(
          std::min<std::size_t>(max_threads_, std::max(2u, std::thread::hardware_concurrency()))),
      grow_only_when_waiting_(grow_only_when_waiting), handler_(std::move(handler)),
      notify_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!notify_)
    throw failure(std::string("cannot create an eventfd: ") + std::strerror(errno));
}

namespace {
thread_local WorkerPool* t_pool = nullptr; // set on the pool's own worker threads
} // namespace

WorkerPool* WorkerPool::current() noexcept {
  return t_pool;
}

WorkerPool::~WorkerPool() {
  shutdown();
}

void WorkerPool::submit(std::vector<Job>& jobs) {
  const auto n = jobs.size();
  if (n == 0)
    return;
  {
    const std::lock_guard lock(mu_);
    const auto now = Clock::now();
    for (auto& job : jobs) {
      job.queued = now;
      jobs_.push_back(std::move(job));
    }
    queued_.store(jobs_.size(), std::memory_order_relaxed);
    while (jobs_.size() > idle_ && threads_.size() < core_threads_)
      spawn();
  }
  jobs.clear();
  if (n == 1)
    cv_.notify_one();
  else
    cv_.notify_all();
}

void WorkerPool::grow_if_stalled(Clock::time_point now) {
  const std::lock_guard lock(mu_);
  if (!jobs_.empty() && idle_ == 0 && threads_.size() < max_threads_ &&
      (!grow_only_when_waiting_ || waiting() > 0) && now - jobs_.front().queued >= kStall)
    spawn();
}

void WorkerPool::spawn() {
  try {
    threads_.emplace_back([this] { run(); });
  } catch (const std::system_error&) {
    // Out of threads: the ones running take the queue in turn; with none at all nothing could.
    if (threads_.empty())
      throw;
  }
}

void WorkerPool::take_done(std::vector<Done>& out) {
  out.clear();
  std::uint64_t count = 0;
  (void)!::read(notify_.get(), &count, sizeof count); // resets the counter; EAGAIN when zero
  const std::lock_guard lock(done_mu_);
  out.swap(done_);
}

void WorkerPool::shutdown() {
  std::vector<std::thread> threads;
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads)
    t.join();
}

void WorkerPool::run() {
  t_pool = this;
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty())
      return; // stopping, and nothing left to do
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    queued_.store(jobs_.size(), std::memory_order_relaxed);
    lock.unlock();
    Done done = handle(job);
    bool was_empty = false;
    {
      const std::lock_guard done_lock(done_mu_);
      was_empty = done_.empty();
      done_.push_back(std::move(done));
    }
    // One wake-up per batch: the loop takes everything queued since its last read.
    if (was_empty) {
      const std::uint64_t one = 1;
      (void)!::write(notify_.get(), &one, sizeof one);
    }
    lock.lock();
  }
}

Done WorkerPool::handle(Job& job) {
  Done done;
  done.connection = job.connection;
  done.close = !job.keep_alive;
  OutgoingResponse response;
  try {
    response = handler_(std::move(job.request));
  } catch (...) {
    // The handler must not throw; if it does, the client still gets an answer.
    response = {500, {}, "hooktool: internal error\n"};
  }
  done.bytes = serialize_response(response, job.head, done.close, job.minor_version);
  return done;
}

} // namespace hooktool::net::server

namespace hooktool::net {

BlockingScope::BlockingScope() noexcept : pool_(server::WorkerPool::current()) {
  if (pool_ != nullptr)
    pool_->enter_wait();
}

BlockingScope::~BlockingScope() {
  if (pool_ != nullptr)
    pool_->leave_wait();
}

} // namespace hooktool::net
