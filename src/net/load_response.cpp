#include "net/load_response.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cstring>

namespace hooktool::net {

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// A plain decimal Content-Length; -1 when it is anything else (sign, hex, list, overflow).
std::int64_t parse_length(std::string_view v) noexcept {
  if (v.empty() || v.size() > 18)
    return -1;
  std::int64_t n = 0;
  for (const char c : v) {
    if (!is_digit(c))
      return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Whether the comma-separated list holds token (case-insensitive).
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (util::iequals(util::trim(list.substr(0, comma)), token))
      return true;
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

} // namespace

void ResponseParser::reset() noexcept {
  phase_ = Phase::status_line;
  state_ = State::incomplete;
  line_.clear();
  error_.clear();
  header_bytes_ = 0;
  status_ = 0;
  minor_ = 1;
  keep_alive_ = true;
  saw_close_ = false;
  saw_keep_alive_ = false;
  chunked_ = false;
  other_coding_ = false;
  has_length_ = false;
  started_ = false;
  length_ = 0;
  remaining_ = 0;
  body_bytes_ = 0;
}

void ResponseParser::keep(model::Headers* headers, std::string* body, std::size_t limit) noexcept {
  kept_headers_ = headers;
  kept_body_ = body;
  body_limit_ = limit;
}

void ResponseParser::keep_body(std::string_view piece) {
  if (kept_body_->size() < body_limit_)
    kept_body_->append(piece.substr(0, body_limit_ - kept_body_->size()));
}

void ResponseParser::fail(std::string why) {
  state_ = State::failed;
  keep_alive_ = false;
  error_ = std::move(why);
}

void ResponseParser::finish() noexcept {
  state_ = State::complete;
  phase_ = Phase::done;
}

bool ResponseParser::line_phase() const noexcept {
  return phase_ == Phase::status_line || phase_ == Phase::headers || phase_ == Phase::chunk_size ||
         phase_ == Phase::chunk_end || phase_ == Phase::trailers;
}

std::size_t ResponseParser::feed(std::string_view data) {
  if (!data.empty())
    started_ = true;
  std::size_t pos = 0;
  while (pos < data.size() && state_ == State::incomplete) {
    if (line_phase()) {
      const auto rest = data.substr(pos);
      const auto nl = rest.find('\n');
      const auto piece = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl);
      if (phase_ == Phase::chunk_end &&
          (line_.size() + piece.size() > 1 || piece.find_first_not_of('\r') != piece.npos)) {
        fail("malformed chunked body: a chunk is not followed by CRLF");
        break;
      }
      if (line_.size() + piece.size() > kMaxLine) {
        fail("a response line is longer than " + std::to_string(kMaxLine / 1024) + " KiB");
        break;
      }
      if (nl == std::string_view::npos) {
        line_.append(piece);
        pos = data.size();
        break;
      }
      pos += nl + 1;
      std::string_view line = piece;
      if (!line_.empty()) {
        line_.append(piece);
        line = line_;
      }
      if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
      on_line(line);
      line_.clear();
      continue;
    }
    const auto avail = static_cast<std::int64_t>(data.size() - pos);
    if (phase_ == Phase::until_close) {
      if (kept_body_ != nullptr)
        keep_body(data.substr(pos));
      body_bytes_ += avail;
      pos = data.size();
      break;
    }
    const auto n = std::min(avail, remaining_);
    if (kept_body_ != nullptr)
      keep_body(data.substr(pos, static_cast<std::size_t>(n)));
    pos += static_cast<std::size_t>(n);
    remaining_ -= n;
    body_bytes_ += n;
    if (remaining_ == 0) {
      if (phase_ == Phase::body)
        finish();
      else
        phase_ = Phase::chunk_end;
    }
  }
  return pos;
}

void ResponseParser::on_line(std::string_view line) {
  switch (phase_) {
  case Phase::status_line:
  case Phase::headers:
  case Phase::trailers:
    header_bytes_ += line.size() + 2;
    if (header_bytes_ > kMaxHeaderBlock) {
      fail("the response header block is larger than " + std::to_string(kMaxHeaderBlock / 1024) +
           " KiB");
      return;
    }
    if (phase_ == Phase::status_line)
      on_status_line(line);
    else if (phase_ == Phase::headers)
      on_header_line(line);
    else if (line.empty())
      finish();
    else if (kept_headers_ != nullptr) // libcurl hands trailers to the header callback too
      keep_header(line);
    return;
  case Phase::chunk_size:
    on_chunk_size(line);
    return;
  case Phase::chunk_end:
    if (!line.empty())
      fail("malformed chunked body: a chunk is not followed by CRLF");
    else
      phase_ = Phase::chunk_size;
    return;
  default:
    return;
  }
}

void ResponseParser::on_status_line(std::string_view line) {
  // HTTP/1.x SP 3DIGIT [SP reason]
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !is_digit(line[7]) || line[8] != ' ' ||
      !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
      (line.size() > 12 && line[12] != ' ')) {
    fail("malformed status line: " + util::printable(std::string(line.substr(0, 80))));
    return;
  }
  if (kept_headers_ != nullptr)
    kept_headers_->clear(); // the headers of an interim answer are not the answer's
  minor_ = line[7] - '0';
  status_ = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status_ < 100) {
    fail("malformed status line: status " + std::to_string(status_));
    return;
  }
  phase_ = Phase::headers;
}

