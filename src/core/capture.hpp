#pragma once

#include "model/http.hpp"
#include "providers/provider.hpp"
#include "util/error.hpp"

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

// Why a method read from a file cannot be sent as one (empty when it can): it must be an HTTP
// token (RFC 9110 §9.1), so no space, CR, LF or NUL can split the request line.
std::string method_problem(std::string_view method);
// Why a header read from a file cannot be sent (empty when it can): the name must be an HTTP
// token, the value must not hold CR, LF or NUL (RFC 9110 §5.5: they would end the header line
// and inject a header or a second request, or cut the value). Other bytes, obs-text included,
// are sent as they are.
std::string header_problem(std::string_view name, std::string_view value);

// Why the request of a record read from a file cannot be sent as it is (empty when it can):
// method_problem, header_problem, or CR, LF or NUL in the path or query.
std::string unsendable(const CaptureRecord& record);

// Thrown by parse_capture_line, with unsendable's reason, for a record that is well formed but
// cannot be sent as it is: a capture record still, so a reader does not call the file "not a
// capture file". An exit-2 usage error.
class UnsendableRecord : public Error {
public:
  explicit UnsendableRecord(const std::string& message) : Error(ExitCode::usage, message) {}
};

// A fresh capture id ("cap_" + 20 base62 characters).
std::string new_capture_id();
// The record as one JSON line, '\n' included; body as text when UTF-8, else body_base64; a
// header whose name or value is not UTF-8 as [printable name, printable value,
// {"name_base64"?, "value_base64"?}] (README §Capture format), so every byte comes back.
std::string to_capture_line(const CaptureRecord& record);
// Where a delivery originally went: send --save records the URL; listen has the Host header.
std::string original_url(const CaptureRecord& record);
// Parses one line; throws hooktool::Error (usage) with the reason when it is not a record, and
// UnsendableRecord when it is one that cannot be sent (see method_problem, header_problem).
CaptureRecord parse_capture_line(std::string_view line);

} // namespace hooktool::core
