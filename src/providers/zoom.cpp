#include "providers/zoom.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kSignature = "x-zm-signature";
constexpr std::string_view kTimestamp = "x-zm-request-timestamp";
constexpr std::string_view kTracking = "x-zm-trackingid";

std::string signature(std::string_view secret, std::string_view ts, std::string_view body) {
  std::string base;
  base.reserve(4 + ts.size() + body.size());
  base.append("v0:").append(ts).append(":").append(body);
  return "v0=" + crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, base));
}

std::string new_tracking_id() {
  return "v=2.0;clid=aw1;rid=WEB_" + crypto::to_hex(crypto::random_bytes(16));
}

} // namespace

model::Headers ZoomProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", "application/json; charset=utf-8"},
          {"User-Agent", "Zoom Marketplace/1.0a"},
          {std::string(kTracking), delivery_id_or(in, new_tracking_id)}};
}

model::Headers ZoomProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto ts = std::to_string(params.timestamp);
  auto sig = signature(params.secret, ts, req.body);
  model::set_header(req.headers, std::string(kTimestamp), ts);
  model::set_header(req.headers, std::string(kSignature), sig);
  return {{std::string(kTimestamp), ts}, {std::string(kSignature), std::move(sig)}};
}

Verdict ZoomProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto sig = model::find_header(req.headers, kSignature);
  if (!sig)
    return {VerdictStatus::unsigned_, "no x-zm-signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for zoom"};
  const auto ts_text = model::find_header(req.headers, kTimestamp);
  if (!ts_text)
    return detail::invalid("missing x-zm-request-timestamp header");
  if (!detail::parse_timestamp(*ts_text))
    return detail::invalid("malformed x-zm-request-timestamp '" + util::printable(*ts_text) +
                           "': expected integer seconds");
  if (!util::starts_with(*sig, "v0=") || sig->size() != 3 + 64)
    return detail::invalid("malformed x-zm-signature header: expected 'v0=<64 hex>'");
  if (!crypto::constant_time_equal(signature(*params.secret, *ts_text, req.body), *sig))
    return detail::invalid("signature does not match (wrong secret token, or the body or "
                           "timestamp was altered)");
  return detail::valid();
}

std::optional<std::int64_t> ZoomProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kTimestamp);
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

EventInfo ZoomProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  info.type = util::json_fields(req.body, {{"event"}})[0];
  info.id = std::string(model::find_header(req.headers, kTracking).value_or(""));
  return info;
}

bool ZoomProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kSignature) || model::find_header(headers, kTimestamp);
}

void ZoomProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kTimestamp)) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

bool ZoomProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["event"] = "hooktool.unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

std::optional<HandshakeAnswer> ZoomProvider::handshake_answer(const model::HttpRequest& req,
                                                              std::string_view secret) const {
  const auto fields = util::json_fields(req.body, {{"event"}, {"payload", "plainToken"}});
  if (fields[0] != "endpoint.url_validation")
    return std::nullopt;
  const auto& plain = fields[1];
  nlohmann::ordered_json answer;
  answer["plainToken"] = plain;
  answer["encryptedToken"] = crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, plain));
  return HandshakeAnswer{200, "application/json",
                         answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

} // namespace hooktool::providers
