#include "providers/shopify.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace hooktool::providers {

namespace {

// The Admin API version the fixtures are shaped by: the REST resource definitions of the pinned
// @shopify/shopify-api (tools/fixtures/shopify), whose newest version is 2026-07.
constexpr std::string_view kApiVersion = "2026-07";
// The shop the fixtures describe (fixtures/README.md).
constexpr std::string_view kShopDomain = "maple-and-moss.myshopify.com";

// Shopify's newer deliveries also use the names without the X- prefix.
std::optional<std::string_view> shopify_header(const model::Headers& headers,
                                               std::string_view suffix) {
  const std::string name(suffix);
  if (auto v = model::find_header(headers, "X-Shopify-" + name))
    return v;
  return model::find_header(headers, "Shopify-" + name);
}

} // namespace

std::string ShopifyProvider::generate_secret() const {
  return "shpss_" + crypto::to_hex(crypto::random_bytes(16));
}

model::Headers ShopifyProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", "application/json"},
          {"User-Agent", "Shopify-Captain-Hook"},
          {"Accept", "*/*"},
          {"X-Shopify-Topic", in.event},
          {"X-Shopify-Shop-Domain", std::string(kShopDomain)},
          {"X-Shopify-API-Version", std::string(kApiVersion)},
          {"X-Shopify-Webhook-Id", delivery_id_or(in, crypto::random_uuid)},
          {"X-Shopify-Event-Id", crypto::random_uuid()},
          {"X-Shopify-Triggered-At",
           util::format_rfc3339(in.timestamp * 1000, util::Precision::millis)}};
}

model::Headers ShopifyProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, params.secret, req.body));
  // Keep whichever header family the delivery already uses.
  const std::string name = model::find_header(req.headers, "Shopify-Topic") &&
                                   !model::find_header(req.headers, "X-Shopify-Topic")
                               ? "Shopify-Hmac-Sha256"
                               : "X-Shopify-Hmac-Sha256";
  model::set_header(req.headers, name, value);
  return {{name, std::move(value)}};
}

Verdict ShopifyProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto hmac = shopify_header(req.headers, "Hmac-Sha256");
  if (!hmac)
    return {VerdictStatus::unsigned_, "no X-Shopify-Hmac-Sha256 header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for shopify"};
  for (const auto* required : {"Topic", "Shop-Domain", "API-Version", "Webhook-Id"})
    if (!shopify_header(req.headers, required))
      return detail::invalid(std::string("missing X-Shopify-") + required + " header");
  const auto expected =
      crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, *params.secret, req.body));
  if (!crypto::constant_time_equal(expected, *hmac))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

EventInfo ShopifyProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (const auto topic = shopify_header(req.headers, "Topic"))
    info.type = *topic;
  if (const auto id = shopify_header(req.headers, "Webhook-Id"))
    info.id = *id;
  return info;
}

bool ShopifyProvider::detect(const model::Headers& headers) const {
  return shopify_header(headers, "Hmac-Sha256") || shopify_header(headers, "Topic");
}

void ShopifyProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, "X-Shopify-Hmac-Sha256") ||
        util::iequals(h.name, "Shopify-Hmac-Sha256"))
      detail::corrupt_at(h.value, 0);
}

bool ShopifyProvider::set_unknown_event(model::HttpRequest& req) const {
  model::set_header(req.headers, "X-Shopify-Topic", "hooktool/unknown_event");
  return true;
}

} // namespace hooktool::providers
