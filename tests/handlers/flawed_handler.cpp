// hooktool_test_handler: a small webhook handler for the `hooktool check` end-to-end tests.
// It plays the role of a user's handler, correct or deliberately flawed in one way:
//
//   hooktool_test_handler --mode MODE --provider P --secret S --state FILE [--delay-ms N]
//
//   correct         verifies the raw body (provider default tolerance, and far-future timestamps
//                   are refused too); 400 when not valid; 200 for valid deliveries, unknown
//                   event types included; processes each provider event id once (atomically)
//   no-verify       answers 200 to everything; processes (dedupes) like correct
//   reserialized    verifies the signature over json::parse(body).dump() instead of the raw bytes
//   no-timestamp    verifies with no replay window and no future check
//   slow            like correct, but sleeps --delay-ms before answering every request
//   unknown-500     like correct, but 500 for any event type but the provider's default fixture
//   double-process  like correct, but no dedupe: every valid delivery is processed
//   route-only      never verifies; routes on the event type: 400 for a type that is not one
//                   of the provider's fixtures (the handler a body drill must not flatter)
//   conflict-409    like correct, but a duplicate gets 409 {"duplicate":true}, the first
//                   delivery 200 {"received":true}
//   duplicate-500   like correct, but a duplicate gets 500
//   handshake-html  like correct, but answers the provider's endpoint-verification request with
//                   the right body as text/html (a content type no provider with a handshake
//                   takes)
//   handshake-wrong-key  like correct, but computes the handshake answer with another secret
//                   (Zoom's encryptedToken is then wrong)
//
// Every mode that verifies answers a validly signed endpoint-verification request (Slack
// url_verification, Zoom endpoint.url_validation, Twitch webhook_callback_verification,
// Discord PING) as the provider requires, unless the mode says otherwise; no-verify and
// route-only answer it without verifying.
//
// "Processed" means a counter, written to --state FILE (temp file + rename) so that a probe
// `cat FILE` reads it; the file holds "0" from the start. Listens on 127.0.0.1, port 0, and
// prints "handler listening on http://127.0.0.1:PORT" on stderr; exits on SIGTERM/SIGINT.

#include "check/battery.hpp"
#include "providers/registry.hpp"
#include "util/time.hpp"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <httplib.h>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <pthread.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

namespace providers = hooktool::providers;
namespace core = hooktool::core;
namespace model = hooktool::model;

enum class Mode {
  correct,
  no_verify,
  reserialized,
  no_timestamp,
  slow,
  unknown_500,
  double_process,
  route_only,
  conflict_409,
  duplicate_500,
  handshake_html,
  handshake_wrong_key
};

std::optional<Mode> parse_mode(const std::string& s) {
  if (s == "correct")
    return Mode::correct;
  if (s == "no-verify")
    return Mode::no_verify;
  if (s == "reserialized")
    return Mode::reserialized;
  if (s == "no-timestamp")
    return Mode::no_timestamp;
  if (s == "slow")
    return Mode::slow;
  if (s == "unknown-500")
    return Mode::unknown_500;
  if (s == "double-process")
    return Mode::double_process;
  if (s == "route-only")
    return Mode::route_only;
  if (s == "conflict-409")
    return Mode::conflict_409;
  if (s == "duplicate-500")
    return Mode::duplicate_500;
  if (s == "handshake-html")
    return Mode::handshake_html;
  if (s == "handshake-wrong-key")
    return Mode::handshake_wrong_key;
  return std::nullopt;
}

struct Options {
  Mode mode = Mode::correct;
  std::string provider;
  std::string secret;
  std::string state;
  long delay_ms = 0;
};

// Exposes the listening socket: cpp-httplib 0.11 fixes its backlog at 5.
class Server final : public httplib::Server {
public:
  [[nodiscard]] socket_t listening_socket() const { return svr_sock_; }
};

