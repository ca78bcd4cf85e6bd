#include "providers/sendgrid.hpp"

#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kSignature = "X-Twilio-Email-Event-Webhook-Signature";
constexpr std::string_view kTimestamp = "X-Twilio-Email-Event-Webhook-Timestamp";

// A PEM key pasted into an environment variable or a TOML string often has "\n" escapes
// instead of line breaks.
std::string private_pem(std::string_view secret) {
  if (!crypto::is_pem(secret))
    throw usage_error("the sendgrid private key must be a PKCS#8 PEM key "
                      "(-----BEGIN PRIVATE KEY-----); give it with --secret-file");
  std::string pem;
  const bool escaped = secret.find('\n') == std::string_view::npos;
  for (std::size_t i = 0; i < secret.size(); ++i) {
    if (escaped && secret[i] == '\\' && i + 1 < secret.size() && secret[i + 1] == 'n') {
      pem += '\n';
      ++i;
    } else {
      pem += secret[i];
    }
  }
  return pem;
}

} // namespace

std::string sendgrid_public_der(std::string_view key) {
  if (crypto::is_pem(key)) {
    auto der = crypto::pem_to_der(key, "PUBLIC KEY");
    if (!der)
      throw usage_error("the sendgrid public key's PEM holds no PUBLIC KEY block");
    crypto::ecdsa_p256_check_public(*der);
    return std::move(*der);
  }
  auto der = crypto::base64_decode(util::trim(key));
  if (!der || der->empty())
    throw usage_error("the sendgrid public key must be the base64 DER key SendGrid shows "
                      "(Mail Settings > Event Webhook > Signature Verification)");
  crypto::ecdsa_p256_check_public(*der);
  return std::move(*der);
}

void SendgridProvider::validate_secret(std::string_view secret) const {
  crypto::ecdsa_p256_check_private(private_pem(secret));
}

std::string SendgridProvider::generate_secret() const {
  return crypto::ecdsa_p256_generate().private_pem;
}

std::string SendgridProvider::verifying_key(std::string_view secret) const {
  return crypto::base64_encode(crypto::ecdsa_p256_public_der(private_pem(secret)));
}

void SendgridProvider::validate_verifying_key(std::string_view key) const {
  (void)sendgrid_public_der(key);
}

model::Headers SendgridProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"}, {"User-Agent", "SendGrid Event API"}};
}

model::Headers SendgridProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto pem = private_pem(params.secret);
  const auto ts = std::to_string(params.timestamp);
  model::Headers set{
      {std::string(kSignature), crypto::base64_encode(crypto::ecdsa_p256_sign(pem, ts + req.body))},
      {std::string(kTimestamp), ts}};
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict SendgridProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kSignature);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-Twilio-Email-Event-Webhook-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no public key for sendgrid"};
  std::string der;
  try {
    der = sendgrid_public_der(*params.secret);
  } catch (const Error& e) {
    return detail::invalid(e.what());
  }
  const auto ts = model::find_header(req.headers, kTimestamp);
  if (!ts)
    return detail::invalid("missing X-Twilio-Email-Event-Webhook-Timestamp header");
  const auto signature = crypto::base64_decode(util::trim(*header));
  if (!signature || signature->empty())
    return detail::invalid(
        "malformed X-Twilio-Email-Event-Webhook-Signature header: expected base64 DER");
  if (!crypto::ecdsa_p256_verify(der, std::string(*ts) + req.body, *signature))
    return detail::invalid("signature does not match the public key (wrong key, a signature "
                           "that is not DER, or the body or timestamp was altered)");
  // @sendgrid/eventwebhook's verifySignature checks no timestamp window.
  return detail::valid();
}

std::optional<std::int64_t>
SendgridProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kTimestamp);
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

EventInfo SendgridProvider::event_info(const model::HttpRequest& req) const {
  // The body is an array of events; the first one names the delivery.
  EventInfo info;
  const auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_array() || doc->empty() || !(*doc)[0].is_object())
    return info;
  info.type = util::json_text((*doc)[0], "event");
  info.id = util::json_text((*doc)[0], "sg_event_id");
  return info;
}

bool SendgridProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_array())
    return false;
  for (auto& e : *doc)
    if (e.is_object())
      e["event"] = "hooktool_unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

bool SendgridProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kSignature).has_value();
}

void SendgridProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kTimestamp)) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

} // namespace hooktool::providers
