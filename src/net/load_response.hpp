#pragma once
// An incremental HTTP/1.1 response parser for the load engine: fed bytes as they arrive, in
// pieces of any size, it finds where one response ends (Content-Length, chunked, or the
// connection closing) and keeps only what a load run reports: the status and whether the
// connection may be reused. It never allocates after its first responses (one line buffer,
// reused). Interim 1xx responses are skipped (101 is an error: nothing was asked to upgrade).
// HttpClient's plain path (net/plain_http) turns on keeping: then the headers and the body are
// kept as well, as libcurl hands them to the libcurl path.

#include "model/http.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace hooktool::net {

class ResponseParser {
public:
  enum class State { incomplete, complete, failed };

  // Limits: a longer status or header line, or a larger header block, fails the response.
  static constexpr std::size_t kMaxLine = std::size_t{16} * 1024;
  static constexpr std::size_t kMaxHeaderBlock = std::size_t{64} * 1024;

  // Ready for the next response (keeps the buffer's capacity, and what keep and no_body set).
  void reset() noexcept;
  // Keeps the answer (off by default, and off again with nullptrs): every header line of the
  // final response and of its trailers into *headers as libcurl's header callback gives them
  // to HttpClient (trimmed, then model::parse_header_line; a line it refuses is left out; a
  // new status line, after an interim one, starts the list again), and the first `limit`
  // bytes of the (de-chunked) body appended to *body. The caller empties them between answers.
  void keep(model::Headers* headers, std::string* body, std::size_t limit) noexcept;
  // The request was HEAD: the response has no body, whatever its headers say.
  void no_body(bool none) noexcept { no_body_ = none; }
  // Parses as much of data as belongs to this response; returns the bytes used. Bytes past
  // the end of the response are not used (the caller decides what they mean).
  std::size_t feed(std::string_view data);
  // The peer closed the connection: completes a body delimited by the close, else fails.
  void on_eof();

  [[nodiscard]] State state() const noexcept { return state_; }
  [[nodiscard]] int status() const noexcept { return status_; }
  // Whether the connection can carry another request once this response is complete.
  [[nodiscard]] bool keep_alive() const noexcept { return keep_alive_; }
  // Whether any byte of a response has arrived (a reused connection closed before that is
  // retried once by the engine, as libcurl does).
  [[nodiscard]] bool started() const noexcept { return started_; }
  // Body bytes seen so far (after de-chunking).
  [[nodiscard]] std::int64_t body_bytes() const noexcept { return body_bytes_; }
  // Why the response failed: one line.
  [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
  enum class Phase {
    status_line,
    headers,
    body,
    chunk_size,
    chunk_data,
    chunk_end,
    trailers,
    until_close,
    done
  };

  [[nodiscard]] bool line_phase() const noexcept;
  void on_line(std::string_view line);
  void on_status_line(std::string_view line);
  void on_header_line(std::string_view line);
  void end_of_headers();
  void on_chunk_size(std::string_view line);
  void fail(std::string why);
  void finish() noexcept;
  void keep_body(std::string_view piece);
  void keep_header(std::string_view line);

  Phase phase_ = Phase::status_line;
  State state_ = State::incomplete;
  std::string line_;
  std::string error_;
  std::size_t header_bytes_ = 0;
  int status_ = 0;
  int minor_ = 1;
  bool keep_alive_ = true;
  bool saw_close_ = false;
  bool saw_keep_alive_ = false;
  bool chunked_ = false;
  bool other_coding_ = false;
  bool has_length_ = false;
  bool started_ = false;
  std::int64_t length_ = 0;
  std::int64_t remaining_ = 0;
  std::int64_t body_bytes_ = 0;
  bool no_body_ = false;
  model::Headers* kept_headers_ = nullptr;
  std::string* kept_body_ = nullptr;
  std::size_t body_limit_ = 0;
};

} // namespace hooktool::net
