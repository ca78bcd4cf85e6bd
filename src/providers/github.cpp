#include "providers/github.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {
constexpr std::string_view kSha256Header = "X-Hub-Signature-256";
constexpr std::string_view kSha1Header = "X-Hub-Signature";

std::string sha256_value(std::string_view secret, std::string_view body) {
  return "sha256=" + crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, body));
}
} // namespace

model::Headers GithubProvider::envelope(const EnvelopeInput& in) const {
  // The file name is "<X-GitHub-Event>.<action>"; the header carries only the event.
  const auto dot = in.event.find('.');
  const auto event = in.event.substr(0, dot);
  return {{"Accept", "*/*"},
          {"Content-Type", "application/json"},
          {"User-Agent", "GitHub-Hookshot/" + crypto::to_hex(crypto::random_bytes(4)).substr(0, 7)},
          {"X-GitHub-Delivery", delivery_id_or(in, crypto::random_uuid)},
          {"X-GitHub-Event", event},
          {"X-GitHub-Hook-ID", crypto::random_digits(9)},
          {"X-GitHub-Hook-Installation-Target-ID", crypto::random_digits(9)},
          {"X-GitHub-Hook-Installation-Target-Type", "repository"}};
}

model::Headers GithubProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  auto sha1 = "sha1=" + crypto::to_hex(crypto::hmac(crypto::Digest::sha1, params.secret, req.body));
  auto sha256 = sha256_value(params.secret, req.body);
  model::set_header(req.headers, std::string(kSha1Header), sha1);
  model::set_header(req.headers, std::string(kSha256Header), sha256);
  return {{std::string(kSha1Header), std::move(sha1)},
          {std::string(kSha256Header), std::move(sha256)}};
}

Verdict GithubProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kSha256Header);
  if (!header) {
    if (model::find_header(req.headers, kSha1Header))
      return detail::invalid(
          "missing X-Hub-Signature-256 (only the legacy sha1 header is present)");
    return {VerdictStatus::unsigned_, "no X-Hub-Signature-256 header"};
  }
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for github"};
  if (!util::starts_with(*header, "sha256="))
    return detail::invalid("malformed X-Hub-Signature-256 header: expected 'sha256=<hex>'");
  if (!crypto::constant_time_equal(sha256_value(*params.secret, req.body), *header))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  return detail::valid();
}

bool GithubProvider::signed_with_other_algorithm(const model::HttpRequest& req,
                                                 std::string_view secret) const {
  const auto header = model::find_header(req.headers, kSha256Header);
  if (!header || !util::starts_with(*header, "sha256="))
    return false;
  const auto sha1 = crypto::to_hex(crypto::hmac(crypto::Digest::sha1, secret, req.body));
  return crypto::constant_time_equal("sha256=" + sha1, *header);
}

EventInfo GithubProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (const auto event = model::find_header(req.headers, "X-GitHub-Event"))
    info.type = *event;
  const auto action = util::json_fields(req.body, {{"action"}})[0];
  if (!action.empty())
    info.type += "." + action;
  if (const auto delivery = model::find_header(req.headers, "X-GitHub-Delivery"))
    info.id = *delivery;
  return info;
}

void GithubProvider::tamper_signature(model::Headers& headers) const {
  // Both the sha256 and the legacy sha1 header, so that no valid signature is left.
  for (auto& h : headers)
    if (util::iequals(h.name, kSha256Header) || util::iequals(h.name, kSha1Header))
      detail::corrupt_at(h.value, h.value.find('=') + 1);
}

bool GithubProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, "X-GitHub-Event") ||
         model::find_header(headers, kSha256Header);
}

bool GithubProvider::set_unknown_event(model::HttpRequest& req) const {
  model::set_header(req.headers, "X-GitHub-Event", "hooktool_unknown_event");
  return true;
}

} // namespace hooktool::providers
