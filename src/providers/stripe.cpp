#include "providers/stripe.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "Stripe-Signature";

std::string signature(std::string_view secret, std::string_view ts, std::string_view body) {
  std::string payload;
  payload.reserve(ts.size() + 1 + body.size());
  payload.append(ts).append(".").append(body);
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, payload));
}

} // namespace

std::string StripeProvider::generate_secret() const {
  return "whsec_" + crypto::to_hex(crypto::random_bytes(32));
}

model::Headers StripeProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"},
          {"Content-Type", "application/json; charset=utf-8"},
          {"Cache-Control", "no-cache"},
          {"Accept", "*/*; q=0.5, application/xml"}};
}

model::Headers StripeProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto ts = std::to_string(params.timestamp);
  auto value = "t=" + ts + ",v1=" + signature(params.secret, ts, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict StripeProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no Stripe-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for stripe"};

  // Same reading as Stripe's libraries: comma-separated key=value pairs, any number of v1.
  std::optional<std::string_view> ts_text;
  std::vector<std::string_view> v1;
  for (const auto item : util::split(*header, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string_view::npos)
      continue;
    const auto key = item.substr(0, eq);
    if (key == "t")
      ts_text = item.substr(eq + 1);
    else if (key == "v1")
      v1.push_back(item.substr(eq + 1));
  }
  if (!ts_text)
    return detail::invalid("malformed Stripe-Signature header: no t= timestamp");
  const auto ts = detail::parse_timestamp(*ts_text);
  if (!ts)
    return detail::invalid("malformed Stripe-Signature header: timestamp '" +
                           util::printable(*ts_text) + "' is not an integer");
  if (v1.empty())
    return detail::invalid("malformed Stripe-Signature header: no v1= signature");
  const auto expected = signature(*params.secret, std::to_string(*ts), req.body);
  bool match = false;
  for (const auto sig : v1)
    match = crypto::constant_time_equal(expected, sig) || match;
  if (!match)
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  if (auto why =
          detail::outside_window(window(), *ts, params.now, detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo StripeProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"type"}, {"id"}});
  return {std::move(f[0]), std::move(f[1])};
}

void StripeProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kHeader)) {
      const auto pos = h.value.find("v1=");
      detail::corrupt_at(h.value, pos == std::string::npos ? 0 : pos + 3);
    }
}

void StripeProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers) {
    if (!util::iequals(h.name, kHeader))
      continue;
    // Move the claimed time one second on while keeping the signature made for the original.
    const auto start = h.value.find("t=");
    const auto end = h.value.find(',', start);
    if (start == std::string::npos || end == std::string::npos)
      return;
    long long ts = 0;
    if (!util::parse_int64(std::string_view(h.value).substr(start + 2, end - start - 2), ts))
      return;
    h.value.replace(start + 2, end - start - 2, std::to_string(ts + 1));
  }
}

std::optional<std::int64_t> StripeProvider::signed_timestamp(const model::Headers& headers) const {
  const auto header = model::find_header(headers, kHeader);
  if (!header)
    return std::nullopt;
  for (const auto item : util::split(*header, ','))
    if (util::starts_with(item, "t="))
      return detail::parse_timestamp(item.substr(2));
  return std::nullopt;
}

} // namespace hooktool::providers
