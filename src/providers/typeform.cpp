#include "providers/typeform.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "Typeform-Signature";
constexpr std::string_view kPrefix = "sha256=";
constexpr std::string_view kUserAgent = "Typeform Webhooks";

std::string signature(std::string_view secret, std::string_view body) {
  return std::string(kPrefix) +
         crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, secret, body));
}

} // namespace

model::Headers TypeformProvider::envelope(const EnvelopeInput& /*in*/) const {
  // No delivery header: the body's event_id identifies the delivery.
  return {{"Content-Type", "application/json"},
          {"User-Agent", std::string(kUserAgent)},
          {"Accept", "*/*"}};
}

model::Headers TypeformProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = signature(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict TypeformProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no Typeform-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for typeform"};
  const auto decoded = util::starts_with(*header, kPrefix)
                           ? crypto::base64_decode(header->substr(kPrefix.size()))
                           : std::nullopt;
  if (!decoded || decoded->size() != 32)
    return detail::invalid(
        "malformed Typeform-Signature header: expected 'sha256=<base64 of 32 bytes>'");
  if (!crypto::constant_time_equal(signature(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

EventInfo TypeformProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"event_type"}, {"event_id"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool TypeformProvider::detect(const model::Headers& headers) const {
  const auto ua = model::find_header(headers, "User-Agent");
  return model::find_header(headers, kHeader) || (ua && util::starts_with(*ua, kUserAgent));
}

void TypeformProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kHeader))
      detail::corrupt_at(h.value, kPrefix.size() + 1);
}

bool TypeformProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["event_type"] = "hooktool_unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

} // namespace hooktool::providers
