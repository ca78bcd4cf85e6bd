#include "providers/gitlab.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "providers/standard.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cctype>

namespace hooktool::providers {

namespace {

constexpr std::string_view kToken = "X-Gitlab-Token";
constexpr std::string_view kEvent = "X-Gitlab-Event";
constexpr std::string_view kIdempotency = "Idempotency-Key";
constexpr std::string_view kWebhookId = "webhook-id";
constexpr std::string_view kWebhookTimestamp = "webhook-timestamp";
constexpr std::string_view kWebhookSignature = "webhook-signature";
constexpr std::int64_t kSigningTolerance = 300; // Standard Webhooks' libraries

bool is_signing_token(std::string_view secret) {
  return util::starts_with(secret, "whsec_");
}

std::string standard_signature(std::string_view key, std::string_view id, std::string_view ts,
                               std::string_view body) {
  std::string content;
  content.reserve(id.size() + ts.size() + body.size() + 2);
  content.append(id).append(".").append(ts).append(".").append(body);
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, key, content));
}

// "merge_request" -> "Merge Request Hook"; GitLab calls build events "Job Hook".
std::string hook_name(std::string_view object_kind) {
  if (object_kind == "build")
    return "Job Hook";
  std::string out;
  bool start = true;
  for (const char c : object_kind) {
    if (c == '_') {
      out += ' ';
      start = true;
      continue;
    }
    out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start = false;
  }
  return out + " Hook";
}

Verdict verify_signing(const model::HttpRequest& req, const VerifyParams& params,
                       std::string_view header) {
  const auto key = standard_key(*params.secret);
  if (!key)
    return detail::invalid("the signing token is not base64 after 'whsec_'");
  const auto id = model::find_header(req.headers, kWebhookId);
  if (!id)
    return detail::invalid("missing webhook-id header");
  const auto ts_text = model::find_header(req.headers, kWebhookTimestamp);
  if (!ts_text)
    return detail::invalid("missing webhook-timestamp header");
  const auto ts = detail::parse_timestamp(*ts_text);
  if (!ts)
    return detail::invalid("malformed webhook-timestamp '" + util::printable(*ts_text) +
                           "': expected integer seconds");
  const auto expected = standard_signature(*key, *id, *ts_text, req.body);
  bool any_v1 = false;
  bool match = false;
  for (const auto entry : util::split(header, ' ')) {
    const auto comma = entry.find(',');
    if (comma == std::string_view::npos || entry.substr(0, comma) != "v1")
      continue;
    any_v1 = true;
    match = crypto::constant_time_equal(expected, entry.substr(comma + 1)) || match;
  }
  if (!any_v1)
    return detail::invalid("malformed webhook-signature header: no 'v1,<base64>' entry");
  if (!match)
    return detail::invalid("signature does not match (wrong signing token, or the body was "
                           "altered)");
  const auto tolerance = params.tolerance.value_or(kSigningTolerance);
  if (auto why = detail::outside_window(Window::past_and_future, *ts, params.now, tolerance))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

} // namespace

model::Headers GitlabProvider::envelope(const EnvelopeInput& in) const {
  const auto kind = in.event.substr(0, in.event.find('.'));
  return {{"Content-Type", "application/json"},
          {"User-Agent", "GitLab/18.6.0"},
          {"Idempotency-Key", delivery_id_or(in, crypto::random_uuid)},
          {std::string(kEvent), hook_name(kind)},
          {"X-Gitlab-Webhook-UUID", crypto::random_uuid()},
          {"X-Gitlab-Instance", "https://gitlab.example.com"},
          {"X-Gitlab-Event-UUID", crypto::random_uuid()}};
}

model::Headers GitlabProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  if (!is_signing_token(params.secret)) {
    model::set_header(req.headers, std::string(kToken), params.secret);
    return {{std::string(kToken), params.secret}};
  }
  const auto key = standard_key(params.secret);
  if (!key)
    throw usage_error("a gitlab signing token must be base64 after 'whsec_'");
  std::string id(model::find_header(req.headers, kIdempotency).value_or(""));
  if (id.empty())
    id = std::string(model::find_header(req.headers, kWebhookId).value_or(""));
  if (id.empty())
    id = crypto::random_uuid();
  const auto ts = std::to_string(params.timestamp);
  model::Headers set{
      {std::string(kWebhookId), id},
      {std::string(kWebhookTimestamp), ts},
      {std::string(kWebhookSignature), "v1," + standard_signature(*key, id, ts, req.body)}};
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict GitlabProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto token = model::find_header(req.headers, kToken);
  const auto signature = model::find_header(req.headers, kWebhookSignature);
  if (!token && !signature)
    return {VerdictStatus::unsigned_, "no X-Gitlab-Token or webhook-signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for gitlab"};
  if (is_signing_token(*params.secret)) {
    if (!signature)
      return detail::invalid("the secret is a signing token (whsec_…) but the delivery carries "
                             "only X-Gitlab-Token: give the secret token");
    return verify_signing(req, params, *signature);
  }
  if (!token)
    return detail::invalid("the delivery is signed with a signing token (webhook-signature): "
                           "give the whsec_… signing token");
  if (!crypto::constant_time_equal(*params.secret, *token))
    return detail::invalid("X-Gitlab-Token does not match the secret token");
  return detail::valid();
}

std::optional<std::int64_t> GitlabProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kWebhookTimestamp);
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

EventInfo GitlabProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  auto f = util::json_fields(req.body, {{"object_kind"}, {"object_attributes", "action"}});
  info.type = std::move(f[0]);
  if (!f[1].empty())
    info.type += "." + f[1];
  if (info.type.empty())
    if (const auto event = model::find_header(req.headers, kEvent))
      info.type = *event;
  info.id = std::string(
      model::find_header(req.headers, kIdempotency)
          .value_or(model::find_header(req.headers, "X-Gitlab-Event-UUID").value_or("")));
  return info;
}

bool GitlabProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kEvent) || model::find_header(headers, kToken);
}

void GitlabProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers) {
    if (util::iequals(h.name, kToken))
      detail::corrupt_at(h.value, h.value.size() / 2);
    else if (util::iequals(h.name, kWebhookSignature))
      detail::corrupt_at(h.value, 3);
  }
}

void GitlabProvider::tamper_timestamp(model::Headers& headers) const {
  bool found = false;
  for (auto& h : headers)
    if (util::iequals(h.name, kWebhookTimestamp)) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
      found = true;
    }
  if (!found)
    throw usage_error("--tamper timestamp: a gitlab secret token signs no timestamp (a whsec_ "
                      "signing token does); use --tamper signature");
}

bool GitlabProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["object_kind"] = "hooktool_unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  model::set_header(req.headers, std::string(kEvent), "Hooktool Unknown Event Hook");
  return true;
}

} // namespace hooktool::providers
