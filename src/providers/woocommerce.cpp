#include "providers/woocommerce.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/form.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "X-WC-Webhook-Signature";
constexpr std::string_view kTopic = "X-WC-Webhook-Topic";
constexpr std::string_view kDelivery = "X-WC-Webhook-Delivery-ID";
// WC_Webhook::deliver(): 'WooCommerce/<WC_VERSION> Hookshot (WordPress/<wp_version>)'.
constexpr std::string_view kUserAgent = "WooCommerce/10.3.5 Hookshot (WordPress/6.8.3)";

std::string mac(std::string_view secret, std::string_view body) {
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, secret, body));
}

bool is_woocommerce_agent(const model::Headers& headers) {
  const auto ua = model::find_header(headers, "User-Agent");
  return ua && util::starts_with(*ua, "WooCommerce/") && ua->find(" Hookshot") != ua->npos;
}

} // namespace

model::Headers WoocommerceProvider::envelope(const EnvelopeInput& in) const {
  if (in.format == BodyFormat::form) // the ping: WC_Webhook::deliver_ping()
    return {{"Content-Type", "application/x-www-form-urlencoded"},
            {"User-Agent", std::string(kUserAgent)}};
  const auto dot = in.event.find('.');
  const auto resource = in.event.substr(0, dot);
  const auto event = dot == std::string::npos ? std::string() : in.event.substr(dot + 1);
  return {{"Content-Type", "application/json"},
          {"User-Agent", std::string(kUserAgent)},
          {"X-WC-Webhook-Source", "https://hooktool-dev.example/"},
          {std::string(kTopic), in.event},
          {"X-WC-Webhook-Resource", resource},
          {"X-WC-Webhook-Event", event},
          {"X-WC-Webhook-ID", crypto::random_digits(2)},
          // wp_hash(): an HMAC-MD5, 32 hex characters.
          {std::string(kDelivery),
           delivery_id_or(in, [] { return crypto::to_hex(crypto::random_bytes(16)); })}};
}

model::Headers WoocommerceProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = mac(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict WoocommerceProvider::verify(const model::HttpRequest& req,
                                    const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header) {
    if (util::form_field(req.body, "webhook_id") && !model::find_header(req.headers, kTopic))
      return {VerdictStatus::unsigned_, "a webhook ping (WooCommerce does not sign pings)"};
    return {VerdictStatus::unsigned_, "no X-WC-Webhook-Signature header"};
  }
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for woocommerce"};
  const auto decoded = crypto::base64_decode(*header);
  if (!decoded || decoded->size() != 32)
    return detail::invalid("malformed X-WC-Webhook-Signature header: expected base64 of 32 bytes");
  if (!crypto::constant_time_equal(mac(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

EventInfo WoocommerceProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (const auto topic = model::find_header(req.headers, kTopic)) {
    info.type = *topic;
    if (const auto id = model::find_header(req.headers, kDelivery))
      info.id = *id;
    return info;
  }
  // The ping carries no X-WC-Webhook-* header: only the webhook's id, in the body.
  if (model::is_form(req.headers))
    if (auto id = util::form_field(req.body, "webhook_id")) {
      info.type = "ping";
      info.id = std::move(*id);
    }
  return info;
}

bool WoocommerceProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kHeader) || model::find_header(headers, kTopic) ||
         model::find_header(headers, kDelivery) || is_woocommerce_agent(headers);
}

bool WoocommerceProvider::set_unknown_event(model::HttpRequest& req) const {
  model::set_header(req.headers, std::string(kTopic), "hooktool.unknown_event");
  model::set_header(req.headers, "X-WC-Webhook-Resource", "hooktool");
  model::set_header(req.headers, "X-WC-Webhook-Event", "unknown_event");
  return true;
}

} // namespace hooktool::providers
