#include "providers/razorpay.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "X-Razorpay-Signature";
constexpr std::string_view kEventId = "X-Razorpay-Event-Id";
constexpr std::string_view kBase62 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::string mac(std::string_view secret, std::string_view body) {
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, body));
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

} // namespace

model::Headers RazorpayProvider::envelope(const EnvelopeInput& in) const {
  // Event ids are 14 base62 characters; Razorpay repeats the id in Request-Id.
  auto event_id = delivery_id_or(in, [] { return crypto::random_string(kBase62, 14); });
  return {{"Content-Type", "application/json"},
          {"User-Agent", "Razorpay-Webhook/v1"},
          {"Request-Id", event_id},
          {std::string(kEventId), event_id}};
}

model::Headers RazorpayProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = mac(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict RazorpayProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-Razorpay-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for razorpay"};
  if (!is_hex(*header, 64))
    return detail::invalid("malformed X-Razorpay-Signature header: expected 64 hex characters");
  if (!crypto::constant_time_equal(mac(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

EventInfo RazorpayProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  info.type = util::json_fields(req.body, {{"event"}})[0];
  if (const auto id = model::find_header(req.headers, kEventId))
    info.id = *id;
  return info;
}

bool RazorpayProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kHeader) || model::find_header(headers, kEventId);
}

bool RazorpayProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["event"] = "hooktool.unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

} // namespace hooktool::providers