void ResponseParser::on_header_line(std::string_view line) {
  if (line.empty()) {
    end_of_headers();
    return;
  }
  if (kept_headers_ != nullptr)
    keep_header(line);
  if (line.front() == ' ' || line.front() == '\t')
    return; // obsolete line folding: libcurl hands it on as a line of its own (kept above)
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail("malformed response header line: " + util::printable(std::string(line.substr(0, 80))));
    return;
  }
  const auto name = line.substr(0, colon);
  const auto value = util::trim(line.substr(colon + 1));
  if (util::iequals(name, "Content-Length")) {
    const auto n = parse_length(value);
    if (n < 0 || (has_length_ && n != length_)) {
      fail("malformed Content-Length in the response: " +
           util::printable(std::string(value.substr(0, 40))));
      return;
    }
    has_length_ = true;
    length_ = n;
  } else if (util::iequals(name, "Transfer-Encoding")) {
    const auto last =
        value.substr(value.rfind(',') == std::string_view::npos ? 0 : value.rfind(',') + 1);
    chunked_ = util::iequals(util::trim(last), "chunked");
    other_coding_ = !chunked_;
  } else if (util::iequals(name, "Connection")) {
    saw_close_ = saw_close_ || has_token(value, "close");
    saw_keep_alive_ = saw_keep_alive_ || has_token(value, "keep-alive");
  }
}

void ResponseParser::keep_header(std::string_view line) {
  if (auto h = model::parse_header_line(util::trim(line)))
    kept_headers_->push_back(std::move(*h));
}

void ResponseParser::end_of_headers() {
  if (status_ < 200) {
    if (status_ == 101) {
      fail("the server switched protocols (101) though nothing asked it to");
      return;
    }
    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
    const bool was_started = started_;
    reset();
    started_ = was_started;
    return;
  }
  keep_alive_ = minor_ >= 1 ? !saw_close_ : saw_keep_alive_ && !saw_close_;
  if (no_body_ || status_ == 204 || status_ == 304 ||
      (!chunked_ && !other_coding_ && has_length_ && length_ == 0)) {
    finish(); // no body
  } else if (chunked_) {
    phase_ = Phase::chunk_size;
  } else if (other_coding_ || !has_length_) {
    phase_ = Phase::until_close; // the body ends when the connection does
    keep_alive_ = false;
  } else {
    remaining_ = length_;
    phase_ = Phase::body;
  }
}

void ResponseParser::on_chunk_size(std::string_view line) {
  std::int64_t size = 0;
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    const int v = util::hex_value(line[i]);
    if (v < 0)
      break;
    if (size > (std::int64_t{1} << 56)) {
      fail("malformed chunked body: a chunk size overflows");
      return;
    }
    size = size * 16 + v;
  }
  const auto rest = line.substr(i);
  if (i == 0 ||
      (!rest.empty() && rest.front() != ';' && rest.front() != ' ' && rest.front() != '\t')) {
    fail("malformed chunked body: bad chunk size line " +
         util::printable(std::string(line.substr(0, 40))));
    return;
  }
  if (size == 0) {
    phase_ = Phase::trailers;
  } else {
    remaining_ = size;
    phase_ = Phase::chunk_data;
  }
}

void ResponseParser::on_eof() {
  if (state_ != State::incomplete)
    return;
  if (phase_ == Phase::until_close) {
    keep_alive_ = false;
    finish();
    return;
  }
  if (!started_)
    fail("the server closed the connection without answering");
  else if (phase_ == Phase::body)
    fail("the server closed the connection mid-response (" + std::to_string(body_bytes_) + " of " +
         std::to_string(length_) + " body bytes)");
  else
    fail("the server closed the connection mid-response");
}

} // namespace hooktool::net
