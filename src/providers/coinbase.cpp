#include "providers/coinbase.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "X-CC-Webhook-Signature";
constexpr std::string_view kUserAgent = "weipay-webhooks";

std::string mac(std::string_view secret, std::string_view body) {
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, body));
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

} // namespace

std::string CoinbaseProvider::generate_secret() const {
  return crypto::random_uuid(); // shared secrets are UUIDs
}

model::Headers CoinbaseProvider::envelope(const EnvelopeInput& /*in*/) const {
  // No delivery header: the body's event.id identifies the event.
  return {{"Content-Type", "application/json"},
          {"User-Agent", std::string(kUserAgent)},
          {"Accept", "*/*"}};
}

model::Headers CoinbaseProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = mac(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict CoinbaseProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-CC-Webhook-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for coinbase"};
  if (!is_hex(*header, 64))
    return detail::invalid("malformed X-CC-Webhook-Signature header: expected 64 hex characters");
  if (!crypto::constant_time_equal(mac(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  const auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object() || !doc->contains("event") || !(*doc)["event"].is_object())
    return detail::invalid("the body holds no 'event' object (coinbase-commerce-node rejects it)");
  return detail::valid();
}

EventInfo CoinbaseProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"event", "type"}, {"event", "id"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool CoinbaseProvider::detect(const model::Headers& headers) const {
  const auto ua = model::find_header(headers, "User-Agent");
  return model::find_header(headers, kHeader) || (ua && *ua == kUserAgent);
}

bool CoinbaseProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object() || !doc->contains("event") || !(*doc)["event"].is_object())
    return false;
  (*doc)["event"]["type"] = "hooktool:unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

} // namespace hooktool::providers
