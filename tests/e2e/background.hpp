#pragma once
// A long-running child process for end-to-end tests (`hooktool listen`): spawned with
// pipes on stdin (/dev/null), stdout and stderr; one reader thread collects both streams
// line by line and reaps the child. Tests wait on a condition variable for a line to
// appear, for the listener's port, or for the exit status — every wait is bounded, and
// nothing sleeps as a means of synchronisation.
//
// Lifetime rules:
//  * The destructor SIGKILLs a child that is still running (by its PID, never by name),
//    reaps it and joins the reader thread.
//  * The child is spawned with PR_SET_PDEATHSIG=SIGKILL, so it also dies if the test
//    process is killed (e.g. by a CTest timeout). Linux ties that signal to the *thread*
//    that forked: create Background objects on the test's own thread, not on a helper
//    thread that exits before the child should.
//  * PIDs are never signalled after the child was reaped (signalling and reaping happen
//    under the same mutex), so a recycled PID is never hit.

#include "process.hpp"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <optional>
#include <poll.h>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace e2e {

enum class Stream { out, err };

// The child's environment, built as for run_process (see ChildEnvironment).
struct BackgroundOptions : ChildEnvironment {};

// How the background child ended; timed_out: wait_exit's timeout passed and it was SIGKILLed.
struct ExitStatus : ChildStatus {
  [[nodiscard]] std::string describe() const { return status_text("TIMED OUT (killed)"); }
};

class Background {
public:
  Background(const std::string& program, const std::vector<std::string>& args,
             const BackgroundOptions& opts = {}) {
    detail::ignore_sigpipe_once();
    spawn(program, args, opts);
    reader_ = std::thread([this] { read_loop(); });
  }

  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  ~Background() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!reaped_)
        ::kill(pid_, SIGKILL);
    }
    wake_reader();
    if (reader_.joinable())
      reader_.join();
    detail::close_fd(wake_[0]);
    detail::close_fd(wake_[1]);
  }

  [[nodiscard]] pid_t pid() const { return pid_; }

  // True while the child has not been reaped.
  [[nodiscard]] bool running() const {
    std::lock_guard<std::mutex> lock(mu_);
    return !reaped_;
  }

  // Sends a signal to the child by PID; false when it is already gone.
  bool send_signal(int sig) {
    std::lock_guard<std::mutex> lock(mu_);
    if (reaped_)
      return false;
    return ::kill(pid_, sig) == 0;
  }

  // Waits for the child to exit. On timeout the child is SIGKILLed (and then reaped, bounded)
  // and the result says timed_out.
  ExitStatus wait_exit(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return reaped_; })) {
      ::kill(pid_, SIGKILL);
      lock.unlock();
      wake_reader();
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(10), [&] { return reaped_; });
      ExitStatus s = status_;
      s.timed_out = true;
      return s;
    }
    return status_;
  }

  // The first complete line of `stream` (from the start of the output) that matches `re`;
  // nullopt when `timeout` passes or the stream ends without one.
  std::optional<std::string> wait_for_line(Stream stream, const std::regex& re,
                                           std::chrono::milliseconds timeout) {
    return wait_line_where(stream, timeout,
                           [&](const std::string& line) { return std::regex_search(line, re); });
  }

  // Same, for a line that contains `needle`.
  std::optional<std::string> wait_for_text(Stream stream, std::string_view needle,
                                           std::chrono::milliseconds timeout) {
    return wait_line_where(stream, timeout, [&](const std::string& line) {
      return line.find(needle) != std::string::npos;
    });
  }

  // Waits until `stream` holds at least n complete lines; false on timeout or end of stream.
  bool wait_for_lines(Stream stream, std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    const auto& b = buf(stream);
    cv_.wait_for(lock, timeout, [&] { return b.lines.size() >= n || b.closed; });
    return b.lines.size() >= n;
  }

  // Parses "hooktool listening on http(s)://HOST:PORT" from stderr; -1 when it never came.
  int wait_port(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    static const std::regex kBanner(R"(hooktool listening on https?://[^ ]*:([0-9]+))");
    const auto line = wait_for_line(Stream::err, kBanner, timeout);
    if (!line)
      return -1;
    std::smatch m;
    if (!std::regex_search(*line, m, kBanner))
      return -1;
    port_ = std::stoi(m[1].str());
    return port_;
  }

  [[nodiscard]] int port() const { return port_; }

  // Complete lines so far.
  [[nodiscard]] std::vector<std::string> lines(Stream stream) const {
    std::lock_guard<std::mutex> lock(mu_);
    return buf(stream).lines;
  }
  [[nodiscard]] std::size_t line_count(Stream stream) const {
    std::lock_guard<std::mutex> lock(mu_);
    return buf(stream).lines.size();
  }
  // Everything received so far (complete lines plus any partial last line).
  [[nodiscard]] std::string text(Stream stream) const {
    std::lock_guard<std::mutex> lock(mu_);
    const auto& b = buf(stream);
    std::string s;
    for (const auto& l : b.lines)
      s += l + "\n";
    return s + b.partial;
  }
  [[nodiscard]] std::string out() const { return text(Stream::out); }
  [[nodiscard]] std::string err() const { return text(Stream::err); }

  // For assertion messages.
  [[nodiscard]] std::string describe() const {
    std::string s = "pid=" + std::to_string(pid_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      s += reaped_ ? " " + status_.describe() : " running";
    }
    auto o = out();
    if (o.size() > 4000)
      o = "…" + o.substr(o.size() - 4000);
    return s + "\n--- stdout ---\n" + o + "\n--- stderr ---\n" + err();
  }

