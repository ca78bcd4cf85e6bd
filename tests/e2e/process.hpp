#pragma once
// Runs the hooktool binary as a child process for end-to-end tests: argv, extra
// environment, optional stdin text; captures stdout, stderr and the exit status.
// Every child is bounded by a deadline and killed by its PID when it overruns, so a
// test can fail but never hang.

#include "temp_dir.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <regex>
#include <set>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>
#include <vector>

extern char** environ;

namespace e2e {

#ifdef HOOKTOOL_BIN
inline const std::string kHooktool = HOOKTOOL_BIN;
#endif

// How a child ended.
struct ChildStatus {
  int exit_code = -1;     // exit status, or -1 when ended by a signal / not reaped
  int term_signal = 0;    // the signal that ended the child, 0 when it exited
  bool timed_out = false; // a deadline passed and the child was SIGKILLed

  // Records a waitpid status: exit_code when the child exited, term_signal when killed.
  void store(int wait_status) {
    if (WIFEXITED(wait_status))
      exit_code = WEXITSTATUS(wait_status);
    else if (WIFSIGNALED(wait_status))
      term_signal = WTERMSIG(wait_status);
  }

  // "exit=N[ signal=S][ <timeout_note>]", for assertion messages.
  [[nodiscard]] std::string status_text(const std::string& timeout_note) const {
    std::string s = "exit=" + std::to_string(exit_code);
    if (term_signal != 0)
      s += " signal=" + std::to_string(term_signal);
    if (timed_out)
      s += " " + timeout_note;
    return s;
  }
};

struct ProcessResult : ChildStatus {
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};

  // Human-readable summary for assertion messages.
  [[nodiscard]] std::string describe() const {
    return status_text("TIMED OUT") + " elapsed=" + std::to_string(elapsed.count()) +
           "ms\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  }
};

// The environment a child gets: the inherited one, minus unset_env, with env overriding;
// colour is always off (NO_COLOR=1) unless env says otherwise.
struct ChildEnvironment {
  // Added to (or replacing in) the inherited environment. The user config is pointed at a
  // directory that does not exist, so a developer's ~/.config/hooktool cannot change a test.
  std::map<std::string, std::string> env{{"XDG_CONFIG_HOME", "/nonexistent/hooktool-tests"}};
  std::vector<std::string> unset_env{"HOOKTOOL_SECRET", "HOOKTOOL_TO", "HOOKTOOL_PORT",
                                     "HOOKTOOL_HOST"}; // removed from the inherited environment
  std::string cwd; // the child's working directory; empty: the test's own
};

struct ProcessOptions : ChildEnvironment {
  std::optional<std::string> stdin_text; // nullopt: stdin is /dev/null
  std::chrono::milliseconds timeout{std::chrono::seconds(20)};
};

namespace detail {

inline void ignore_sigpipe_once() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN); // a child that exits early must not kill the test on write
    return true;
  }();
  (void)done;
}

inline void make_pipe(int fds[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
}

inline void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// Owned strings and the NULL-terminated char* array that execve and posix_spawn take.
// Built before the child is started: after a fork, only async-signal-safe calls.
class CStrings {
public:
  explicit CStrings(std::vector<std::string> strings) : strings_(std::move(strings)) {
    ptrs_.reserve(strings_.size() + 1);
    for (auto& s : strings_)
      ptrs_.push_back(s.data());
    ptrs_.push_back(nullptr);
  }
  CStrings(const CStrings&) = delete;
  CStrings& operator=(const CStrings&) = delete;
  [[nodiscard]] char* const* get() const { return ptrs_.data(); }

private:
  std::vector<std::string> strings_;
  std::vector<char*> ptrs_;
};

// This test process's own state directory (development secrets), shared by every hooktool it
// starts, so that send -> listen verifies as for a user, while no test sees another's secrets
// or the developer's ~/.local/state/hooktool. Removed when the test process exits.
inline const std::string& test_state_dir() {
  static const TempDir dir;
  static const std::string path = dir.path().string();
  return path;
}

// envp for a child, as ChildEnvironment describes.
inline CStrings child_envp(const ChildEnvironment& opts) {
  std::map<std::string, std::string> env_map;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos)
      env_map[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : opts.unset_env)
    env_map.erase(name);
  env_map["NO_COLOR"] = "1";
  env_map["HOOKTOOL_STATE_DIR"] = test_state_dir();
  for (const auto& [k, v] : opts.env)
    env_map[k] = v;
  std::vector<std::string> env_strings;
  env_strings.reserve(env_map.size());
  for (const auto& [k, v] : env_map)
    env_strings.push_back(k + "=" + v);
  return CStrings(std::move(env_strings));
}

// argv for a child: the program, then args.
inline CStrings child_argv(const std::string& program, const std::vector<std::string>& args) {
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  return CStrings(std::move(argv_strings));
}

// Reaps the child (retrying on EINTR) and returns its wait status.
inline int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

} // namespace detail

