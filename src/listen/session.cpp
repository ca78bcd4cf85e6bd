#include "listen/session.hpp"

#include "crypto/tls_cert.hpp"
#include "model/url.hpp"
#include "net/loopback.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace hooktool::listen {

void Tally::count_outcomes(const std::vector<const core::CaptureRecord*>& records) {
  const std::lock_guard lock(mutex_);
  for (const auto* record : records) {
    if (record->response_status)
      ++answered_[*record->response_status];
    if (record->forward) {
      if (record->forward->status)
        ++forward_answered_[*record->forward->status];
      else
        ++forward_failed_[record->forward->error_kind.empty() ? "other"
                                                              : record->forward->error_kind];
    }
  }
}

namespace {

// "200 ×2, 500 ×1".
template <typename Key> std::string counts_of(const std::map<Key, long long>& counts) {
  std::string out;
  for (const auto& [key, n] : counts) {
    if (!out.empty())
      out += ", ";
    if constexpr (std::is_same_v<Key, std::string>)
      out += key;
    else
      out += std::to_string(key);
    out += " ×" + std::to_string(n);
  }
  return out;
}

long long sum_of(const auto& counts) {
  long long n = 0;
  for (const auto& entry : counts)
    n += entry.second;
  return n;
}

} // namespace

std::string Tally::summary() const {
  std::string out = std::to_string(total.load()) + (total == 1 ? " delivery" : " deliveries");
  std::string parts;
  for (const auto s :
       {model::VerdictStatus::valid, model::VerdictStatus::invalid, model::VerdictStatus::expired,
        model::VerdictStatus::unsigned_, model::VerdictStatus::unverified}) {
    const auto n = by_status[static_cast<std::size_t>(s)].load();
    if (n > 0)
      parts +=
          (parts.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(model::to_string(s));
  }
  if (!parts.empty())
    out += ": " + parts;
  if (duplicates > 0)
    out +=
        "; " + std::to_string(duplicates.load()) + (duplicates == 1 ? " duplicate" : " duplicates");
  const std::lock_guard lock(mutex_);
  if (!answered_.empty())
    out += "; answered " + counts_of(answered_);
  const long long forwarded = sum_of(forward_answered_) + sum_of(forward_failed_);
  if (forwarded > 0) {
    out += "; forwarded " + std::to_string(forwarded) + ":";
    if (!forward_answered_.empty())
      out += " handler answered " + counts_of(forward_answered_);
    if (!forward_failed_.empty())
      out += std::string(forward_answered_.empty() ? "" : ",") + " " +
             std::to_string(sum_of(forward_failed_)) + " failed (" + counts_of(forward_failed_) +
             ")";
  }
  if (rejected > 0)
    out += "; " + std::to_string(rejected.load()) + " rejected by the server";
  if (capture_errors > 0)
    out += "; " + std::to_string(capture_errors.load()) + " NOT captured";
  if (not_shown > 0)
    out += "; " + std::to_string(not_shown.load()) + " NOT shown (answered 503)";
  if (filtered > 0)
    out += "; " + std::to_string(filtered.load()) + " not shown (--events)";
  return out;
}

namespace {

// Signals are taken through a signalfd by the waiting thread only: block them before any thread
// starts, so every later thread inherits the mask.
int block_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return ::signalfd(-1, &signals, SFD_CLOEXEC);
}

bool loopback_url(const std::string& url) {
  try {
    return net::is_loopback_host(model::parse_target(url).host);
  } catch (const Error&) {
    return false;
  }
}

} // namespace

Session::Session(SessionConfig config)
    : config_(std::move(config)), inspector_(config_.inspector),
      responder_(config_.routes, config_.simulation, config_.forward_timeout, config_.host_header),
      terminal_(config_.format, ui::ViewOptions{}) {
  responder_.set_forward_headers(config_.forward_headers);
  if (config_.server.tls)
    fingerprint_ = crypto::fingerprint_sha256(config_.server.tls->cert.get());
  if (!config_.capture_path.empty())
    capture_ = std::make_unique<CaptureSink>(config_.capture_path, config_.durability);
  if (capture_ && !capture_->warning().empty())
    std::cerr << ui::paint("warning:", ui::Style::warn, ui::Stream::err) << " "
              << capture_->warning() << "\n";
  signal_fd_ = block_signals();
  done_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (signal_fd_ < 0 || done_fd_ < 0)
    throw failure(std::string("cannot set up signal handling: ") + std::strerror(errno));
}

Session::~Session() {
  if (server_) {
    server_->stop();
    server_->join();
  }
  if (signal_fd_ >= 0)
    ::close(signal_fd_);
  if (done_fd_ >= 0)
    ::close(done_fd_);
}

void Session::add_observer(std::shared_ptr<Observer> observer) {
  observers_.push_back(std::move(observer));
}

