#pragma once

#include "model/http.hpp"
#include "providers/provider.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hooktool::core {

// Set on a delivery whose provider event id was seen before in this run.
struct DuplicateInfo {
  int seen = 0;         // how many times, this one included
  std::string first_id; // capture id of the first one
  std::int64_t first_seen_ms = 0;
};

// What the real handler answered when listen forwarded the delivery.
struct ForwardInfo {
  std::string url;
  std::optional<int> status; // absent when the handler could not be reached
  std::int64_t duration_ms = 0;
  std::string error; // why it could not be reached, in words
  std::string body;  // the handler's response body (for display)
  // refused, timeout, dns, tls, connect, other, too_large, not_forwardable ("" when answered)
  std::string error_kind{};
};

// What listen did with a provider's endpoint-verification request (Slack url_verification,
// Zoom endpoint.url_validation, …).
struct HandshakeInfo {
  bool answered = false;    // listen answered it itself (the signature verified)
  int status = 0;           // the answer listen gave, when answered
  std::string content_type; // the answer's content type, when answered
  std::string body;         // the answer's body, when answered
  std::string note;         // why it was not answered ("signature invalid", "--no-handshake")
};

// One delivery as captured by listen or saved by send --save (one JSON line, README §Capture).
struct CaptureRecord {
  std::string id;                  // capture id, unique per record
  std::int64_t received_at_ms = 0; // when it arrived (listen) or was sent (send)
  std::string method = "POST";
  std::string path = "/";
  std::string query;      // without '?'
  std::string url;        // full target URL (send --save only)
  model::Headers headers; // name case, order and repeats as on the wire
  std::string body;       // exact bytes
  std::string remote;     // peer address
  std::string provider;
  std::string event_type;
  std::string event_id;
  model::Verdict verification;
  std::optional<int> response_status; // absent when no response was had
  std::int64_t duration_ms = 0;
  std::optional<DuplicateInfo> duplicate; // listen only
  std::optional<ForwardInfo> forward;     // listen --forward-to only
  std::optional<HandshakeInfo> handshake; // listen: the delivery was a handshake
};

// A fresh capture id ("cap_" + 20 base62 characters).
std::string new_capture_id();
// The record as one JSON line, '\n' included; body as text when UTF-8, else body_base64.
std::string to_capture_line(const CaptureRecord& record);
// Where a delivery originally went: send --save records the URL; listen has the Host header.
std::string original_url(const CaptureRecord& record);
// Parses one line; throws hooktool::Error (usage) with the reason when it is not a record.
CaptureRecord parse_capture_line(std::string_view line);

} // namespace hooktool::core
