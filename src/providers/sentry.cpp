#include "providers/sentry.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "Sentry-Hook-Signature";
constexpr std::string_view kResource = "Sentry-Hook-Resource";
constexpr std::string_view kTimestamp = "Sentry-Hook-Timestamp";

std::string mac(std::string_view secret, std::string_view body) {
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, body));
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

} // namespace

model::Headers SentryProvider::envelope(const EnvelopeInput& in) const {
  // The fixture name is "<resource>.<action>"; the header carries only the resource.
  return {{"Content-Type", "application/json"},
          {"Request-ID", delivery_id_or(in, crypto::random_uuid)},
          {std::string(kResource), in.event.substr(0, in.event.find('.'))},
          {std::string(kTimestamp), std::to_string(in.timestamp)}};
}

model::Headers SentryProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = mac(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  model::Headers set{{std::string(kHeader), std::move(value)}};
  // Not signed, but sent with every delivery: a re-signed delivery gets the time it is sent.
  if (params.timestamp > 0) {
    model::set_header(req.headers, std::string(kTimestamp), std::to_string(params.timestamp));
    set.push_back({std::string(kTimestamp), std::to_string(params.timestamp)});
  }
  return set;
}

Verdict SentryProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no Sentry-Hook-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for sentry"};
  if (!is_hex(*header, 64))
    return detail::invalid("malformed Sentry-Hook-Signature header: expected 64 hex characters");
  if (!crypto::constant_time_equal(mac(*params.secret, req.body), *header))
    return detail::invalid(
        "signature does not match (wrong client secret, or the body was altered)");
  return detail::valid();
}

EventInfo SentryProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (const auto resource = model::find_header(req.headers, kResource))
    info.type = *resource;
  const auto action = util::json_fields(req.body, {{"action"}})[0];
  if (!action.empty())
    info.type += "." + action;
  if (const auto id = model::find_header(req.headers, "Request-ID"))
    info.id = *id;
  return info;
}

bool SentryProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kHeader) || model::find_header(headers, kResource);
}

bool SentryProvider::set_unknown_event(model::HttpRequest& req) const {
  model::set_header(req.headers, std::string(kResource), "hooktool_unknown_resource");
  return true;
}

} // namespace hooktool::providers
