#include "providers/mux.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"

namespace hooktool::providers {

namespace {

// @mux/mux-node webhooks.verifySignature: comma-separated items, every v1 compared.
constexpr detail::PairedScheme kScheme{.header = "Mux-Signature"};

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

} // namespace

std::string MuxProvider::generate_secret() const {
  return crypto::random_string(kBase62, 32); // signing secrets are 32 base62 characters
}

model::Headers MuxProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"}};
}

model::Headers MuxProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  return detail::sign_paired(kScheme, req, params);
}

Verdict MuxProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  return detail::verify_paired(*this, kScheme, req, params);
}

std::optional<std::int64_t> MuxProvider::signed_timestamp(const model::Headers& headers) const {
  return detail::paired_timestamp(kScheme, headers);
}

EventInfo MuxProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"type"}, {"id"}});
  return {std::move(f[0]), std::move(f[1])};
}

void MuxProvider::tamper_signature(model::Headers& headers) const {
  detail::tamper_paired_signature(kScheme, headers);
}

void MuxProvider::tamper_timestamp(model::Headers& headers) const {
  detail::tamper_paired_timestamp(kScheme, headers);
}

} // namespace hooktool::providers
