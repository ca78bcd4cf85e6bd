#pragma once

#include "core/capture.hpp"
#include "listen/duplicates.hpp"
#include "listen/inspector.hpp"
#include "listen/responder.hpp"
#include "listen/sinks.hpp"
#include "net/listen_server.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hooktool::listen {

// Everything one listen run needs, resolved from the command line.
struct SessionConfig {
  InspectorConfig inspector;
  std::vector<Route> routes;
  Simulation simulation;
  std::chrono::milliseconds forward_timeout{30000};
  HostHeader host_header = HostHeader::keep;
  model::Headers forward_headers; // --forward-header
  std::string capture_path;       // empty: no capture file
  Durability durability = Durability::process_crash;
  TerminalFormat format = TerminalFormat::pretty;
  // --events: deliveries shown on the terminal (every one is still answered, captured,
  // forwarded and counted); empty: all.
  std::vector<Route> display;
  net::ServerOptions server;
  long long count = 0;  // --count: stop after this many (0: no limit)
  double timeout_s = 0; // --timeout (0: none)
  bool require_valid = false;
};

// Counts by verdict, for the exit status and the closing summary.
struct Tally {
  std::atomic<long long> total{0};
  std::array<std::atomic<long long>, 5> by_status{};
  std::atomic<long long> not_valid{0};
  std::atomic<long long> capture_errors{0};
  std::atomic<long long> rejected{0};
  std::atomic<long long> not_shown{0}; // stdout took no more (a closed pipe)
  std::atomic<long long> duplicates{0};
  std::atomic<long long> filtered{0}; // received but not shown (--events)
  // What each delivery was answered, and what became of the forwarded ones (one lock for all).
  void count_outcomes(const std::vector<const core::CaptureRecord*>& records);
  // "3 deliveries: 2 valid, 1 invalid; 1 duplicate; answered 200 ×2, 500 ×1; forwarded 2: 1
  // answered 200, 1 failed (refused ×1)".
  [[nodiscard]] std::string summary() const;

private:
  mutable std::mutex mutex_;
  std::map<int, long long> answered_;               // status listen answered -> deliveries
  std::map<int, long long> forward_answered_;       // status the handler answered -> deliveries
  std::map<std::string, long long> forward_failed_; // error kind -> deliveries
};

// Sees every delivery after it was captured and shown (the web inspector); called on worker
// threads. capture_offset: where its line starts in the capture file, when it was written.
class Observer {
public:
  Observer() = default;
  Observer(const Observer&) = delete;
  Observer& operator=(const Observer&) = delete;
  virtual ~Observer() = default;
  virtual void observe(const core::CaptureRecord& record,
                       std::optional<std::uint64_t> capture_offset) = 0;
};

// Whether a replay may go to a forward target that is not on this machine.
enum class RemoteTarget { refuse, confirmed };

// What a replay did.
struct ReplayOutcome {
  enum class Kind { sent, no_route, needs_confirmation } kind = Kind::sent;
  std::string url;          // the route's target
  core::ForwardInfo result; // when sent
};

// Why a session ended.
enum class Ending { count_reached, timed_out, interrupted, output_closed };

// One listen run: the pipeline (inspect, flag duplicates, answer, capture, show, observers) on
// the listener engine, and the wait for a signal, --count or --timeout. SIGINT and SIGTERM are
// blocked for the whole process when it is constructed, before any thread starts.
class Session {
public:
  explicit Session(SessionConfig config);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Adds an observer of every delivery. Before start() only.
  void add_observer(std::shared_ptr<Observer> observer);
  // Binds the webhook port (usage error when taken) and starts serving; returns the port.
  int start();
  // Blocks until a signal, the --count-th delivery or the --timeout deadline, then stops the
  // and joins the webhook server (after running the on_stopping hooks).
  Ending wait();
  // Runs once wait() decided to end, before the webhook server is stopped (the web inspector
  // ends its streams there).
  void on_stopping(std::function<void()> hook);
  // Prints the summary and returns the exit status for this ending.
  int finish(Ending ending) const;

  // Sends a captured delivery again to the forward target its route names (the web inspector's
  // replay); a target that is not loopback only when confirmed.
  ReplayOutcome replay(const core::CaptureRecord& record, RemoteTarget remote);
  [[nodiscard]] const SessionConfig& config() const noexcept { return config_; }
  // The TLS certificate's SHA-256 fingerprint; empty without TLS.
  [[nodiscard]] const std::string& tls_fingerprint() const noexcept { return fingerprint_; }

private:
  // A request on its way: inspected and answered, not yet shown, captured or observed.
  struct Pending {
    core::CaptureRecord record;
    net::OutgoingResponse response;
    bool delivery = true; // false: not a delivery (a browser's favicon request)
  };
  class Round;
  friend class Round;
  net::OutgoingResponse handle(net::IncomingRequest&& in);
  Pending prepare(net::IncomingRequest&& in);
  // Shows, captures, observes and counts the deliveries of pending (in order) with one write
  // to the terminal and one capture commit for all; an answer changes where that failed.
  void settle(std::vector<Pending>& pending);
  void show(std::vector<Pending>& pending);
  // Captures the deliveries of pending; offsets: where each one's line starts, in order.
  void capture(std::vector<Pending>& pending, std::vector<std::optional<std::uint64_t>>& offsets);
  void reject(int status, const std::string& remote);
  net::OutgoingResponse output_failed(const std::string& reason);
  // Whether the terminal shows this delivery (--events).
  [[nodiscard]] bool shown(const core::CaptureRecord& record) const;

  SessionConfig config_;
  Inspector inspector_;
  Responder responder_;
  DuplicateTracker duplicates_;
  std::unique_ptr<CaptureSink> capture_;
  TerminalSink terminal_;
  std::vector<std::shared_ptr<Observer>> observers_;
  std::vector<std::function<void()>> stopping_hooks_;
  Tally tally_;
  std::string fingerprint_;
  std::atomic<bool> output_closed_{false};
  std::string output_reason_; // set once, by the first delivery that could not be shown
  int signal_fd_ = -1;
  int done_fd_ = -1;
  std::unique_ptr<net::ListenServer> server_;
};

} // namespace hooktool::listen
