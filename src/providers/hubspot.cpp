#include "providers/hubspot.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kV3 = "X-HubSpot-Signature-v3";
constexpr std::string_view kTimestamp = "X-HubSpot-Request-Timestamp";
constexpr std::string_view kV1 = "X-HubSpot-Signature";
constexpr std::string_view kVersion = "X-HubSpot-Signature-Version";

std::string v3_mac(std::string_view secret, std::string_view method, std::string_view url,
                   std::string_view body, std::string_view ts) {
  std::string data;
  data.reserve(method.size() + url.size() + body.size() + ts.size());
  data.append(method).append(url).append(body).append(ts);
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, secret, data));
}

} // namespace

std::string HubspotProvider::generate_secret() const {
  return crypto::random_uuid(); // client secrets are UUIDs
}

model::Headers HubspotProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"},
          {"User-Agent",
           "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor"}};
}

model::Headers HubspotProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto& url = params.signing_url.empty() ? req.url : params.signing_url;
  const auto ts = std::to_string(timestamp_ms_of(params));
  model::Headers out{{std::string(kV3), v3_mac(params.secret, req.method, url, req.body, ts)},
                     {std::string(kTimestamp), ts},
                     {std::string(kV1), crypto::to_hex(crypto::hash(crypto::Digest::sha256,
                                                                    params.secret + req.body))},
                     {std::string(kVersion), "v1"}};
  for (const auto& h : out)
    model::set_header(req.headers, h.name, h.value);
  return out;
}

Verdict HubspotProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto sig = model::find_header(req.headers, kV3);
  if (!sig) {
    if (model::find_header(req.headers, kV1))
      return detail::invalid("missing X-HubSpot-Signature-v3 (only the v1 signature is present, "
                             "which covers neither the URL nor a time)");
    return {VerdictStatus::unsigned_, "no X-HubSpot-Signature-v3 header"};
  }
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for hubspot"};
  const auto ts_text = model::find_header(req.headers, kTimestamp);
  if (!ts_text)
    return detail::invalid("missing X-HubSpot-Request-Timestamp header");
  const auto ts = detail::parse_timestamp(*ts_text);
  if (!ts)
    return detail::invalid("malformed X-HubSpot-Request-Timestamp '" + util::printable(*ts_text) +
                           "': expected integer milliseconds");
  std::vector<std::string> urls = params.urls;
  if (urls.empty() && util::starts_with(req.url, "http"))
    urls.push_back(req.url);
  if (urls.empty())
    return detail::invalid("the URL the sender signed is unknown");
  bool match = false;
  for (const auto& url : urls)
    match = crypto::constant_time_equal(v3_mac(*params.secret, req.method, url, req.body, *ts_text),
                                        *sig) ||
            match;
  if (!match)
    return detail::invalid("signature does not match for " + util::printable(urls.front()) +
                           " (wrong client secret, altered body, or another URL was signed)");
  if (auto why = detail::outside_window(window(), *ts / 1000, params.now,
                                        detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

std::optional<std::int64_t> HubspotProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kTimestamp);
  const auto ms = ts ? detail::parse_timestamp(*ts) : std::nullopt;
  return ms ? std::optional(*ms / 1000) : std::nullopt;
}

EventInfo HubspotProvider::event_info(const model::HttpRequest& req) const {
  // A delivery is an array of up to 100 events; the first one names it.
  EventInfo info;
  if (const auto j = util::parse_json(req.body)) {
    const auto& first = j->is_array() && !j->empty() ? (*j)[0] : *j;
    if (first.is_object()) {
      info.type = util::json_text(first, "subscriptionType");
      info.id = util::json_text(first, "eventId");
    }
  }
  return info;
}

bool HubspotProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kV3) || model::find_header(headers, kTimestamp) ||
         model::find_header(headers, kV1);
}

bool HubspotProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_array() || doc->empty() || !(*doc)[0].is_object())
    return false;
  (*doc)[0]["subscriptionType"] = "hooktool.unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

void HubspotProvider::tamper_signature(model::Headers& headers) const {
  // v3 and v1 both, so that no valid signature is left.
  for (auto& h : headers)
    if (util::iequals(h.name, kV3) || util::iequals(h.name, kV1))
      detail::corrupt_at(h.value, h.value.size() / 2);
}

void HubspotProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kTimestamp)) {
      long long ms = 0;
      if (util::parse_int64(h.value, ms))
        h.value = std::to_string(ms + 1000);
    }
}

} // namespace hooktool::providers
