#include "providers/square.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "x-square-hmacsha256-signature";
constexpr std::string_view kLegacyHeader = "x-square-signature"; // HMAC-SHA1, retired

std::string mac(std::string_view key, std::string_view url, std::string_view body) {
  std::string data(url);
  data.append(body);
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, key, data));
}

} // namespace

std::string SquareProvider::generate_secret() const {
  // Signature keys as the Developer Console shows them: 22 base64url characters.
  return crypto::random_string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                               22);
}

model::Headers SquareProvider::envelope(const EnvelopeInput& in) const {
  // Square has no delivery id header: the body's event_id is the idempotency key.
  return {{"Content-Type", "application/json"},
          {"Accept", "*/*"},
          {"square-environment", "Sandbox"},
          {"square-initial-delivery-timestamp",
           util::format_rfc3339(in.timestamp * 1000, util::Precision::millis)}};
}

model::Headers SquareProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const std::string& url = params.signing_url.empty() ? req.url : params.signing_url;
  auto value = mac(params.secret, url, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict SquareProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header) {
    if (model::find_header(req.headers, kLegacyHeader))
      return detail::invalid("missing x-square-hmacsha256-signature (only the retired "
                             "HMAC-SHA1 x-square-signature header is present)");
    return {VerdictStatus::unsigned_, "no x-square-hmacsha256-signature header"};
  }
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for square"};
  const auto decoded = crypto::base64_decode(*header);
  if (!decoded || decoded->size() != 32)
    return detail::invalid(
        "malformed x-square-hmacsha256-signature header: expected base64 of 32 bytes");
  std::vector<std::string> urls = params.urls;
  if (urls.empty() && util::starts_with(req.url, "http"))
    urls.push_back(req.url);
  if (urls.empty())
    return detail::invalid("the notification URL the sender signed is unknown");
  bool match = false;
  for (const auto& url : urls)
    match = crypto::constant_time_equal(mac(*params.secret, url, req.body), *header) || match;
  if (!match)
    return detail::invalid("signature does not match for " + util::printable(urls.front()) +
                           " (wrong signature key, altered body, or another notification URL "
                           "was signed)");
  return detail::valid();
}

EventInfo SquareProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"type"}, {"event_id"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool SquareProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kHeader) || model::find_header(headers, kLegacyHeader) ||
         model::find_header(headers, "square-initial-delivery-timestamp");
}

void SquareProvider::mark_retry(model::Headers& headers, int attempt) const {
  model::set_header(headers, "square-retry-number", std::to_string(attempt));
}

} // namespace hooktool::providers
