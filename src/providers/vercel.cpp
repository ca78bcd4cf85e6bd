#include "providers/vercel.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "x-vercel-signature";

std::string mac(std::string_view secret, std::string_view body) {
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha1, secret, body));
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

} // namespace

model::Headers VercelProvider::envelope(const EnvelopeInput& /*in*/) const {
  // No delivery header: the body's id identifies the delivery.
  return {{"Content-Type", "application/json"}};
}

model::Headers VercelProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = mac(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict VercelProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no x-vercel-signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for vercel"};
  if (!is_hex(*header, 40))
    return detail::invalid("malformed x-vercel-signature header: expected 40 hex characters");
  if (!crypto::constant_time_equal(mac(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

EventInfo VercelProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"type"}, {"id"}});
  return {std::move(f[0]), std::move(f[1])};
}

} // namespace hooktool::providers