void Session::on_stopping(std::function<void()> hook) {
  stopping_hooks_.push_back(std::move(hook));
}

// The requests one event loop runs itself, settled a round at a time (net::RoundHandler).
class Session::Round final : public net::RoundHandler {
public:
  explicit Round(Session& session) : session_(session) {}
  void begin(net::IncomingRequest&& request) override {
    pending_.push_back(session_.prepare(std::move(request)));
  }
  void finish(std::vector<net::OutgoingResponse>& answers) override {
    session_.settle(pending_);
    for (auto& p : pending_)
      answers.push_back(std::move(p.response));
    pending_.clear();
  }

private:
  Session& session_;
  std::vector<Pending> pending_;
};

int Session::start() {
  config_.server.handler_marks_waits = true; // handle() marks its waits (below)
  if (config_.durability != Durability::power_loss) {
    config_.server.handle_inline = [this] {
      return responder_.never_waits();
    };
    config_.server.rounds = [this]() -> std::unique_ptr<net::RoundHandler> {
      return std::make_unique<Round>(*this);
    };
  }
  server_ = std::make_unique<net::ListenServer>(
      std::move(config_.server),
      [this](net::IncomingRequest&& in) { return handle(std::move(in)); },
      [this](int status, const std::string& remote) { reject(status, remote); });
  return server_->start();
}

net::OutgoingResponse Session::handle(net::IncomingRequest&& in) {
  std::vector<Pending> one;
  one.push_back(prepare(std::move(in)));
  settle(one);
  return std::move(one.front().response);
}

Session::Pending Session::prepare(net::IncomingRequest&& in) {
  Pending p;
  // A browser pointed at the listener asks for its icon: not a delivery, so not shown,
  // captured or counted toward --count.
  if (in.method == "GET" && in.path == "/favicon.ico") {
    p.delivery = false;
    p.response = {404, {{"Content-Type", "text/plain; charset=utf-8"}}, "hooktool: no icon here\n"};
    return p;
  }
  const auto start = util::now_ms();
  p.record = inspector_.inspect(std::move(in));
  p.record.duplicate = duplicates_.observe(p.record);
  p.response = [&] {
    const net::BlockingScope waits; // --delay, a forward: other deliveries need other threads
    return responder_.respond(p.record);
  }();
  p.record.response_status = p.response.status;
  p.record.duration_ms = util::now_ms() - start;
  return p;
}

void Session::settle(std::vector<Pending>& pending) {
  // Shown first, then captured: the capture records the answer actually given (a delivery
  // stdout could not take is answered 503, and the capture must say so). Both happen before
  // the answers go out.
  show(pending);
  std::vector<std::optional<std::uint64_t>> offsets; // one per delivery, in order
  if (capture_)
    capture(pending, offsets);
  std::size_t n = 0;
  for (const auto& p : pending)
    if (p.delivery) {
      const auto offset = n < offsets.size() ? offsets[n] : std::nullopt;
      ++n;
      for (const auto& observer : observers_)
        observer->observe(p.record, offset);
    }
  std::vector<const core::CaptureRecord*> records;
  records.reserve(pending.size());
  for (auto& p : pending) {
    if (!p.delivery)
      continue;
    const auto& record = p.record;
    records.push_back(&record);
    ++tally_.by_status[static_cast<std::size_t>(record.verification.status)];
    if (record.duplicate)
      ++tally_.duplicates;
    if (record.verification.status != model::VerdictStatus::valid)
      ++tally_.not_valid;
  }
  tally_.count_outcomes(records);
  for (auto& p : pending) {
    if (!p.delivery)
      continue;
    if (++tally_.total == config_.count) {
      const std::uint64_t one = 1;
      (void)::write(done_fd_, &one, sizeof one);
    }
  }
}

void Session::show(std::vector<Pending>& pending) {
  std::string text;
  std::vector<std::pair<Pending*, std::size_t>> ends; // each shown delivery's end in text
  for (auto& p : pending) {
    if (!p.delivery)
      continue;
    if (!shown(p.record)) {
      ++tally_.filtered;
      continue;
    }
    terminal_.render(p.record, text);
    ends.emplace_back(&p, text.size());
  }
  const auto written = terminal_.write_text(text);
  if (written == text.size())
    return;
  // Shown nowhere: the sender must not hear 2xx, and listen stops (see wait()).
  const auto reason = terminal_.failure_reason();
  for (auto [p, end] : ends)
    if (end > written) {
      p->response = output_failed(reason);
      p->record.response_status = p->response.status;
    }
}

