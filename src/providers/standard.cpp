#include "providers/standard.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

std::string signature(std::string_view key, std::string_view id, std::string_view ts,
                      std::string_view body) {
  std::string content;
  content.reserve(id.size() + ts.size() + body.size() + 2);
  content.append(id).append(".").append(ts).append(".").append(body);
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, key, content));
}

// Looks a header up in either family: "webhook-<name>" first, then "svix-<name>".
std::optional<std::string_view> either(const model::Headers& headers, std::string_view name) {
  if (auto v = model::find_header(headers, "webhook-" + std::string(name)))
    return v;
  return model::find_header(headers, "svix-" + std::string(name));
}

std::string new_message_id() {
  static constexpr std::string_view kIdAlphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return "msg_" + crypto::random_string(kIdAlphabet, 24);
}

} // namespace

std::optional<std::string> standard_key(std::string_view secret) {
  if (util::starts_with(secret, "whsec_"))
    secret.remove_prefix(6);
  auto key = crypto::base64_decode(secret);
  if (!key || key->empty())
    return std::nullopt;
  return key;
}

std::string_view StandardProvider::id() const {
  return flavor_ == StandardFlavor::svix ? "svix" : "standard";
}

std::string_view StandardProvider::signature_header() const {
  return flavor_ == StandardFlavor::svix ? "svix-signature" : "webhook-signature";
}

std::string StandardProvider::prefix() const {
  return flavor_ == StandardFlavor::svix ? "svix-" : "webhook-";
}

void StandardProvider::validate_secret(std::string_view secret) const {
  if (!standard_key(secret))
    throw usage_error("the " + std::string(id()) +
                      " secret must be base64 after an optional 'whsec_' prefix");
}

std::string StandardProvider::generate_secret() const {
  return "whsec_" + crypto::base64_encode(crypto::random_bytes(24));
}

model::Headers StandardProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", "application/json"},
          {"User-Agent", flavor_ == StandardFlavor::svix ? "Svix-Webhooks/1.0"
                                                         : "hooktool-standard-webhooks/1.0"},
          {"Accept", "*/*"},
          {prefix() + "id", delivery_id_or(in, new_message_id)}};
}

model::Headers StandardProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto key = standard_key(params.secret);
  if (!key)
    throw usage_error("the " + std::string(id()) +
                      " secret must be base64 after an optional 'whsec_' prefix");
  std::string msg_id(either(req.headers, "id").value_or(""));
  if (msg_id.empty())
    msg_id = new_message_id();
  const auto ts = std::to_string(params.timestamp);
  auto value = "v1," + signature(*key, msg_id, ts, req.body);
  model::Headers set{
      {prefix() + "id", msg_id}, {prefix() + "timestamp", ts}, {prefix() + "signature", value}};
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict StandardProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = either(req.headers, "signature");
  if (!header)
    return {VerdictStatus::unsigned_, "no webhook-signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for " + std::string(id())};
  const auto key = standard_key(*params.secret);
  if (!key)
    return detail::invalid("the secret is not base64 after 'whsec_'");
  const auto msg_id = either(req.headers, "id");
  if (!msg_id)
    return detail::invalid("missing webhook-id header");
  const auto ts_text = either(req.headers, "timestamp");
  if (!ts_text)
    return detail::invalid("missing webhook-timestamp header");
  const auto ts = detail::parse_timestamp(*ts_text);
  if (!ts)
    return detail::invalid("malformed webhook-timestamp '" + util::printable(*ts_text) +
                           "': expected integer seconds");
  const auto expected = signature(*key, *msg_id, *ts_text, req.body);
  bool any_v1 = false;
  bool match = false;
  for (const auto entry : util::split(*header, ' ')) {
    const auto comma = entry.find(',');
    if (comma == std::string_view::npos || entry.substr(0, comma) != "v1")
      continue; // other versions, and entries that are not "version,signature", are ignored
    any_v1 = true;
    match = crypto::constant_time_equal(expected, entry.substr(comma + 1)) || match;
  }
  if (!any_v1)
    return detail::invalid("malformed webhook-signature header: no 'v1,<base64>' entry");
  if (!match)
    return detail::invalid(
        "signature does not match: no v1 entry matches (wrong secret, or the body was altered)");
  if (auto why =
          detail::outside_window(window(), *ts, params.now, detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo StandardProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  info.type = util::json_fields(req.body, {{"type"}})[0];
  info.id = std::string(either(req.headers, "id").value_or(""));
  return info;
}

bool StandardProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, prefix() + "signature") ||
         model::find_header(headers, prefix() + "id");
}

void StandardProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, signature_header()))
      detail::corrupt_at(h.value, 3);
}

void StandardProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, prefix() + "timestamp")) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

std::optional<std::int64_t>
StandardProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = either(headers, "timestamp");
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

std::string_view StandardProvider::description() const {
  return flavor_ == StandardFlavor::svix
             ? "Svix (Standard Webhooks with svix-* headers): svix-signature v1,<base64 "
               "HMAC-SHA256 of \"<id>.<ts>.<body>\">"
             : "Standard Webhooks: webhook-signature v1,<base64 HMAC-SHA256 of "
               "\"<id>.<ts>.<body>\">";
}

} // namespace hooktool::providers
