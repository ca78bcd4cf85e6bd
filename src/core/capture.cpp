#include "core/capture.hpp"

#include "crypto/crypto.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace hooktool::core {

namespace {

constexpr std::string_view kLineBreakingBytes("\r\n\0", 3);

// How an error quotes a value from a file: escaped (no byte a terminal acts on), capped.
std::string shown(std::string_view s) {
  return "\"" + util::capped(s, 60) + "\"";
}

} // namespace

std::string method_problem(std::string_view method) {
  if (util::is_http_token(method))
    return {};
  return "the method " + shown(method) + " is not an HTTP token: it cannot be sent";
}

std::string header_problem(std::string_view name, std::string_view value) {
  if (!util::is_http_token(name))
    return "the header name " + shown(name) + " is not an HTTP token: it cannot be sent";
  if (value.find_first_of(kLineBreakingBytes) != std::string_view::npos)
    return "header " + std::string(name) + ": the value holds CR, LF or NUL, which would end " +
           "the header line: " + shown(value);
  return {};
}

std::string unsendable(const CaptureRecord& r) {
  if (auto why = method_problem(r.method); !why.empty())
    return why;
  for (const auto& h : r.headers)
    if (auto why = header_problem(h.name, h.value); !why.empty())
      return why;
  for (const auto& [field, text] : {std::pair{"path", &r.path}, std::pair{"query", &r.query}})
    if (text->find_first_of(kLineBreakingBytes) != std::string::npos)
      return std::string("the ") + field +
             " holds CR, LF or NUL: it cannot be sent: " + shown(*text);
  return {};
}

namespace {

using ojson = nlohmann::ordered_json;

// 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z: the times an RFC 3339 year can spell.
constexpr std::int64_t kMinTimeMs = -62167219200000;
constexpr std::int64_t kMaxTimeMs = 253402300800000;

model::VerdictStatus parse_status(const std::string& s) {
  using model::VerdictStatus;
  for (const auto st : {VerdictStatus::valid, VerdictStatus::invalid, VerdictStatus::expired,
                        VerdictStatus::unsigned_, VerdictStatus::unverified})
    if (model::to_string(st) == s)
      return st;
  throw usage_error("unknown verification status '" + util::capped(s, 40) + "'");
}

std::string get_string(const ojson& j, const char* key, bool required) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required)
      throw usage_error(std::string("missing \"") + key + "\"");
    return {};
  }
  if (!it->is_string())
    throw usage_error(std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

// An integer field that fits in T, else nullopt (absent, null, a float, out of range).
template <class T> std::optional<T> get_integer(const ojson& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer())
    return std::nullopt;
  if (it->is_number_unsigned()) {
    const auto u = it->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
      return std::nullopt;
    return static_cast<T>(u);
  }
  const auto v = it->get<std::int64_t>();
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max())
    return std::nullopt;
  return static_cast<T>(v);
}

// An RFC 3339 time in years 0000-9999 (what format_rfc3339 can write back), as ms.
std::int64_t get_time(const ojson& j, const char* key) {
  const auto text = get_string(j, key, false);
  if (text.empty())
    return 0;
  const auto ms = util::parse_rfc3339(text);
  if (!ms)
    throw usage_error(std::string("\"") + key + "\" is not an RFC 3339 time");
  // A numeric offset can move the time out of years 0000-9999, which cannot be written back.
  if (*ms < kMinTimeMs || *ms >= kMaxTimeMs)
    throw usage_error(std::string("\"") + key + "\" is outside years 0000 to 9999");
  return *ms;
}

DuplicateInfo parse_duplicate(const ojson& j) {
  DuplicateInfo d;
  d.seen = get_integer<int>(j, "seen").value_or(0);
  d.first_id = get_string(j, "first_id", false);
  d.first_seen_ms = get_time(j, "first_seen");
  return d;
}

ForwardInfo parse_forward(const ojson& j) {
  ForwardInfo f;
  f.url = get_string(j, "url", false);
  f.status = get_integer<int>(j, "status");
  f.duration_ms = get_integer<std::int64_t>(j, "duration_ms").value_or(0);
  f.error = get_string(j, "error", false);
  f.error_kind = get_string(j, "error_kind", false);
  return f;
}

