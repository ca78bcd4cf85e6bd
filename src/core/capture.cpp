#include "core/capture.hpp"

#include "crypto/crypto.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <nlohmann/json.hpp>

namespace hooktool::core {

namespace {

using ojson = nlohmann::ordered_json;

providers::VerdictStatus parse_status(const std::string& s) {
  using providers::VerdictStatus;
  for (const auto st : {VerdictStatus::valid, VerdictStatus::invalid, VerdictStatus::expired,
                        VerdictStatus::unsigned_, VerdictStatus::unverified})
    if (providers::to_string(st) == s)
      return st;
  throw usage_error("unknown verification status '" + s + "'");
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

} // namespace

std::string new_capture_id() {
  return "cap_" + crypto::random_string(
                      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 20);
}

std::string to_capture_line(const CaptureRecord& r) {
  ojson j;
  j["id"] = r.id;
  j["received_at"] = util::format_rfc3339(r.received_at_ms, util::Precision::millis);
  j["method"] = r.method;
  j["path"] = r.path;
  j["query"] = r.query;
  if (!r.url.empty())
    j["url"] = r.url;
  auto headers = ojson::array();
  for (const auto& h : r.headers)
    headers.push_back(ojson::array({h.name, h.value}));
  j["headers"] = std::move(headers);
  if (util::is_valid_utf8(r.body))
    j["body"] = r.body;
  else
    j["body_base64"] = crypto::base64_encode(r.body);
  j["remote"] = r.remote;
  j["provider"] = r.provider.empty() ? ojson(nullptr) : ojson(r.provider);
  j["event_type"] = r.event_type.empty() ? ojson(nullptr) : ojson(r.event_type);
  j["event_id"] = r.event_id.empty() ? ojson(nullptr) : ojson(r.event_id);
  j["verification"] = {{"status", providers::to_string(r.verification.status)},
                       {"reason", r.verification.reason}};
  j["response"] = {{"status", r.response_status ? ojson(*r.response_status) : ojson(nullptr)},
                   {"duration_ms", r.duration_ms}};
  if (r.duplicate)
    j["duplicate"] = {
        {"seen", r.duplicate->seen},
        {"first_id", r.duplicate->first_id},
        {"first_seen", util::format_rfc3339(r.duplicate->first_seen_ms, util::Precision::millis)}};
  if (r.forward)
    j["forward"] = {{"url", r.forward->url},
                    {"status", r.forward->status ? ojson(*r.forward->status) : ojson(nullptr)},
                    {"duration_ms", r.forward->duration_ms},
                    {"error", r.forward->error.empty() ? ojson(nullptr) : ojson(r.forward->error)}};
  // Header values and bodies may hold bytes that are not UTF-8; replace rather than throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
  const auto received = get_string(j, "received_at", false);
  if (!received.empty()) {
    const auto ms = util::parse_rfc3339(received);
    if (!ms)
      throw usage_error("\"received_at\" is not an RFC 3339 time");
    r.received_at_ms = *ms;
  }
  r.method = get_string(j, "method", true);
  r.path = get_string(j, "path", true);
  r.query = get_string(j, "query", false);
  r.url = get_string(j, "url", false);
  const auto hs = j.find("headers");
  if (hs == j.end() || !hs->is_array())
    throw usage_error("\"headers\" must be an array of [name, value] pairs");
  for (const auto& h : *hs) {
    if (!h.is_array() || h.size() != 2 || !h[0].is_string() || !h[1].is_string())
      throw usage_error("\"headers\" must be an array of [name, value] pairs");
    r.headers.push_back({h[0].get<std::string>(), h[1].get<std::string>()});
  }
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
    if (const auto d = resp->find("duration_ms"); d != resp->end() && d->is_number())
      r.duration_ms = d->get<std::int64_t>();
  }
  return r;
}

} // namespace hooktool::core
