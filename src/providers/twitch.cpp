#include "providers/twitch.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kSignature = "Twitch-Eventsub-Message-Signature";
constexpr std::string_view kId = "Twitch-Eventsub-Message-Id";
constexpr std::string_view kTimestamp = "Twitch-Eventsub-Message-Timestamp";
constexpr std::string_view kType = "Twitch-Eventsub-Message-Type";
constexpr std::string_view kRetry = "Twitch-Eventsub-Message-Retry";
constexpr std::string_view kSubscriptionType = "Twitch-Eventsub-Subscription-Type";
constexpr std::string_view kSubscriptionVersion = "Twitch-Eventsub-Subscription-Version";
constexpr std::string_view kVerification = "webhook_callback_verification";
constexpr std::string_view kRevocation = "revocation";

std::string signature(std::string_view secret, std::string_view id, std::string_view ts,
                      std::string_view body) {
  std::string message;
  message.reserve(id.size() + ts.size() + body.size());
  message.append(id).append(ts).append(body);
  return "sha256=" + crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, message));
}

// The Message-Timestamp as Unix seconds; nullopt when it is not RFC 3339.
std::optional<std::int64_t> seconds_of(std::string_view text) {
  const auto ms = util::parse_rfc3339(text);
  if (!ms)
    return std::nullopt;
  return *ms >= 0 ? *ms / 1000 : (*ms - 999) / 1000;
}

} // namespace

std::string twitch_timestamp(std::int64_t epoch_ms) {
  auto text = util::format_rfc3339(epoch_ms, util::Precision::millis); // "….123Z"
  text.insert(text.size() - 1, "000000");
  return text;
}

void TwitchProvider::validate_secret(std::string_view secret) const {
  Provider::validate_secret(secret);
  bool ascii = true;
  for (const char c : secret)
    ascii = ascii && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  if (secret.size() < 10 || secret.size() > 100 || !ascii)
    throw usage_error("the twitch secret must be 10 to 100 printable ASCII characters (Twitch "
                      "refuses others when the subscription is created)");
}

model::Headers TwitchProvider::envelope(const EnvelopeInput& in) const {
  model::Headers h{{"Content-Type", "application/json"},
                   {std::string(kId), delivery_id_or(in, crypto::random_uuid)},
                   {std::string(kRetry), "0"}};
  if (in.event == kVerification || in.event == kRevocation) {
    h.push_back({std::string(kType), in.event});
  } else {
    h.push_back({std::string(kType), "notification"});
    h.push_back({std::string(kSubscriptionType), in.event});
    h.push_back({std::string(kSubscriptionVersion), in.event == "channel.follow" ? "2" : "1"});
  }
  return h;
}

model::Headers TwitchProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  std::string id(model::find_header(req.headers, kId).value_or(""));
  if (id.empty())
    id = crypto::random_uuid();
  // The timestamp is signed as text: an existing one of the same second keeps its digits.
  std::string ts(model::find_header(req.headers, kTimestamp).value_or(""));
  if (ts.empty() || (params.timestamp != 0 && seconds_of(ts) != params.timestamp))
    ts = twitch_timestamp(timestamp_ms_of(params));
  auto sig = signature(params.secret, id, ts, req.body);
  model::Headers set{{std::string(kId), id},
                     {std::string(kTimestamp), ts},
                     {std::string(kSignature), std::move(sig)}};
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict TwitchProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto sig = model::find_header(req.headers, kSignature);
  if (!sig)
    return {VerdictStatus::unsigned_, "no Twitch-Eventsub-Message-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for twitch"};
  const auto id = model::find_header(req.headers, kId);
  if (!id)
    return detail::invalid("missing Twitch-Eventsub-Message-Id header");
  const auto ts_text = model::find_header(req.headers, kTimestamp);
  if (!ts_text)
    return detail::invalid("missing Twitch-Eventsub-Message-Timestamp header");
  const auto ts = seconds_of(*ts_text);
  if (!ts)
    return detail::invalid("malformed Twitch-Eventsub-Message-Timestamp '" +
                           util::printable(*ts_text) + "': expected RFC 3339");
  if (!util::starts_with(*sig, "sha256=") || sig->size() != 7 + 64)
    return detail::invalid(
        "malformed Twitch-Eventsub-Message-Signature header: expected 'sha256=<64 hex>'");
  if (!crypto::constant_time_equal(signature(*params.secret, *id, *ts_text, req.body), *sig))
    return detail::invalid("signature does not match (wrong secret, or the body, id or "
                           "timestamp was altered)");
  if (auto why =
          detail::outside_window(window(), *ts, params.now, detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

std::optional<std::int64_t> TwitchProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kTimestamp);
  return ts ? seconds_of(*ts) : std::nullopt;
}

EventInfo TwitchProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  const auto fields = util::json_fields(req.body, {{"subscription", "type"}, {"challenge"}});
  const auto type = model::find_header(req.headers, kType);
  if (type && (*type == kVerification || *type == kRevocation))
    info.type = *type;
  else if (!type && !fields[1].empty())
    info.type = kVerification;
  else
    info.type = fields[0];
  info.id = std::string(model::find_header(req.headers, kId).value_or(""));
  return info;
}

bool TwitchProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kSignature) || model::find_header(headers, kId);
}

void TwitchProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kTimestamp))
      if (const auto ms = util::parse_rfc3339(h.value))
        h.value = twitch_timestamp(*ms + 1000);
}

void TwitchProvider::mark_retry(model::Headers& headers, int attempt) const {
  model::set_header(headers, std::string(kRetry), std::to_string(attempt));
}

bool TwitchProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object() || !doc->contains("subscription") ||
      !(*doc)["subscription"].is_object())
    return false;
  (*doc)["subscription"]["type"] = "hooktool.unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (model::find_header(req.headers, kSubscriptionType))
    model::set_header(req.headers, std::string(kSubscriptionType), "hooktool.unknown_event");
  return true;
}

std::optional<HandshakeAnswer> TwitchProvider::handshake_answer(const model::HttpRequest& req,
                                                                std::string_view /*secret*/) const {
  if (model::find_header(req.headers, kType).value_or("") != kVerification)
    return std::nullopt;
  return HandshakeAnswer{200, "text/plain", util::json_fields(req.body, {{"challenge"}})[0]};
}

} // namespace hooktool::providers
