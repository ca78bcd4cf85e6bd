#include "providers/bitbucket.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "X-Hub-Signature";
constexpr std::string_view kPrefix = "sha256=";
constexpr std::string_view kEventKey = "X-Event-Key";
constexpr std::string_view kRequestUuid = "X-Request-UUID";

std::string signature(std::string_view secret, std::string_view body) {
  return std::string(kPrefix) + crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, body));
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

} // namespace

model::Headers BitbucketProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", "application/json"},
          {"User-Agent", "Bitbucket-Webhooks/2.0"},
          {std::string(kEventKey), in.event},
          {"X-Hook-UUID", crypto::random_uuid()},
          {std::string(kRequestUuid), delivery_id_or(in, crypto::random_uuid)},
          {"X-Attempt-Number", "1"}};
}

model::Headers BitbucketProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = signature(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict BitbucketProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-Hub-Signature header (a webhook without a secret)"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for bitbucket"};
  if (!util::starts_with(*header, kPrefix) || !is_hex(header->substr(kPrefix.size()), 64))
    return detail::invalid(
        "malformed X-Hub-Signature header: expected 'sha256=<64 hex characters>'");
  if (!crypto::constant_time_equal(signature(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

EventInfo BitbucketProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (const auto key = model::find_header(req.headers, kEventKey))
    info.type = *key;
  // Bitbucket Data Center names its delivery X-Request-Id.
  if (const auto id = model::find_header(req.headers, kRequestUuid))
    info.id = *id;
  else if (const auto dc = model::find_header(req.headers, "X-Request-Id"))
    info.id = *dc;
  return info;
}

bool BitbucketProvider::detect(const model::Headers& headers) const {
  const auto ua = model::find_header(headers, "User-Agent");
  return model::find_header(headers, kEventKey) || model::find_header(headers, kRequestUuid) ||
         model::find_header(headers, "X-Hook-UUID") ||
         (ua && util::starts_with(*ua, "Bitbucket-Webhooks/"));
}

void BitbucketProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kHeader))
      detail::corrupt_at(h.value, kPrefix.size());
}

void BitbucketProvider::mark_retry(model::Headers& headers, int attempt) const {
  model::set_header(headers, "X-Attempt-Number", std::to_string(attempt + 1));
}

bool BitbucketProvider::set_unknown_event(model::HttpRequest& req) const {
  model::set_header(req.headers, std::string(kEventKey), "hooktool:unknown_event");
  return true;
}

} // namespace hooktool::providers