private:
  struct Buffer {
    std::vector<std::string> lines; // complete lines, without '\n'
    std::string partial;            // bytes after the last '\n'
    bool closed = false;            // EOF (or the reader stopped)
  };

  Buffer& buf(Stream s) { return s == Stream::out ? out_ : err_; }
  [[nodiscard]] const Buffer& buf(Stream s) const { return s == Stream::out ? out_ : err_; }

  template <class Pred>
  std::optional<std::string> wait_line_where(Stream stream, std::chrono::milliseconds timeout,
                                             Pred&& pred) {
    std::unique_lock<std::mutex> lock(mu_);
    const auto& b = buf(stream);
    std::size_t next = 0; // lines already tested in this call are not tested again
    std::optional<std::string> found;
    cv_.wait_for(lock, timeout, [&] {
      for (; next < b.lines.size(); ++next)
        if (pred(b.lines[next])) {
          found = b.lines[next];
          return true;
        }
      return b.closed;
    });
    return found;
  }

  void wake_reader() {
    if (wake_[1] >= 0) {
      const char c = 'x';
      (void)!::write(wake_[1], &c, 1);
    }
  }

  void spawn(const std::string& program, const std::vector<std::string>& args,
             const BackgroundOptions& opts) {
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    const auto envp = detail::child_envp(opts);
    const auto argv = detail::child_argv(program, args);

    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    int exec_pipe[2] = {-1, -1}; // reports an execve failure (errno) to the parent
    detail::make_pipe(out_pipe);
    detail::make_pipe(err_pipe);
    detail::make_pipe(exec_pipe);
    detail::make_pipe(wake_);
    const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) {
      const int e = errno;
      for (int* fd :
           {&out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1], &exec_pipe[0], &exec_pipe[1]})
        detail::close_fd(*fd);
      detail::close_fd(wake_[0]);
      detail::close_fd(wake_[1]);
      if (devnull >= 0)
        ::close(devnull);
      throw std::runtime_error(std::string("fork: ") + std::strerror(e));
    }
    if (pid == 0) {
      // Child: async-signal-safe calls only.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent)
        ::_exit(127); // the parent died before prctl took effect
      struct sigaction sa;
      std::memset(&sa, 0, sizeof sa);
      sa.sa_handler = SIG_DFL;
      for (const int sig : {SIGPIPE, SIGINT, SIGTERM, SIGCHLD})
        ::sigaction(sig, &sa, nullptr);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      if ((devnull >= 0 && ::dup2(devnull, STDIN_FILENO) < 0) ||
          ::dup2(out_pipe[1], STDOUT_FILENO) < 0 || ::dup2(err_pipe[1], STDERR_FILENO) < 0) {
        const int e = errno;
        (void)!::write(exec_pipe[1], &e, sizeof e);
        ::_exit(127);
      }
#ifdef SYS_close_range
      // Do not leak the test's own sockets (e.g. a receiver's listening port) into the child;
      // keep only stdio and the exec-error pipe (close-on-exec anyway).
      const auto keep = static_cast<unsigned>(exec_pipe[1]);
      if (keep > 3)
        (void)::syscall(SYS_close_range, 3u, keep - 1, 0u);
      (void)::syscall(SYS_close_range, keep + 1, ~0u, 0u);
#endif
      if (!opts.cwd.empty() && ::chdir(opts.cwd.c_str()) != 0) {
        const int e = errno;
        (void)!::write(exec_pipe[1], &e, sizeof e);
        ::_exit(127);
      }
      ::execve(program.c_str(), argv.get(), envp.get());
      const int e = errno;
      (void)!::write(exec_pipe[1], &e, sizeof e);
      ::_exit(127);
    }

    pid_ = pid;
    if (devnull >= 0)
      ::close(devnull);
    detail::close_fd(out_pipe[1]);
    detail::close_fd(err_pipe[1]);
    detail::close_fd(exec_pipe[1]);
    // EOF on exec_pipe means execve succeeded (the CLOEXEC end closed); data means it failed.
    int child_errno = 0;
    ssize_t r = 0;
    do {
      r = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
    } while (r < 0 && errno == EINTR);
    detail::close_fd(exec_pipe[0]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
    if (r > 0) {
      (void)detail::reap(pid_);
      detail::close_fd(out_fd_);
      detail::close_fd(err_fd_);
      detail::close_fd(wake_[0]);
      detail::close_fd(wake_[1]);
      throw std::runtime_error("execve " + program + ": " + std::strerror(child_errno));
    }
  }

  void append(Stream stream, const char* data, std::size_t n) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& b = buf(stream);
      b.partial.append(data, n);
      std::size_t start = 0;
      for (auto nl = b.partial.find('\n'); nl != std::string::npos;
           nl = b.partial.find('\n', start)) {
        b.lines.push_back(b.partial.substr(start, nl - start));
        start = nl + 1;
      }
      b.partial.erase(0, start);
    }
    cv_.notify_all();
  }

  void close_stream(Stream stream) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      buf(stream).closed = true;
    }
    cv_.notify_all();
  }

  void read_loop() {
    bool woken = false;
    while ((out_fd_ >= 0 || err_fd_ >= 0) && !woken) {
      std::vector<pollfd> fds;
      if (out_fd_ >= 0)
        fds.push_back({out_fd_, POLLIN, 0});
      if (err_fd_ >= 0)
        fds.push_back({err_fd_, POLLIN, 0});
      fds.push_back({wake_[0], POLLIN, 0});
      const int n = ::poll(fds.data(), fds.size(), -1);
      if (n < 0) {
        if (errno == EINTR)
          continue;
        break;
      }
      for (const auto& p : fds) {
        if (p.revents == 0)
          continue;
        if (p.fd == wake_[0]) {
          // Stop only once the child is dead: drain what the pipes still hold, then leave.
          woken = true;
          continue;
        }
        char data[65536];
        const auto r = ::read(p.fd, data, sizeof data);
        const Stream s = p.fd == out_fd_ ? Stream::out : Stream::err;
        if (r > 0) {
          append(s, data, static_cast<std::size_t>(r));
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
          close_stream(s);
          detail::close_fd(s == Stream::out ? out_fd_ : err_fd_);
        }
      }
      if (woken) {
        // Woken by the destructor or wait_exit after a SIGKILL: drain without blocking.
        for (int* fd : {&out_fd_, &err_fd_}) {
          if (*fd < 0)
            continue;
          ::fcntl(*fd, F_SETFL, ::fcntl(*fd, F_GETFL) | O_NONBLOCK);
          char data[65536];
          for (;;) {
            const auto r = ::read(*fd, data, sizeof data);
            if (r <= 0)
              break;
            append(fd == &out_fd_ ? Stream::out : Stream::err, data, static_cast<std::size_t>(r));
          }
        }
      }
    }
    // Wait for the exit without reaping (WNOWAIT), then reap under the mutex so that
    // send_signal never targets a PID that may have been recycled.
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) < 0 &&
           errno == EINTR) {
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_.store(detail::reap(pid_));
      reaped_ = true;
      out_.closed = true;
      err_.closed = true;
    }
    cv_.notify_all();
    detail::close_fd(out_fd_);
    detail::close_fd(err_fd_);
  }

  pid_t pid_ = -1;
  int port_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::thread reader_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Buffer out_;
  Buffer err_;
  bool reaped_ = false;
  ExitStatus status_;
};

} // namespace e2e