// One element of "headers": [name, value], or [name, value, {"name_base64"?, "value_base64"?}]
// whose base64 holds the exact bytes (the text is then only for people and jq).
model::Header parse_header(const ojson& h) {
  if (!h.is_array() || h.size() < 2 || h.size() > 3 || !h[0].is_string() || !h[1].is_string())
    throw usage_error("\"headers\" must be an array of [name, value] pairs");
  model::Header out{h[0].get<std::string>(), h[1].get<std::string>()};
  if (h.size() == 3) {
    if (!h[2].is_object())
      throw usage_error("a header's third element must be an object ({\"value_base64\":…})");
    for (const auto& [key, into] :
         {std::pair{"name_base64", &out.name}, std::pair{"value_base64", &out.value}}) {
      if (!h[2].contains(key))
        continue;
      const auto decoded = crypto::base64_decode(get_string(h[2], key, false));
      if (!decoded)
        throw usage_error("header " + util::capped(out.name, 60) + ": \"" + key +
                          "\" is not valid base64");
      *into = *decoded;
    }
  }
  return out;
}

HandshakeInfo parse_handshake(const ojson& j) {
  HandshakeInfo h;
  if (const auto a = j.find("answered"); a != j.end() && a->is_boolean())
    h.answered = a->get<bool>();
  h.status = get_integer<int>(j, "status").value_or(0);
  h.content_type = get_string(j, "content_type", false);
  h.body = get_string(j, "body", false);
  h.note = get_string(j, "note", false);
  return h;
}

} // namespace

std::string new_capture_id() {
  return "cap_" + crypto::random_string(
                      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 20);
}