class Handler {
public:
  Handler(Options o, std::unique_ptr<providers::Provider> p)
      : o_(std::move(o)), p_(std::move(p)), known_event_(p_->default_event()) {
    for (const auto& f : core::FixtureStore().list(p_->fixture_family()))
      known_events_.insert(f.event);
    write_state(0);
  }

  // The answer to an endpoint-verification request once it verified (or, for no-verify,
  // without verifying); nullopt for any other delivery.
  std::optional<providers::HandshakeAnswer> handshake(const model::HttpRequest& req) const {
    // --secret is what the handler verifies with (Zoom's handshake answer is keyed by it).
    auto answer = p_->handshake_answer(
        req, o_.mode == Mode::handshake_wrong_key ? "not-" + o_.secret : o_.secret);
    if (answer && o_.mode == Mode::handshake_html)
      answer->content_type = "text/html";
    return answer;
  }

  // Returns the status to answer and a short reason for the log.
  std::pair<int, std::string> handle(const httplib::Request& hreq) {
    if (o_.mode == Mode::slow)
      std::this_thread::sleep_for(std::chrono::milliseconds(o_.delay_ms));
    const auto req = to_request(hreq);
    if (o_.mode == Mode::route_only) {
      if (auto answer = handshake(req)) {
        handshake_ = std::move(answer);
        return {handshake_->status, "handshake answered"};
      }
      const auto info = p_->event_info(req);
      if (!known_events_.contains(info.type))
        return {400, "unknown event type '" + info.type + "'"};
      process(info.id);
      return {200, "ok " + info.type};
    }
    if (o_.mode != Mode::no_verify) {
      const auto verdict = verify(req);
      if (verdict.status != model::VerdictStatus::valid)
        return {400, std::string(model::to_string(verdict.status)) + ": " + verdict.reason};
      if (o_.mode != Mode::no_timestamp) {
        // The provider libraries of past-only schemes accept future timestamps; this one does not.
        const auto ts = p_->signed_timestamp(req.headers);
        const auto tolerance = p_->default_tolerance();
        if (ts && tolerance > 0 && *ts - hooktool::util::now_s() > tolerance)
          return {400, "timestamp too far in the future"};
      }
    }
    if (auto answer = handshake(req)) {
      handshake_ = std::move(answer);
      return {handshake_->status, "handshake answered"};
    }
    const auto info = p_->event_info(req);
    if (o_.mode == Mode::unknown_500 && info.type != known_event_)
      return {500, "unknown event type '" + info.type + "'"};
    if (!process(info.id)) {
      if (o_.mode == Mode::conflict_409)
        return {409, R"({"duplicate":true})"};
      if (o_.mode == Mode::duplicate_500)
        return {500, "duplicate"};
    }
    if (o_.mode == Mode::conflict_409)
      return {200, R"({"received":true})"};
    return {200, "ok " + info.type + " " + info.id};
  }

  // The handshake answer of the request handle() just answered (taken once).
  std::optional<providers::HandshakeAnswer> take_handshake() {
    auto out = std::move(handshake_);
    handshake_.reset();
    return out;
  }

private:
  static model::HttpRequest to_request(const httplib::Request& hreq) {
    model::HttpRequest req;
    req.method = hreq.method;
    // The absolute URL the sender addressed (Twilio signs it).
    req.url = "http://" + hreq.get_header_value("Host") + hreq.target;
    for (const auto& [name, value] : hreq.headers) {
      if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
          name == "LOCAL_PORT")
        continue;
      req.headers.push_back({name, value});
    }
    req.body = hreq.body;
    return req;
  }

  model::Verdict verify(const model::HttpRequest& req) const {
    providers::VerifyParams params;
    params.secret = o_.secret;
    params.now = hooktool::util::now_s();
    params.urls = {req.url};
    if (o_.mode == Mode::no_timestamp)
      params.tolerance = 0; // no window
    if (o_.mode == Mode::reserialized) {
      // The flaw: parse, dump compactly (keys in their original order), verify that.
      const auto doc = nlohmann::ordered_json::parse(req.body, nullptr, false);
      if (!doc.is_discarded()) {
        auto copy = req;
        copy.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return p_->verify(copy, params);
      }
    }
    return p_->verify(req, params);
  }

  // False when the id was processed before (a duplicate).
  bool process(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    if (o_.mode != Mode::double_process && !seen_.insert(id).second)
      return false; // already processed: acknowledge without doing it again
    ++processed_;
    write_state(processed_);
    return true;
  }

  void write_state(long value) const {
    const auto tmp = o_.state + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << value << "\n";
    }
    std::rename(tmp.c_str(), o_.state.c_str());
  }

  Options o_;
  std::unique_ptr<providers::Provider> p_;
  std::string known_event_;
  std::set<std::string> known_events_;
  std::mutex mu_;
  std::set<std::string> seen_;
  long processed_ = 0;
  // Set by handle() for the lambda that answers; thread_local: requests run on several threads.
  static thread_local std::optional<providers::HandshakeAnswer> handshake_;
};

