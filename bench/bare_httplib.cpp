// The ceiling cpp-httplib sets for `hooktool listen`: the same server settings (TCP_NODELAY,
// keep-alive cap lifted, 64 workers, SOMAXCONN backlog, no SO_REUSEPORT), answering 200 to
// any POST with no work at all. bench/listen.sh builds and measures it beside nginx, so the
// gap between this and nginx is the library's model (a thread per connection, a poll per
// request), and the gap between this and hooktool listen is hooktool's own work.
// Build: g++ -std=c++20 -O2 bare_httplib.cpp $(pkg-config --cflags --libs cpp-httplib)
#include <cstdio>
#include <httplib.h>
#include <sys/socket.h>

namespace {
template <class Base> class Listener final : public Base {
public:
  using Base::Base;
  [[nodiscard]] socket_t listening_socket() const { return this->svr_sock_; }
};
} // namespace

int main() {
  Listener<httplib::Server> svr;
  svr.set_tcp_nodelay(true);
  svr.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr.set_keep_alive_max_count(1U << 30);
  svr.new_task_queue = [] {
    return new httplib::ThreadPool(64);
  };
  svr.Post(".*", [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  const int port = svr.bind_to_any_port("127.0.0.1");
  if (port < 0)
    return 1;
  ::listen(svr.listening_socket(), SOMAXCONN);
  std::printf("listening on http://127.0.0.1:%d\n", port);
  std::fflush(stdout);
  return svr.listen_after_bind() ? 0 : 1;
}