namespace {

// Whether the caller already knows the text is UTF-8 (the body is checked once).
enum class Utf8 { check, known_valid };

// Appends s as a JSON string. Valid UTF-8 is copied as is (only '"', '\\' and control
// characters are escaped); text that is not UTF-8 (a header value) goes through the JSON
// library, which replaces the bad bytes rather than failing.
void append_json_string(std::string& out, std::string_view s, Utf8 utf8 = Utf8::check) {
  if (utf8 == Utf8::check && !util::is_valid_utf8(s)) {
    out += ojson(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  util::append_json_escaped(out, s);
  out += '"';
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

// [name, value], or for a name or value that is not UTF-8 [printable name, printable value,
// {"name_base64":…, "value_base64":…}] (only the keys of what is not UTF-8): the text shows
// the bad bytes as \xHH, the base64 holds the exact bytes (README §Capture format).
void append_header(std::string& out, const model::Header& h) {
  const bool name_utf8 = util::is_valid_utf8(h.name);
  const bool value_utf8 = util::is_valid_utf8(h.value);
  out += '[';
  append_json_string(out, name_utf8 ? h.name : util::printable(h.name), Utf8::known_valid);
  out += ',';
  append_json_string(out, value_utf8 ? h.value : util::printable(h.value), Utf8::known_valid);
  if (!name_utf8 || !value_utf8) {
    out += ",{";
    if (!name_utf8)
      out += "\"name_base64\":\"" + crypto::base64_encode(h.name) + "\"";
    if (!value_utf8)
      out += std::string(name_utf8 ? "" : ",") + "\"value_base64\":\"" +
             crypto::base64_encode(h.value) + "\"";
    out += '}';
  }
  out += ']';
}

void append_nullable(std::string& out, std::string_view name, const std::string& value) {
  if (value.empty()) {
    out += ",\"";
    out += name;
    out += "\":null";
  } else {
    append_field(out, name, value);
  }
}

} // namespace

std::string to_capture_line(const CaptureRecord& r) {
  // Written by hand rather than through a JSON document: this runs once per delivery on the
  // listener's hot path, and the body can be megabytes.
  std::string out;
  out.reserve(r.body.size() + r.body.size() / 8 + 512 + 64 * r.headers.size());
  out += "{\"id\":";
  append_json_string(out, r.id);
  append_field(out, "received_at", util::format_rfc3339(r.received_at_ms, util::Precision::millis));
  append_field(out, "method", r.method);
  append_field(out, "path", r.path);
  append_field(out, "query", r.query);
  if (!r.url.empty())
    append_field(out, "url", r.url);
  out += ",\"headers\":[";
  for (std::size_t i = 0; i < r.headers.size(); ++i) {
    if (i > 0)
      out += ',';
    append_header(out, r.headers[i]);
  }
  out += ']';
  if (util::is_valid_utf8(r.body)) {
    out += ",\"body\":";
    append_json_string(out, r.body, Utf8::known_valid);
  } else {
    append_field(out, "body_base64", crypto::base64_encode(r.body));
  }
  append_field(out, "remote", r.remote);
  append_nullable(out, "provider", r.provider);
  append_nullable(out, "event_type", r.event_type);
  append_nullable(out, "event_id", r.event_id);
  out += ",\"verification\":{\"status\":\"";
  out += model::to_string(r.verification.status);
  out += "\"";
  append_field(out, "reason", r.verification.reason);
  out += "},\"response\":{\"status\":";
  out += r.response_status ? std::to_string(*r.response_status) : "null";
  out += ",\"duration_ms\":" + std::to_string(r.duration_ms) + "}";
  if (r.duplicate) {
    out += ",\"duplicate\":{\"seen\":" + std::to_string(r.duplicate->seen);
    append_field(out, "first_id", r.duplicate->first_id);
    append_field(out, "first_seen",
                 util::format_rfc3339(r.duplicate->first_seen_ms, util::Precision::millis));
    out += '}';
  }
  if (r.forward) {
    out += ",\"forward\":{\"url\":";
    append_json_string(out, r.forward->url);
    out += ",\"status\":";
    out += r.forward->status ? std::to_string(*r.forward->status) : "null";
    out += ",\"duration_ms\":" + std::to_string(r.forward->duration_ms);
    append_nullable(out, "error", r.forward->error);
    if (!r.forward->error_kind.empty()) // absent when answered: older records stay byte-exact
      append_field(out, "error_kind", r.forward->error_kind);
    out += '}';
  }
  if (r.handshake) {
    out += ",\"handshake\":{\"answered\":";
    out += r.handshake->answered ? "true" : "false";
    out += ",\"status\":";
    out += r.handshake->status != 0 ? std::to_string(r.handshake->status) : "null";
    append_nullable(out, "content_type", r.handshake->content_type);
    append_nullable(out, "body", r.handshake->body);
    append_nullable(out, "note", r.handshake->note);
    out += '}';
  }
  out += "}\n";
  return util::json_for_terminal(std::move(out)); // jq, listen --json: no raw DEL or C1
}

CaptureRecord parse_capture_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.remove_suffix(1);
  if (util::json_nesting_exceeds(line, 64))
    throw usage_error("nesting too deep for a capture record");
  auto j = ojson::parse(line, nullptr, false);
  if (j.is_discarded())
    throw usage_error(line.empty() ? "empty line" : "not valid JSON (truncated record?)");
  if (!j.is_object())
    throw usage_error("a capture record must be a JSON object");
  CaptureRecord r;
  r.id = get_string(j, "id", true);
  r.received_at_ms = get_time(j, "received_at");
  r.method = get_string(j, "method", true);
  r.path = get_string(j, "path", true);
  r.query = get_string(j, "query", false);
  r.url = get_string(j, "url", false);
  const auto hs = j.find("headers");
  if (hs == j.end() || !hs->is_array())
    throw usage_error("\"headers\" must be an array of [name, value] pairs");
  for (const auto& h : *hs)
    r.headers.push_back(parse_header(h));
  if (j.contains("body_base64")) {
    const auto decoded = crypto::base64_decode(get_string(j, "body_base64", true));
    if (!decoded)
      throw usage_error("\"body_base64\" is not valid base64");
    r.body = *decoded;
  } else {
    r.body = get_string(j, "body", true);
  }
  r.remote = get_string(j, "remote", false);
  r.provider = get_string(j, "provider", false);
  r.event_type = get_string(j, "event_type", false);
  r.event_id = get_string(j, "event_id", false);
  if (const auto v = j.find("verification"); v != j.end() && v->is_object()) {
    r.verification.status = parse_status(get_string(*v, "status", true));
    r.verification.reason = get_string(*v, "reason", false);
  }
  if (const auto resp = j.find("response"); resp != j.end() && resp->is_object()) {
    if (const auto s = resp->find("status"); s != resp->end() && s->is_number_integer())
      r.response_status = s->get<int>();
    if (const auto d = resp->find("duration_ms"); d != resp->end() && d->is_number_integer())
      r.duration_ms = d->get<std::int64_t>();
    else if (d != resp->end() && d->is_number_float() && std::fabs(d->get<double>()) < 9e18)
      r.duration_ms = static_cast<std::int64_t>(d->get<double>()); // larger: UB to convert
  }
  if (const auto d = j.find("duplicate"); d != j.end() && d->is_object())
    r.duplicate = parse_duplicate(*d);
  if (const auto f = j.find("forward"); f != j.end() && f->is_object())
    r.forward = parse_forward(*f);
  if (const auto h = j.find("handshake"); h != j.end() && h->is_object())
    r.handshake = parse_handshake(*h);
  if (auto why = unsendable(r); !why.empty())
    throw UnsendableRecord(why);
  return r;
}

std::string original_url(const CaptureRecord& r) {
  if (!r.url.empty())
    return r.url;
  const auto host = model::find_header(r.headers, "Host");
  return "http://" + std::string(host ? *host : "localhost") + r.path +
         (r.query.empty() ? "" : "?" + r.query);
}

} // namespace hooktool::core
