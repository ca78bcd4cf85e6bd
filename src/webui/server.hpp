#pragma once

#include "net/listen_server.hpp"
#include "webui/api.hpp"

#include <memory>
#include <string>

namespace hooktool::webui {

// Where the inspector page is served.
struct UiOptions {
  std::string host = "127.0.0.1"; // loopback only
  int port = 4040;                // 0: any free port
  std::size_t workers = 16;       // requests handled at once (an event stream holds one)
};

// The web inspector: the page and its API on their own port, on a second instance of the
// listener engine (its own event loop), so the webhook port keeps answering any path.
class UiServer {
public:
  UiServer(UiOptions options, Store& store, Actions actions);
  UiServer(const UiServer&) = delete;
  UiServer& operator=(const UiServer&) = delete;
  ~UiServer();
  // Binds (usage error naming --ui-port when taken) and serves; returns the port.
  int start();
  // Ends the event streams and stops serving; waits for the handlers in flight.
  void stop();
  // The page's address, "http://127.0.0.1:PORT/".
  [[nodiscard]] std::string url() const;

private:
  UiOptions options_;
  Store& store_;
  Api api_;
  std::unique_ptr<net::ListenServer> server_;
  int port_ = 0;
};

// The inspector's actions on a listen session: replay to its forward target or to a URL (with
// the session's --forward-timeout, --host-header and --forward-header), its forward targets,
// the secrets it verifies with (for re-signing), and its simulated answer when the session was
// configured with a live one (SessionConfig.simulation.live).
Actions session_actions(listen::Session& session);

// A fresh per-run token for state-changing API requests (32 hex characters).
std::string new_token();

} // namespace hooktool::webui