thread_local std::optional<providers::HandshakeAnswer> Handler::handshake_;

int usage(const std::string& why) {
  std::cerr << "hooktool_test_handler: " << why
            << "\nusage: hooktool_test_handler --mode MODE --provider P --secret S --state FILE "
               "[--delay-ms N]\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  Options o;
  std::string mode_text = "correct";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc)
      return usage("missing value for " + a);
    const std::string v = argv[++i];
    if (a == "--mode")
      mode_text = v;
    else if (a == "--provider")
      o.provider = v;
    else if (a == "--secret")
      o.secret = v;
    else if (a == "--state")
      o.state = v;
    else if (a == "--delay-ms")
      o.delay_ms = std::stol(v);
    else
      return usage("unknown option " + a);
  }
  const auto mode = parse_mode(mode_text);
  if (!mode)
    return usage("unknown mode " + mode_text);
  o.mode = *mode;
  if (o.provider.empty() || o.secret.empty() || o.state.empty())
    return usage("--provider, --secret and --state are required");
  auto provider = providers::make_provider(o.provider); // generic: its default scheme
  if (!provider)
    return usage("unknown provider " + o.provider);

  // SIGTERM/SIGINT are taken by a thread that stops the server: block them everywhere first.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Handler handler(o, std::move(provider));
  Server svr;
  svr.set_tcp_nodelay(true); // answers in one round trip, not after a delayed ACK
  svr.Post(".*", [&](const httplib::Request& req, httplib::Response& res) {
    const auto [status, reason] = handler.handle(req);
    res.status = status;
    if (const auto answer = handler.take_handshake())
      res.set_content(answer->body, answer->content_type);
    else
      res.set_content(reason + "\n", "text/plain");
    std::fprintf(stderr, "%s %s -> %d %s\n", req.method.c_str(), req.target.c_str(), status,
                 reason.c_str());
    std::fflush(stderr);
  });
  const int port = svr.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    std::cerr << "hooktool_test_handler: cannot bind 127.0.0.1\n";
    return 1;
  }
  ::listen(svr.listening_socket(), SOMAXCONN); // only resizes the queue

  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (sig == SIGUSR1)
      return; // main is leaving on its own
    svr.stop();
    // A signal that came before the server loop started finds nothing to stop: leave anyway.
    std::unique_lock<std::mutex> lock(done_mu);
    if (!done_cv.wait_for(lock, std::chrono::seconds(2), [&] { return done; }))
      std::_Exit(0);
  });
  std::fprintf(stderr, "handler listening on http://127.0.0.1:%d\n", port);
  std::fflush(stderr);
  svr.listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(done_mu);
    done = true;
  }
  done_cv.notify_all();
  ::kill(::getpid(), SIGUSR1); // wakes the stopper when no stop signal came (no-op otherwise)
  stopper.join();
  return 0;
}