// A loopback port nothing listens on right now (bound, read, closed).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Runs `program args...`; never blocks longer than opts.timeout (+ a short reap).
inline ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                                 const ProcessOptions& opts = {}) {
  detail::ignore_sigpipe_once();

  const auto envp = detail::child_envp(opts);
  const auto argv = detail::child_argv(program, args);

  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  detail::make_pipe(out_pipe);
  detail::make_pipe(err_pipe);
  if (opts.stdin_text)
    detail::make_pipe(in_pipe);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (opts.stdin_text)
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], STDIN_FILENO);
  else
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
  if (!opts.cwd.empty())
    posix_spawn_file_actions_addchdir_np(&fa, opts.cwd.c_str());

  // The child starts with default signal dispositions (SIGPIPE is ignored in the test).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  const auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &fa, &attr, argv.get(), envp.get());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  detail::close_fd(out_pipe[1]);
  detail::close_fd(err_pipe[1]);
  detail::close_fd(in_pipe[0]);
  if (rc != 0) {
    detail::close_fd(out_pipe[0]);
    detail::close_fd(err_pipe[0]);
    detail::close_fd(in_pipe[1]);
    throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
  }

  ProcessResult result;
  std::size_t stdin_written = 0;
  if (in_pipe[1] >= 0) {
    ::fcntl(in_pipe[1], F_SETFL, ::fcntl(in_pipe[1], F_GETFL) | O_NONBLOCK);
    if (opts.stdin_text->empty())
      detail::close_fd(in_pipe[1]);
  }
  const auto deadline = start + opts.timeout;

  while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    std::vector<pollfd> fds;
    if (out_pipe[0] >= 0)
      fds.push_back({out_pipe[0], POLLIN, 0});
    if (err_pipe[0] >= 0)
      fds.push_back({err_pipe[0], POLLIN, 0});
    if (in_pipe[1] >= 0)
      fds.push_back({in_pipe[1], POLLOUT, 0});
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      ::kill(pid, SIGKILL);
      break;
    }
    for (const auto& p : fds) {
      if (p.revents == 0)
        continue;
      if (p.fd == in_pipe[1]) {
        if ((p.revents & (POLLERR | POLLHUP)) != 0) {
          detail::close_fd(in_pipe[1]);
          continue;
        }
        const auto& text = *opts.stdin_text;
        const auto w =
            ::write(in_pipe[1], text.data() + stdin_written, text.size() - stdin_written);
        if (w > 0)
          stdin_written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || stdin_written == text.size())
          detail::close_fd(in_pipe[1]);
        continue;
      }
      char buf[65536];
      const auto r = ::read(p.fd, buf, sizeof buf);
      if (r > 0) {
        (p.fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (p.fd == out_pipe[0])
          detail::close_fd(out_pipe[0]);
        else
          detail::close_fd(err_pipe[0]);
      }
    }
  }
  detail::close_fd(out_pipe[0]);
  detail::close_fd(err_pipe[0]);
  detail::close_fd(in_pipe[1]);

  // Reap. If the child closed its pipes but lingers past the deadline, kill it: wait for
  // its exit on a pidfd (poll with the remaining time), then waitpid, which is then prompt.
  if (!result.timed_out) {
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
      for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) {
          result.timed_out = true;
          ::kill(pid, SIGKILL);
          break;
        }
        pollfd p{pidfd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (n > 0 || (n < 0 && errno != EINTR))
          break;
      }
      ::close(pidfd);
    }
  }
  const int status = detail::reap(pid);
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  result.store(status);
  return result;
}

#ifdef HOOKTOOL_BIN
// Runs hooktool with args.
inline ProcessResult hooktool(const std::vector<std::string>& args,
                              const ProcessOptions& opts = {}) {
  return run_process(kHooktool, args, opts);
}

// Runs hooktool with args and a deadline other than the default.
inline ProcessResult hooktool(const std::vector<std::string>& args,
                              std::chrono::milliseconds timeout) {
  ProcessOptions opts;
  opts.timeout = timeout;
  return run_process(kHooktool, args, opts);
}
#endif

// Non-empty lines of text.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos)
      nl = text.size();
    if (nl > pos)
      out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

// The subcommands a `--help` text lists: the first word of each line of its "Subcommands:"
// section (which ends at the first line that is not an indented entry).
inline std::vector<std::string> subcommands_in_help(const std::string& help) {
  std::vector<std::string> out;
  bool in_section = false;
  static const std::regex entry("^\\s+([a-z][a-z0-9-]*)(\\s|$)");
  for (const auto& line : lines_of(help)) {
    if (!in_section) {
      in_section = line == "Subcommands:";
      continue;
    }
    std::smatch m;
    if (!std::regex_search(line, m, entry))
      break;
    out.push_back(m[1].str());
  }
  return out;
}

// Every long flag the help text lists (without the leading dashes), except "help". Only
// the option column counts: the first word of an option's entry ("  -H,--header TEXT"),
// not a flag a description mentions (replay's "from listen --capture or send --save", or
// a description wrapped onto its own, deeply indented, line).
inline std::set<std::string> long_flags_in_help(const std::string& help) {
  std::set<std::string> out;
  static const std::regex entry("^ {1,8}(-[^\\s]+)");
  static const std::regex re("--([a-z0-9][a-z0-9-]*)");
  for (const auto& line : lines_of(help)) {
    std::smatch m;
    if (!std::regex_search(line, m, entry))
      continue;
    const std::string names = m[1].str();
    for (auto it = std::sregex_iterator(names.begin(), names.end(), re);
         it != std::sregex_iterator(); ++it) {
      std::string name = (*it)[1].str();
      while (!name.empty() && name.back() == '-')
        name.pop_back();
      if (!name.empty() && name != "help")
        out.insert(name);
    }
  }
  return out;
}

#ifdef HOOKTOOL_BIN
// The subcommands of the built hooktool, from `hooktool --help`.
inline const std::vector<std::string>& hooktool_subcommands() {
  static const std::vector<std::string> subs = subcommands_in_help(hooktool({"--help"}).out);
  return subs;
}
#endif

} // namespace e2e