void Session::capture(std::vector<Pending>& pending,
                      std::vector<std::optional<std::uint64_t>>& offsets) {
  std::vector<std::string> lines;
  lines.reserve(pending.size());
  for (const auto& p : pending)
    if (p.delivery)
      lines.push_back(core::to_capture_line(p.record)); // serialised outside any lock
  try {
    std::optional<net::BlockingScope> syncs; // --fsync waits on the device
    if (config_.durability == Durability::power_loss)
      syncs.emplace();
    capture_->append_lines(lines, offsets); // on disk before the senders hear back
  } catch (const Error& e) {
    offsets.assign(lines.size(), std::nullopt);
    for (auto& p : pending) {
      if (!p.delivery)
        continue;
      ++tally_.capture_errors;
      std::cerr << ui::paint("hooktool: capture failed:", ui::Style::error, ui::Stream::err) << " "
                << e.what() << "; answered 507\n";
      p.response = {507, {}, std::string("hooktool: capture failed: ") + e.what() + "\n"};
      p.record.response_status = 507;
    }
  }
}

bool Session::shown(const core::CaptureRecord& record) const {
  return config_.display.empty() ||
         std::any_of(config_.display.begin(), config_.display.end(),
                     [&](const Route& filter) { return filter.matches(record); });
}

net::OutgoingResponse Session::output_failed(const std::string& reason) {
  ++tally_.not_shown;
  bool expected = false;
  if (output_closed_.compare_exchange_strong(expected, true)) {
    output_reason_ = reason;
    const std::uint64_t one = 1;
    (void)::write(done_fd_, &one, sizeof one);
  }
  return {503,
          {{"Content-Type", "text/plain; charset=utf-8"}},
          "hooktool: " + reason + ": the delivery was not shown; listen is stopping\n"};
}

void Session::reject(int status, const std::string& remote) {
  ++tally_.rejected;
  std::cerr << ui::paint("hooktool:", ui::Style::warn, ui::Stream::err) << " answered " << status
            << " to " << (remote.empty() ? "a client" : remote)
            << (status == 413   ? " (body over --max-body)"
                : status == 431 ? " (request head too large)"
                                : " (malformed request)")
            << "\n";
}

Ending Session::wait() {
  const auto deadline =
      config_.timeout_s > 0 ? util::now_ms() + static_cast<long long>(config_.timeout_s * 1000) : 0;
  Ending ending = Ending::count_reached;
  for (;;) {
    std::array<pollfd, 2> fds{{{signal_fd_, POLLIN, 0}, {done_fd_, POLLIN, 0}}};
    const int wait_ms =
        deadline != 0 ? static_cast<int>(std::max<long long>(0, deadline - util::now_ms())) : -1;
    const int n = ::poll(fds.data(), fds.size(), wait_ms);
    if (n < 0 && errno == EINTR)
      continue;
    if (n == 0) {
      ending = Ending::timed_out;
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      (void)::read(signal_fd_, &info, sizeof info);
      ending = Ending::interrupted;
      break;
    }
    if (fds[1].revents & POLLIN) {
      if (output_closed_)
        ending = Ending::output_closed;
      break;
    }
  }
  for (const auto& hook : stopping_hooks_)
    hook();
  server_->stop();
  server_->join();
  return ending;
}

int Session::finish(Ending ending) const {
  std::cerr << (ending == Ending::interrupted ? "\n" : "") << "hooktool: " << tally_.summary()
            << "\n";
  int code = 0;
  const auto count = config_.count;
  if (count > 0 && tally_.total < count) {
    std::cerr << "hooktool: " << (ending == Ending::timed_out ? "timed out" : "stopped")
              << " after " << tally_.total << " of " << count << " deliveries\n";
    code = 1;
  } else if (count == 0 && ending == Ending::timed_out && tally_.total == 0) {
    std::cerr << "hooktool: timed out with no delivery\n";
    code = 1;
  }
  if (config_.require_valid && tally_.not_valid > 0) {
    std::cerr << "hooktool: " << tally_.not_valid
              << (tally_.not_valid == 1 ? " delivery was" : " deliveries were")
              << " not valid (--require-valid)\n";
    code = 1;
  }
  if (tally_.capture_errors > 0)
    code = 1;
  if (ending == Ending::output_closed) {
    std::cerr << "hooktool: " << output_reason_ << ": stopped after "
              << tally_.total - tally_.not_shown << " deliveries\n";
    code = 1;
  }
  return code;
}

ReplayOutcome Session::replay(const core::CaptureRecord& record, RemoteTarget remote) {
  ReplayOutcome out;
  const auto* route = responder_.route_for(record);
  if (route == nullptr) {
    out.kind = ReplayOutcome::Kind::no_route;
    return out;
  }
  out.url = route->url;
  if (remote == RemoteTarget::refuse && !loopback_url(route->url)) {
    out.kind = ReplayOutcome::Kind::needs_confirmation;
    return out;
  }
  if (auto result = responder_.replay(record))
    out.result = std::move(*result);
  return out;
}

} // namespace hooktool::listen
