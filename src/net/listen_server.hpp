#pragma once

#include "core/delivery.hpp"
#include "crypto/tls_cert.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hooktool::net {

// A request as received, with the body's exact bytes.
struct IncomingRequest {
  std::string method;
  std::string target; // path and query as sent on the request line
  std::string path;   // target before '?'
  std::string query;  // target after '?', without it
  core::Headers headers;
  std::string body;
  std::string remote; // "ip:port" of the peer
  bool tls = false;
};

// What the server answers.
struct OutgoingResponse {
  int status = 200;
  core::Headers headers;
  std::string body;
};

// Listener settings.
struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 9000;                  // 0: any free port
  std::size_t max_body = 10u << 20; // larger requests get 413
  std::size_t workers = 64;         // threads; each serves one connection at a time
  int read_timeout_s = 10;          // a client that stalls longer is dropped
  int keep_alive_timeout_s = 5;
  std::optional<crypto::CertifiedKey> tls; // HTTPS when set
};

// Called on a worker thread for every well-formed request; must not throw.
using RequestHandler = std::function<OutgoingResponse(IncomingRequest&&)>;
// Called when the server itself rejects a request (413 over --max-body, 400 malformed).
using RejectHandler = std::function<void(int status, const std::string& remote)>;

// An HTTP(S) listener on cpp-httplib that accepts any method on any path.
class ListenServer {
public:
  ListenServer(ServerOptions options, RequestHandler on_request, RejectHandler on_reject);
  ListenServer(const ListenServer&) = delete;
  ListenServer& operator=(const ListenServer&) = delete;
  ~ListenServer();

  // Binds the socket (usage error when the address is taken or invalid) and starts serving
  // on a background thread; returns the bound port.
  int start();
  // Stops accepting; requests in flight finish. Safe to call from any thread, more than once.
  void stop();
  // Waits for the serving thread (and so every in-flight request) to end.
  void join();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace hooktool::net
