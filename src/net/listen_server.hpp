#pragma once

#include "crypto/tls_cert.hpp"
#include "model/http.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hooktool::net {

namespace server {
class WorkerPool;
} // namespace server

// A request as received, with the body's exact bytes.
struct IncomingRequest {
  std::string method;
  std::string target; // path and query as sent on the request line
  std::string path;   // target before '?'
  std::string query;  // target after '?', without it
  model::Headers headers;
  std::string body;
  std::string remote; // "ip:port" of the peer
  bool tls = false;
};

// What the server answers.
struct OutgoingResponse {
  int status = 200;
  model::Headers headers;
  std::string body;
};

inline constexpr std::size_t kMaxLoops = 8;

// Handles the requests an event loop runs itself (ServerOptions::handle_inline) a round at a
// time: begin() takes each such request as the loop reads it, and finish(), once the loop has
// read all it could in that round, gives their answers, which the loop then writes. So work
// that a whole round can share (listen writes the round's output lines, and its capture lines,
// with one system call each) is done once, and still before any of those answers goes out.
// Each loop has its own (ServerOptions::rounds); its methods run on that loop's thread only and
// must not throw.
class RoundHandler {
public:
  RoundHandler() = default;
  RoundHandler(const RoundHandler&) = delete;
  RoundHandler& operator=(const RoundHandler&) = delete;
  virtual ~RoundHandler() = default;
  virtual void begin(IncomingRequest&& request) = 0;
  // One answer per begin() since the last finish(), in the same order, appended to answers
  // (empty on entry).
  virtual void finish(std::vector<OutgoingResponse>& answers) = 0;
};

// Listener settings. Every limit has a safe default; a request over one is refused, never
// buffered without bound.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 9000;                  // 0: any free port
  std::size_t max_body = 10u << 20; // larger bodies get 413, whatever their framing
  std::size_t workers = 64;         // handler threads (started as needed), not connections
  std::size_t loops = 0;            // event loop threads; 0: one per core, at most kMaxLoops
  // The handler marks where it waits (net::BlockingScope: a sleep, a forward, an fsync): the
  // pool then starts threads beyond the cores only while one of them waits there, never for
  // handlers that are merely busy or queued behind a loaded CPU. Off: any 2 ms wait grows it.
  bool handler_marks_waits = false;
  // Asked for each complete request: true when the handler will not wait (no sleep, forward
  // or fsync), so the event loop may run it itself rather than hand it to a worker. Null: never.
  std::function<bool()> handle_inline;
  // Makes each loop's RoundHandler: when set, the requests a loop runs itself go through it
  // (answered at the end of the round) instead of the RequestHandler. Null: one at a time.
  std::function<std::unique_ptr<RoundHandler>()> rounds;
  int read_timeout_s = 10;      // deadline for a request's whole head, from its first byte
  int request_timeout_s = 60;   // deadline for the whole request, head and body
  int keep_alive_timeout_s = 5; // an idle connection is closed after this
  int write_timeout_s = 30;     // an answer the client does not read is dropped after this
  std::size_t max_header_bytes = 64u << 10; // request line + headers; more: 431
  std::size_t max_headers = 100;            // header fields; more: 431
  std::size_t max_connections = 1024;       // open at once; beyond it the oldest idle is closed
  std::shared_ptr<const crypto::CertifiedKey> tls; // HTTPS when set
};

// Called for every well-formed request, on an event loop (ServerOptions::handle_inline) or a
// worker thread; must not throw. Requests of one
// connection are handled one at a time, in the order they arrived (pipelining).
using RequestHandler = std::function<OutgoingResponse(IncomingRequest&&)>;
// Marks the calling handler thread as waiting (sleeping, on the network, on the disk) while it
// lives, so that the server may start another handler thread for the requests queued meanwhile
// (see ServerOptions::handler_marks_waits). Outside a handler thread it does nothing.
class BlockingScope {
public:
  BlockingScope() noexcept;
  BlockingScope(const BlockingScope&) = delete;
  BlockingScope& operator=(const BlockingScope&) = delete;
  ~BlockingScope();

private:
  server::WorkerPool* pool_;
};

// Called on the event loop when the server itself refuses a request: 400 malformed or ambiguous
// framing or version, 413 over --max-body, 431 head too large; the connection is closed.
using RejectHandler = std::function<void(int status, const std::string& remote)>;

// An HTTP/1.1 (and HTTPS) listener that accepts any method on any path and hands over each
// request exactly as received: epoll event loops (one per core) do all socket I/O and run the
// handler when it does not wait (ServerOptions::handle_inline); a pool of workers runs it when
// it may (src/net/event_loop.hpp).
class ListenServer {
public:
  ListenServer(ServerOptions options, RequestHandler on_request, RejectHandler on_reject);
  ListenServer(const ListenServer&) = delete;
  ListenServer& operator=(const ListenServer&) = delete;
  ~ListenServer();

  // Binds the socket (usage error when the address is taken or invalid) and starts serving
  // on a background thread; returns the bound port.
  int start();
  // Stops accepting and closes every connection that has no request being handled; answers of
  // requests being handled still go out (for up to 0.5 s). Any thread, more than once.
  void stop();
  // Waits for the event loop and the handlers in flight to end.
  void join();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hooktool::net
