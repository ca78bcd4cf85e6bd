#include "net/request_reader.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cctype>

namespace hooktool::net::server {

namespace {

constexpr std::size_t kMaxChunkLine = 1024; // chunk size plus extensions; real senders use < 20

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back()))
    s.remove_suffix(1);
  return s;
}

// field-value bytes (RFC 9110 §5.5): VCHAR, obs-text, SP and HTAB; no other control byte.
bool valid_field_value(std::string_view v) noexcept {
  return std::all_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Calls f on each element of a comma-separated list (RFC 9110 §5.6.1), OWS trimmed; empty
// elements are skipped, as the list rule allows.
template <class F> void for_each_element(std::string_view list, F&& f) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto element = trim_ows(list.substr(0, comma));
    if (!element.empty())
      f(element);
    if (comma == std::string_view::npos)
      break;
    list.remove_prefix(comma + 1);
  }
}

// What the framing and connection headers of a request head say.
struct HeadFacts {
  std::size_t hosts = 0;
  bool has_te = false;
  std::size_t codings = 0;
  bool chunked_last = false;
  bool has_length = false;
  std::string length; // decimal digits without leading zeros
  bool close = false;
  bool keep_alive = false;
  bool expect_continue = false;
  const char* error = nullptr; // a Content-Length that cannot be trusted
};

HeadFacts scan_head(const model::Headers& headers) {
  HeadFacts f;
  for (const auto& h : headers) {
    if (util::iequals(h.name, "Host")) {
      ++f.hosts;
    } else if (util::iequals(h.name, "Transfer-Encoding")) {
      f.has_te = true;
      for_each_element(h.value, [&](std::string_view coding) {
        ++f.codings;
        f.chunked_last = util::iequals(coding, "chunked");
      });
    } else if (util::iequals(h.name, "Content-Length")) {
      // A plain decimal only: "+2", "2abc", "0x10" and lists ("2, 2") are all refused.
      if (!all_digits(h.value)) {
        f.error = "Content-Length is not a decimal number";
        return f;
      }
      auto digits = std::string_view(h.value);
      while (digits.size() > 1 && digits.front() == '0')
        digits.remove_prefix(1);
      if (f.has_length && digits != f.length) {
        f.error = "differing Content-Length values";
        return f;
      }
      f.has_length = true;
      f.length = digits;
    } else if (util::iequals(h.name, "Connection")) {
      for_each_element(h.value, [&](std::string_view option) {
        f.close = f.close || util::iequals(option, "close");
        f.keep_alive = f.keep_alive || util::iequals(option, "keep-alive");
      });
    } else if (util::iequals(h.name, "Expect")) {
      f.expect_continue = util::iequals(h.value, "100-continue");
    }
  }
  return f;
}

} // namespace

std::size_t RequestReader::feed(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size() && state_ != State::complete && state_ != State::error) {
    const auto rest = data.substr(used);
    used += state_ == State::body ? feed_body(rest) : feed_head(rest);
  }
  return used;
}

ParsedRequest RequestReader::take() {
  ParsedRequest out = std::move(req_);
  req_ = {};
  state_ = State::idle;
  body_ = Body::none;
  line_.clear();
  if (line_.capacity() > 4096)
    std::string().swap(line_); // one long header line does not pin its buffer for good
  head_bytes_ = 0;
  header_count_ = 0;
  remaining_ = 0;
  continue_pending_ = false;
  saw_request_line_ = false;
  return out;
}

void RequestReader::fail(int status, std::string reason) {
  state_ = State::error;
  error_ = {status, std::move(reason)};
}

bool RequestReader::take_line(std::string_view data, std::size_t& used, std::size_t cap,
                              int over_status) {
  const auto lf = data.find('\n', used);
  const auto end = lf == std::string_view::npos ? data.size() : lf + 1;
  // Check before appending, so that an endless line never grows the buffer past the cap.
  if (line_.size() + (end - used) > cap) {
    fail(over_status, over_status == 431 ? "request header block too large" : "line too long");
    used = data.size();
    return false;
  }
  line_.append(data.substr(used, end - used));
  used = end;
  if (lf == std::string_view::npos)
    return false;
  if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
    fail(400, "line ended by a bare LF");
    return false;
  }
  return true;
}

std::size_t RequestReader::feed_head(std::string_view data) {
  state_ = State::head;
  std::size_t used = 0;
  while (used < data.size() && state_ == State::head) {
    const auto budget = limits_.max_head_bytes - std::min(head_bytes_, limits_.max_head_bytes);
    if (!take_line(data, used, budget, 431))
      break;
    head_bytes_ += line_.size();
    head_line(std::string_view(line_).substr(0, line_.size() - 2));
    line_.clear(); // keeps its capacity for the next line
  }
  return used;
}

void RequestReader::head_line(std::string_view line) {
  if (!saw_request_line_) {
    // RFC 9112 §2.2: empty lines before the request line are ignored.
    if (!line.empty()) {
      saw_request_line_ = true;
      request_line(line);
    }
  } else if (line.empty()) {
    end_of_head();
  } else {
    header_line(line, req_.headers);
  }
}

void RequestReader::request_line(std::string_view line) {
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos)
    return fail(400, "malformed request line");
  const auto method = line.substr(0, sp1);
  const auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), [](char c) {
        return is_tchar(static_cast<unsigned char>(c));
      }))
    return fail(400, "invalid method");
  // Any visible byte; no space or control byte (they would end or split the target).
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c != 0x7f;
      }))
    return fail(400, "invalid request target");
  // RFC 9112 §2.3: a higher minor version of HTTP/1 is read as HTTP/1.1; any other version
  // cannot be framed as HTTP/1 and is refused (400, as other HTTP/1 servers answer it).
  if (version.size() != 8 || !version.starts_with("HTTP/1.") ||
      std::isdigit(static_cast<unsigned char>(version[7])) == 0)
    return fail(400, "unsupported HTTP version");
  req_.minor_version = version[7] == '0' ? 0 : 1;
  req_.method = method;
  req_.target = target;
}

