// The ceiling Boost.Beast + Asio set for a listener: answers 200 to any request with no work,
// keep-alive, on `threads` threads sharing one io_context (2 by default: the machine's cores).
// bench/listen.sh builds and measures it beside nginx and the other engines, to choose listen's
// engine by evidence (issue 18). Not part of the CMake build (Beast is header-only and slow to
// compile). Build: g++ -std=c++20 -O2 bare_beast.cpp -pthread
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void start() { read(); }

private:
  void read() {
    parser_.emplace();
    parser_->body_limit(10u << 20);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec)
                         return;
                       self->answer();
                     });
  }
  void answer() {
    const auto req = parser_->release();
    res_ = {};
    res_.result(http::status::ok);
    res_.version(req.version());
    res_.keep_alive(req.keep_alive());
    res_.content_length(0);
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (!ec && self->res_.keep_alive())
                          self->read();
                      });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::empty_body> res_;
};

void accept(tcp::acceptor& a) {
  a.async_accept([&a](beast::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true));
      std::make_shared<Session>(std::move(s))->start();
    }
    accept(a);
  });
}

} // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::stoi(argv[1]) : 2;
  asio::io_context io(threads);
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::printf("listening on http://127.0.0.1:%d\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  accept(acceptor);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool)
    t.join();
}
