#pragma once
// A strict, incremental HTTP/1.1 request reader (RFC 9112) for the listener: bytes go in as
// they arrive, complete requests come out with every header in arrival order, the exact name
// and value bytes, and the message body exactly as sent (a chunked body is de-chunked, nothing
// else is decoded). Anything whose framing could be read two ways is refused, so what the
// listener records is what any other server would have seen.

#include "model/http.hpp"
#include "util/strings.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hooktool::net::server {

// Bounds on what one request may hold; exceeding one is an error, never a larger buffer.
struct ReaderLimits {
  std::size_t max_head_bytes = 64u << 10; // request line + header fields (and trailer fields)
  std::size_t max_headers = 100;          // header fields (trailer fields count too)
  std::size_t max_body = 10u << 20;       // message body after de-chunking
};

// One request as read: target as sent, headers in arrival order, body as sent.
struct ParsedRequest {
  std::string method;
  std::string target;
  int minor_version = 1; // HTTP/1.<minor_version>
  model::Headers headers;
  std::string body;
  bool keep_alive = true; // the client allows another request on this connection
};

// Why a request was refused: the status to answer with (400, 413, 431) and a reason.
struct ReadError {
  int status = 0;
  std::string reason;
};

// Reads one request at a time; after complete() take() it, and feed the rest of the bytes.
class RequestReader {
public:
  enum class State { idle, head, body, complete, error };

  explicit RequestReader(ReaderLimits limits = {}) : limits_(limits) {}

  // Consumes bytes of data until a request completes or an error is found; returns how many
  // were consumed (the rest belongs to the next, pipelined, request).
  std::size_t feed(std::string_view data);

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] bool complete() const noexcept { return state_ == State::complete; }
  [[nodiscard]] bool failed() const noexcept { return state_ == State::error; }
  // True once any byte of the current request has arrived (a connection that is not idle).
  [[nodiscard]] bool started() const noexcept { return state_ != State::idle; }
  // True when the head is complete and the body is being read.
  [[nodiscard]] bool reading_body() const noexcept { return state_ == State::body; }
  // True once, right after a head that asked for "Expect: 100-continue" and has a body to send.
  bool take_continue() noexcept { return std::exchange(continue_pending_, false); }
  [[nodiscard]] const ReadError& error() const noexcept { return error_; }

  // The completed request; the reader is ready for the next one.
  ParsedRequest take();

private:
  enum class Body { none, length, chunk_size, chunk_data, chunk_data_end, trailers };

  std::size_t feed_head(std::string_view data);
  std::size_t feed_body(std::string_view data);
  // Takes bytes up to and including the next LF into line_; true once the line is complete.
  bool take_line(std::string_view data, std::size_t& used, std::size_t cap, int over_status);
  void head_line(std::string_view line);
  void request_line(std::string_view line);
  void header_line(std::string_view line, model::Headers& into);
  void end_of_head();
  void chunk_size_line(std::string_view line);
  void fail(int status, std::string reason);
  void finish() noexcept { state_ = State::complete; }

  ReaderLimits limits_;
  State state_ = State::idle;
  Body body_ = Body::none;
  ParsedRequest req_;
  ReadError error_;
  std::string line_;           // the current line, until its LF arrives
  std::size_t head_bytes_ = 0; // bytes of the head (and trailers) so far
  std::size_t header_count_ = 0;
  std::uint64_t remaining_ = 0; // body bytes left in the Content-Length body or current chunk
  bool continue_pending_ = false;
  bool saw_request_line_ = false;
};

// RFC 9110 tchar (util::is_tchar), for the reader and its fuzz target.
using util::is_tchar;

} // namespace hooktool::net::server