void RequestReader::header_line(std::string_view line, model::Headers& into) {
  if (is_ows(line.front()))
    return fail(400, "obsolete line folding");
  const auto colon = line.find(':');
  if (colon == std::string_view::npos)
    return fail(400, "header line without a colon");
  const auto name = line.substr(0, colon);
  // A name must be a token: this also refuses whitespace before the colon (RFC 9112 §5.1).
  if (name.empty() || !std::all_of(name.begin(), name.end(),
                                   [](char c) { return is_tchar(static_cast<unsigned char>(c)); }))
    return fail(400, "invalid header name");
  const auto value = trim_ows(line.substr(colon + 1));
  if (!valid_field_value(value))
    return fail(400, "control character in a header value");
  if (++header_count_ > limits_.max_headers)
    return fail(431, "too many header fields");
  into.push_back({std::string(name), std::string(value)});
}

void RequestReader::end_of_head() {
  const auto facts = scan_head(req_.headers);
  if (facts.error != nullptr)
    return fail(400, facts.error);
  const auto& [hosts, has_te, codings, chunked_last, has_length, length, close, keep_alive,
               expect_continue, error] = facts;
  req_.keep_alive = !close && (req_.minor_version == 1 || keep_alive);
  // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host is answered 400.
  if (req_.minor_version == 1 && hosts != 1)
    return fail(400, hosts == 0 ? "no Host header" : "more than one Host header");
  if (hosts > 1)
    return fail(400, "more than one Host header");

  if (has_te) {
    // RFC 9112 §6.1-6.3: with both, the length is ambiguous between servers (smuggling);
    // an HTTP/1.0 request cannot be chunked; the only coding read here is one "chunked"
    // (any other would leave the body's end unknown or its bytes transformed).
    if (has_length)
      return fail(400, "both Content-Length and Transfer-Encoding");
    if (req_.minor_version == 0)
      return fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (codings != 1 || !chunked_last)
      return fail(400, "unsupported transfer coding (only chunked is accepted)");
    state_ = State::body;
    body_ = Body::chunk_size;
  } else if (has_length) {
    // Refused before any byte of the body is read.
    if (length.size() > 19 || std::stoull(length) > limits_.max_body)
      return fail(413, "body over the limit (Content-Length)");
    remaining_ = std::stoull(length);
    if (remaining_ == 0)
      return finish();
    // Reserve what is declared only up to 1 MiB: a client that declares 10 MiB on each of a
    // thousand connections and sends nothing does not get the memory set aside for it.
    req_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, 1u << 20)));
    state_ = State::body;
    body_ = Body::length;
  } else {
    return finish();
  }
  continue_pending_ = expect_continue && req_.minor_version == 1;
}

std::size_t RequestReader::feed_body(std::string_view data) {
  std::size_t used = 0;
  while (used < data.size() && state_ == State::body) {
    switch (body_) {
    case Body::length:
    case Body::chunk_data: {
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(remaining_, static_cast<std::uint64_t>(data.size() - used)));
      req_.body.append(data.substr(used, n));
      used += n;
      remaining_ -= n;
      if (remaining_ == 0) {
        if (body_ == Body::length)
          finish();
        else
          body_ = Body::chunk_data_end;
      }
      break;
    }
    case Body::chunk_size:
      if (take_line(data, used, kMaxChunkLine, 400)) {
        chunk_size_line(std::string_view(line_).substr(0, line_.size() - 2));
        line_.clear();
      }
      break;
    case Body::chunk_data_end:
      // Exactly CRLF after the chunk's data: two bytes, no more.
      if (take_line(data, used, 2, 400)) {
        line_.clear();
        body_ = Body::chunk_size;
      }
      break;
    case Body::trailers: {
      const auto budget = limits_.max_head_bytes - std::min(head_bytes_, limits_.max_head_bytes);
      if (!take_line(data, used, budget, 431))
        break;
      head_bytes_ += line_.size();
      const auto content = std::string_view(line_).substr(0, line_.size() - 2);
      if (content.empty()) {
        finish();
      } else {
        // Trailer fields are checked like header fields, then dropped: they are not part of
        // the body, and merging them into the headers would misstate what the head said.
        model::Headers trailers;
        header_line(content, trailers);
      }
      line_.clear();
      break;
    }
    case Body::none:
      finish();
      break;
    }
  }
  return used;
}

void RequestReader::chunk_size_line(std::string_view line) {
  std::uint64_t size = 0;
  std::size_t i = 0;
  for (; i < line.size() && util::hex_value(line[i]) >= 0; ++i) {
    size = size * 16 + static_cast<std::uint64_t>(util::hex_value(line[i]));
    // Checked per digit, so the value never overflows (max_body is far below 2^60).
    if (size + req_.body.size() > limits_.max_body)
      return fail(413, "body over the limit (chunked)");
  }
  if (i == 0)
    return fail(400, "invalid chunk size");
  auto ext = line.substr(i);
  while (!ext.empty() && is_ows(ext.front()))
    ext.remove_prefix(1);
  if (ext.size() != line.size() - i && ext.empty())
    return fail(400, "invalid chunk size");
  // chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ): read past, never interpreted.
  if (!ext.empty() && (ext.front() != ';' || !valid_field_value(ext)))
    return fail(400, "invalid chunk extension");
  if (size == 0) {
    body_ = Body::trailers;
  } else {
    remaining_ = size;
    body_ = Body::chunk_data;
  }
}

} // namespace hooktool::net::server
