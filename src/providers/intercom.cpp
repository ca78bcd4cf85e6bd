#include "providers/intercom.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "X-Hub-Signature";
constexpr std::string_view kPrefix = "sha1=";
constexpr std::string_view kUserAgent = "intercom-parrot-service-client/1.0";

std::string signature(std::string_view secret, std::string_view body) {
  return std::string(kPrefix) + crypto::to_hex(crypto::hmac(crypto::Digest::sha1, secret, body));
}

bool is_hex(std::string_view s, std::size_t n) {
  return s.size() == n && s.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
}

} // namespace

model::Headers IntercomProvider::envelope(const EnvelopeInput& /*in*/) const {
  // No delivery header: the body's notification id ("notif_…") identifies the delivery.
  return {{"Content-Type", "application/json"},
          {"User-Agent", std::string(kUserAgent)},
          {"Accept", "application/json"}};
}

model::Headers IntercomProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto value = signature(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict IntercomProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-Hub-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for intercom"};
  if (!util::starts_with(*header, kPrefix) || !is_hex(header->substr(kPrefix.size()), 40))
    return detail::invalid("malformed X-Hub-Signature header: expected 'sha1=<40 hex characters>'");
  if (!crypto::constant_time_equal(signature(*params.secret, req.body), *header))
    return detail::invalid(
        "signature does not match (wrong client secret, or the body was altered)");
  return detail::valid();
}

EventInfo IntercomProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"topic"}, {"id"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool IntercomProvider::detect(const model::Headers& headers) const {
  if (const auto ua = model::find_header(headers, "User-Agent");
      ua && util::starts_with(util::to_lower(*ua), "intercom-"))
    return true;
  // A bare sha1 X-Hub-Signature: GitHub sends X-GitHub-Event (and the sha256 header) with its
  // legacy one, Bitbucket X-Event-Key with sha256.
  const auto sig = model::find_header(headers, kHeader);
  return sig && util::starts_with(*sig, kPrefix) &&
         !model::find_header(headers, "X-GitHub-Event") &&
         !model::find_header(headers, "X-Hub-Signature-256") &&
         !model::find_header(headers, "X-Event-Key");
}

void IntercomProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kHeader))
      detail::corrupt_at(h.value, kPrefix.size());
}

bool IntercomProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["topic"] = "hooktool.unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

} // namespace hooktool::providers
