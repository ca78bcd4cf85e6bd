// The ceiling of hooktool's own listener engine (src/net/event_loop.* behind net::ListenServer):
// listen's default settings (one loop per core), answering 200 to any request with no work at all.
// bench/listen.sh builds it from the engine's sources and measures it beside nginx, Boost.Beast and
// hooktool listen, so the gap to nginx is the engine's and the gap to listen is hooktool's own
// work.
#include "net/listen_server.hpp"

#include <csignal>
#include <cstdio>

int main() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr); // the engine's threads never take them
  hooktool::net::ServerOptions options;
  options.port = 0;
  options.handle_inline = [] {
    return true;
  }; // it never waits: answered on the loops, as listen
  hooktool::net::ListenServer server(
      std::move(options),
      [](hooktool::net::IncomingRequest&&) { return hooktool::net::OutgoingResponse{}; }, nullptr);
  const int port = server.start();
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  server.stop();
  server.join();
  return 0;
}
