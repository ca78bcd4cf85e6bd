#include "providers/twilio.hpp"

#include "crypto/crypto.hpp"
#include "model/url.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "X-Twilio-Signature";

std::string mac(std::string_view token, std::string_view data) {
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha1, token, data));
}

// The bodySHA256 query parameter of a URL, if present.
std::optional<std::string> body_hash_param(std::string_view url) {
  const auto q = url.find('?');
  if (q == std::string_view::npos)
    return std::nullopt;
  for (const auto& [k, v] : util::parse_form(url.substr(q + 1)))
    if (k == "bodySHA256")
      return v;
  return std::nullopt;
}

// The URL as given, without its port, and with the scheme's default port spelled out:
// Twilio's back end is inconsistent about ports, and so its validator tries each.
std::vector<std::string> url_variants(const std::string& url) {
  std::vector<std::string> out{url};
  try {
    auto parsed = model::parse_target(url);
    if (parsed.port != 0) {
      parsed.port = 0;
      out.push_back(parsed.str());
    } else {
      parsed.port = parsed.effective_port();
      out.push_back(parsed.str());
    }
  } catch (const Error&) {
    // Not an absolute URL: only the text as given can match.
  }
  return out;
}

bool any_variant_matches(std::string_view token, const std::string& url, std::string_view form,
                         std::string_view presented) {
  bool match = false;
  for (const auto& candidate : url_variants(url))
    match = crypto::constant_time_equal(mac(token, twilio_signing_string(candidate, form)),
                                        presented) ||
            match;
  return match;
}

// "message.status.delivered", "call.status.no-answer": the status callback's event type. A
// status that is not one of Twilio's words (lowercase letters and '-') gives the bare
// "<kind>.status".
std::string status_event(std::string_view kind, const std::string& status) {
  const bool word = !status.empty() && status.size() <= 32 &&
                    status.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") == std::string::npos;
  return std::string(kind) + ".status" + (word ? "." + status : "");
}

bool is_json(const model::Headers& headers) {
  const auto ct = model::find_header(headers, "Content-Type");
  return ct && util::to_lower(*ct).find("json") != std::string::npos;
}

} // namespace

std::string twilio_signing_string(std::string_view url, std::string_view form_body) {
  std::map<std::string, std::set<std::string>> params; // std::string orders bytewise
  for (auto& [k, v] : util::parse_form(form_body))
    params[std::move(k)].insert(std::move(v));
  std::string data(url);
  for (const auto& [name, values] : params)
    for (const auto& value : values)
      data.append(name).append(value);
  return data;
}

std::string TwilioProvider::generate_secret() const {
  return crypto::to_hex(crypto::random_bytes(16)); // Auth Tokens are 32 hex characters
}

model::Headers TwilioProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", in.format == BodyFormat::form
                               ? "application/x-www-form-urlencoded; charset=utf-8"
                               : "application/json"},
          {"User-Agent", "TwilioProxy/1.1"},
          {"Accept", "*/*"},
          {"Cache-Control", "max-age=259200"},
          {"I-Twilio-Idempotency-Token", delivery_id_or(in, crypto::random_uuid)},
          {"X-Home-Region", "us1"}};
}

model::Headers TwilioProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  std::string url = params.signing_url.empty() ? req.url : params.signing_url;
  std::string value;
  if (is_json(req.headers)) {
    // JSON variant: the URL carries the body hash, and no parameters are appended.
    const auto hash = crypto::to_hex(crypto::hash(crypto::Digest::sha256, req.body));
    if (!body_hash_param(url)) {
      url = model::add_query_param(url, "bodySHA256", hash);
    }
    if (!body_hash_param(req.url))
      req.url = model::add_query_param(req.url, "bodySHA256", hash);
    value = mac(params.secret, url);
  } else {
    value = mac(params.secret, twilio_signing_string(url, req.body));
  }
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict TwilioProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-Twilio-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for twilio"};
  std::vector<std::string> urls = params.urls;
  if (urls.empty() && util::starts_with(req.url, "http"))
    urls.push_back(req.url);
  if (urls.empty())
    return detail::invalid("the URL the sender signed is unknown");

  for (const auto& url : urls) {
    if (url.find("bodySHA256") != std::string::npos) {
      if (!any_variant_matches(*params.secret, url, "", *header))
        continue;
      const auto expected = crypto::to_hex(crypto::hash(crypto::Digest::sha256, req.body));
      if (!crypto::constant_time_equal(expected, body_hash_param(url).value_or("")))
        return detail::invalid("bodySHA256 in the URL does not match the body");
      return detail::valid();
    }
    if (any_variant_matches(*params.secret, url, req.body, *header))
      return detail::valid();
  }
  return detail::invalid("signature does not match for " + util::printable(urls.front()) +
                         " (wrong Auth Token, altered parameters, or another URL was signed)");
}

EventInfo TwilioProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (const auto token = model::find_header(req.headers, "I-Twilio-Idempotency-Token"))
    info.id = *token;
  if (!model::is_form(req.headers)) {
    if (const auto j = util::parse_json(req.body)) {
      const auto& first = j->is_array() && !j->empty() ? (*j)[0] : *j;
      info.type = util::json_text(first, "type");
      if (info.id.empty())
        info.id = util::json_text(first, "id");
      return info;
    }
  }
  std::map<std::string, std::string> f;
  for (auto& [k, v] : util::parse_form(req.body))
    f.emplace(std::move(k), std::move(v));
  const auto get = [&](const char* k) {
    const auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  if (!get("CallSid").empty()) {
    // The voice URL's request for an incoming call rings without a CallbackSource; a status
    // callback (call-progress-events) names its status, ringing included.
    const auto status = get("CallStatus");
    info.type = status == "ringing" && get("CallbackSource").empty() ? "call.incoming"
                                                                     : status_event("call", status);
    if (info.id.empty())
      info.id = get("CallSid");
  } else if (!get("MessageSid").empty() || !get("SmsSid").empty()) {
    // An incoming message carries SmsStatus=received and no MessageStatus; a status callback
    // carries MessageStatus (receiving/received for an inbound message's own callbacks).
    const auto status = get("MessageStatus");
    info.type = status.empty() && get("SmsStatus") == "received"
                    ? "message.incoming"
                    : status_event("message", status.empty() ? get("SmsStatus") : status);
    if (info.id.empty())
      info.id = get("MessageSid").empty() ? get("SmsSid") : get("MessageSid");
  }
  return info;
}

bool TwilioProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kHeader) ||
         model::find_header(headers, "I-Twilio-Idempotency-Token");
}

} // namespace hooktool::providers
