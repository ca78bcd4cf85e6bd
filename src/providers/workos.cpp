#include "providers/workos.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"

namespace hooktool::providers {

namespace {

// Verified on the raw bytes, which is what @workos-inc/node 11 does; what version 8 signs (the
// JSON.stringify form) is what send sends, so both accept hooktool's deliveries.
constexpr detail::PairedScheme kScheme{.header = "WorkOS-Signature",
                                       .unit = detail::TimeUnit::milliseconds,
                                       .spacing = detail::Spacing::trimmed};

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

} // namespace

std::string WorkosProvider::generate_secret() const {
  return crypto::random_string(kBase62, 32); // webhook secrets are 32 base62 characters
}

model::Headers WorkosProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"}};
}

model::Headers WorkosProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  return detail::sign_paired(kScheme, req, params);
}

Verdict WorkosProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  return detail::verify_paired(*this, kScheme, req, params);
}

std::optional<std::int64_t> WorkosProvider::signed_timestamp(const model::Headers& headers) const {
  return detail::paired_timestamp(kScheme, headers);
}

EventInfo WorkosProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"event"}, {"id"}});
  return {std::move(f[0]), std::move(f[1])};
}

bool WorkosProvider::set_unknown_event(model::HttpRequest& req) const {
  return detail::set_json_member(req.body, "event", "hooktool.unknown_event");
}

void WorkosProvider::tamper_signature(model::Headers& headers) const {
  detail::tamper_paired_signature(kScheme, headers);
}

void WorkosProvider::tamper_timestamp(model::Headers& headers) const {
  detail::tamper_paired_timestamp(kScheme, headers);
}

} // namespace hooktool::providers
