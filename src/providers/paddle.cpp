#include "providers/paddle.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace hooktool::providers {

namespace {

// Any h1 that matches is valid (several appear while a secret is rotated); the Node SDK
// compares only the last one.
constexpr detail::PairedScheme kScheme{.header = "Paddle-Signature",
                                       .timestamp_key = "ts",
                                       .signature_key = "h1",
                                       .separator = ';',
                                       .joiner = ':'};

constexpr std::string_view kLowerAlnum = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

} // namespace

void PaddleProvider::validate_secret(std::string_view secret) const {
  Provider::validate_secret(secret);
  if (secret.starts_with("pdl_live_apikey_") || secret.starts_with("pdl_sdbx_apikey_"))
    throw usage_error("the paddle secret is an API key: webhooks are signed with the "
                      "notification destination's secret key (pdl_ntfset_…)");
}

std::string PaddleProvider::generate_secret() const {
  // pdl_ntfset_<notification setting id>_<32 characters>, as the dashboard shows them.
  return "pdl_ntfset_01" + crypto::random_string(kLowerAlnum, 24) + "_" +
         crypto::random_string(kBase62, 32);
}

model::Headers PaddleProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"}};
}

model::Headers PaddleProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  return detail::sign_paired(kScheme, req, params);
}

Verdict PaddleProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  return detail::verify_paired(*this, kScheme, req, params);
}

std::optional<std::int64_t> PaddleProvider::signed_timestamp(const model::Headers& headers) const {
  return detail::paired_timestamp(kScheme, headers);
}

EventInfo PaddleProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"event_type"}, {"event_id"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool PaddleProvider::set_unknown_event(model::HttpRequest& req) const {
  return detail::set_json_member(req.body, "event_type", "hooktool.unknown_event");
}

void PaddleProvider::tamper_signature(model::Headers& headers) const {
  detail::tamper_paired_signature(kScheme, headers);
}

void PaddleProvider::tamper_timestamp(model::Headers& headers) const {
  detail::tamper_paired_timestamp(kScheme, headers);
}

} // namespace hooktool::providers
