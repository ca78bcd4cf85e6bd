#include "providers/standard.hpp"

#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::string_view kSecretKeyPrefix = "whsk_";
constexpr std::string_view kPublicKeyPrefix = "whpk_";

std::string signed_content(std::string_view id, std::string_view ts, std::string_view body) {
  std::string content;
  content.reserve(id.size() + ts.size() + body.size() + 2);
  content.append(id).append(".").append(ts).append(".").append(body);
  return content;
}

std::string v1_signature(std::string_view key, std::string_view content) {
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, key, content));
}

std::string_view other_prefix(std::string_view prefix) {
  return prefix == "svix-" ? "webhook-" : "svix-";
}

// The key a receiver verifies with: an HMAC key (v1) or an Ed25519 public key (v1a).
struct ReceiverKey {
  bool ed25519 = false;
  std::string bytes;
};

std::optional<std::string> v1a_public(std::string_view key) {
  if (!util::starts_with(key, kPublicKeyPrefix))
    return std::nullopt;
  std::string raw = crypto::base64_decode(key.substr(kPublicKeyPrefix.size())).value_or("");
  if (raw.size() != 32)
    throw usage_error("a whpk_ public key must be base64 of 32 bytes (an Ed25519 public key)");
  // Built in place: GCC 12 at -O2 warns falsely (-Warray-bounds) when a short std::string is
  // moved or copied into the optional here.
  return std::optional<std::string>(std::in_place, raw.data(), raw.size());
}

} // namespace

const StandardFlavour& standard_flavour() {
  static const StandardFlavour f{
      .id = "standard",
      .description = "Standard Webhooks: webhook-signature v1,<base64 HMAC-SHA256 of "
                     "\"<id>.<ts>.<body>\"> (whsec_), or v1a,<base64 Ed25519> (whsk_/whpk_ keys)",
      .header_prefix = "webhook-",
      .fixture_family = "standard",
      .secret_family = "standard",
      .default_event = "user.created",
      .user_agent = "hooktool-standard-webhooks/1.0",
      .id_prefix = "msg_",
      .id_alphabet = kBase62,
      .ed25519 = true,
  };
  return f;
}

const StandardFlavour& svix_flavour() {
  static const StandardFlavour f{
      .id = "svix",
      .description = "Svix (Standard Webhooks with svix-* headers): svix-signature v1,<base64 "
                     "HMAC-SHA256 of \"<id>.<ts>.<body>\">",
      .header_prefix = "svix-",
      .fixture_family = "standard",
      .secret_family = "standard",
      .default_event = "user.created",
      .user_agent = "Svix-Webhooks/1.0",
      .id_prefix = "msg_",
      .id_alphabet = kBase62,
  };
  return f;
}

std::optional<std::string> standard_key(std::string_view secret) {
  if (util::starts_with(secret, kSecretPrefix))
    secret.remove_prefix(kSecretPrefix.size());
  auto key = crypto::base64_decode(secret);
  if (!key || key->empty())
    return std::nullopt;
  return key;
}

std::optional<std::string> standard_v1a_seed(std::string_view secret) {
  if (!util::starts_with(secret, kSecretKeyPrefix))
    return std::nullopt;
  const auto raw = crypto::base64_decode(secret.substr(kSecretKeyPrefix.size()));
  if (!raw || (raw->size() != 32 && raw->size() != 64))
    throw usage_error("a whsk_ secret key must be base64 of the 64-byte Ed25519 secret key "
                      "(seed + public key) or of the 32-byte seed");
  auto seed = raw->substr(0, 32);
  if (raw->size() == 64 && crypto::ed25519_public_key(seed) != raw->substr(32))
    throw usage_error("the whsk_ secret key's last 32 bytes are not the public key of its seed");
  return seed;
}

std::vector<std::string_view> StandardProvider::signature_headers() const {
  if (f_.headers == StandardHeaders::own_only)
    return {signature_header()};
  return {"webhook-signature", "svix-signature"};
}

std::string_view StandardProvider::signature_header() const {
  return f_.header_prefix == "svix-" ? "svix-signature" : "webhook-signature";
}

std::optional<std::string> StandardProvider::header(const model::Headers& headers,
                                                    std::string_view name) const {
  auto v = model::find_header(headers, std::string(f_.header_prefix) + std::string(name));
  if (!v && f_.headers == StandardHeaders::either)
    v = model::find_header(headers,
                           std::string(other_prefix(f_.header_prefix)) + std::string(name));
  if (!v)
    return std::nullopt;
  return std::string(f_.trim_headers ? util::trim(*v) : *v);
}

std::string StandardProvider::hmac_key_or_throw(std::string_view secret) const {
  if (f_.secret_text == StandardSecretText::utf8_unless_whsec &&
      !util::starts_with(secret, kSecretPrefix)) {
    if (secret.empty())
      throw usage_error("the " + std::string(id()) + " secret is empty");
    return std::string(secret); // the openai SDK keys HMAC with the secret's UTF-8 bytes
  }
  auto key = standard_key(secret);
  if (!key)
    throw usage_error("the " + std::string(id()) + " secret must be base64 after " +
                      (f_.secret_text == StandardSecretText::base64 ? "an optional " : "") +
                      "'whsec_'" + (f_.ed25519 ? ", or a whsk_ secret key" : ""));
  return std::move(*key);
}

void StandardProvider::validate_secret(std::string_view secret) const {
  if (f_.ed25519) {
    if (util::starts_with(secret, kPublicKeyPrefix))
      throw usage_error("a whpk_ key is the public key, for listen and verify: sign with the "
                        "whsk_ secret key");
    if (standard_v1a_seed(secret))
      return;
  }
  (void)hmac_key_or_throw(secret);
}

std::string StandardProvider::generate_secret() const {
  return std::string(kSecretPrefix) + crypto::base64_encode(crypto::random_bytes(f_.secret_bytes));
}

std::vector<SecretVariant> StandardProvider::secret_variants(std::string_view secret) const {
  std::vector<SecretVariant> out;
  if (util::starts_with(secret, kSecretKeyPrefix) || util::starts_with(secret, kPublicKeyPrefix))
    return out; // v1a keys: Ed25519, nothing to key differently
  const auto text_key = [](std::string_view text) {
    return std::string(kSecretPrefix) + crypto::base64_encode(text); // verify keys with text
  };
  const bool prefixed = util::starts_with(secret, kSecretPrefix);
  if (f_.secret_text == StandardSecretText::utf8_unless_whsec && !prefixed) {
    if (standard_key(secret))
      out.push_back({std::string(kSecretPrefix) + std::string(secret), "base64-decoded secret",
                     "the secret base64-decoded (the sender keyed the HMAC with the decoded "
                     "bytes, as with a whsec_ prefix)"});
    return out;
  }
  out.push_back({text_key(secret), "secret text not base64-decoded",
                 prefixed ? "the whole secret text, whsec_ included, as the HMAC key (the sender "
                            "did not strip whsec_ and base64-decode it)"
                          : "the secret text as the HMAC key (the sender did not base64-decode "
                            "it)"});
  if (prefixed)
    out.push_back({text_key(secret.substr(kSecretPrefix.size())),
                   "secret without whsec_ not base64-decoded",
                   "the secret after whsec_ as text (the sender stripped whsec_ but did not "
                   "base64-decode the rest)"});
  const auto trimmed = util::trim(secret);
  if (trimmed.size() != secret.size() && !trimmed.empty())
    out.push_back({std::string(trimmed), "secret trimmed",
                   "the secret without its surrounding whitespace (the secret given here has a "
                   "stray space or newline)"});
  return out;
}

std::string StandardProvider::generate_private_key() const {
  if (!f_.ed25519)
    return generate_secret();
  const auto seed = crypto::random_bytes(32);
  return std::string(kSecretKeyPrefix) +
         crypto::base64_encode(seed + crypto::ed25519_public_key(seed));
}

std::string StandardProvider::verifying_key(std::string_view secret) const {
  if (f_.ed25519)
    if (const auto seed = standard_v1a_seed(secret))
      return std::string(kPublicKeyPrefix) +
             crypto::base64_encode(crypto::ed25519_public_key(*seed));
  return std::string(secret);
}

void StandardProvider::validate_verifying_key(std::string_view key) const {
  if (f_.ed25519 && v1a_public(key))
    return;
  validate_secret(key);
}

model::Headers StandardProvider::envelope(const EnvelopeInput& in) const {
  const auto new_id = [this] {
    return std::string(f_.id_prefix) + crypto::random_string(f_.id_alphabet, f_.id_length);
  };
  return {{"Content-Type", "application/json"},
          {"User-Agent", std::string(f_.user_agent)},
          {"Accept", "*/*"},
          {std::string(f_.header_prefix) + "id", delivery_id_or(in, new_id)}};
}

model::Headers StandardProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto seed = f_.ed25519 ? standard_v1a_seed(params.secret) : std::nullopt;
  const auto key = seed ? std::string() : hmac_key_or_throw(params.secret);
  auto msg_id = header(req.headers, "id").value_or("");
  if (msg_id.empty())
    msg_id = std::string(f_.id_prefix) + crypto::random_string(f_.id_alphabet, f_.id_length);
  const auto ts = std::to_string(params.timestamp);
  const auto content = signed_content(msg_id, ts, req.body);
  auto value = seed ? "v1a," + crypto::base64_encode(crypto::ed25519_sign(*seed, content))
                    : "v1," + v1_signature(key, content);
  const std::string prefix(f_.header_prefix);
  model::Headers set{
      {prefix + "id", msg_id}, {prefix + "timestamp", ts}, {prefix + "signature", value}};
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict StandardProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const std::string prefix(f_.header_prefix);
  const auto sig_header = header(req.headers, "signature");
  if (!sig_header)
    return {VerdictStatus::unsigned_, "no " + prefix + "signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for " + std::string(id())};
  ReceiverKey key;
  try {
    if (f_.ed25519) {
      if (auto pub = v1a_public(*params.secret))
        key = {true, std::move(*pub)};
      else if (const auto seed = standard_v1a_seed(*params.secret))
        key = {true, crypto::ed25519_public_key(*seed)};
    }
    if (!key.ed25519)
      key.bytes = hmac_key_or_throw(*params.secret);
  } catch (const Error& e) {
    return detail::invalid(e.what());
  }
  const auto msg_id = header(req.headers, "id");
  if (!msg_id)
    return detail::invalid("missing " + prefix + "id header");
  const auto ts_text = header(req.headers, "timestamp");
  if (!ts_text)
    return detail::invalid("missing " + prefix + "timestamp header");
  const auto ts = detail::parse_timestamp(*ts_text);
  if (!ts)
    return detail::invalid("malformed " + prefix + "timestamp '" + util::printable(*ts_text) +
                           "': expected integer seconds");
  const auto content = signed_content(*msg_id, *ts_text, req.body);
  const std::string_view want = key.ed25519 ? "v1a" : "v1";
  const auto expected = key.ed25519 ? std::string() : v1_signature(key.bytes, content);
  bool any = false;
  bool other_version = false;
  bool match = false;
  for (const auto entry : util::split(*sig_header, ' ')) {
    const auto comma = entry.find(',');
    std::string_view version = comma == std::string_view::npos ? "" : entry.substr(0, comma);
    std::string_view sig = comma == std::string_view::npos ? entry : entry.substr(comma + 1);
    if (version.empty() && f_.bare_signatures && !key.ed25519 && !entry.empty()) {
      version = "v1"; // the openai SDK takes an entry without "v1," as a signature
      sig = entry;
    }
    if (version != want) {
      // Other versions, and entries that are not "version,signature", are ignored.
      other_version = other_version || version == "v1" || version == "v1a";
      continue;
    }
    any = true;
    if (key.ed25519) {
      const auto raw = crypto::base64_decode(sig);
      match = (raw && crypto::ed25519_verify(key.bytes, content, *raw)) || match;
    } else {
      match = crypto::constant_time_equal(expected, sig) || match;
    }
  }
  if (!any)
    return detail::invalid(
        "malformed " + prefix + "signature header: no '" + std::string(want) + ",<base64>' entry" +
        (other_version ? (key.ed25519 ? " (its v1 entries verify with the whsec_ secret)"
                                      : " (its v1a entries verify with the whpk_ public key)")
                       : ""));
  if (!match)
    return detail::invalid("signature does not match: no " + std::string(want) +
                           " entry matches (wrong " + (key.ed25519 ? "key" : "secret") +
                           ", or the body was altered)");
  if (auto why =
          detail::outside_window(window(), *ts, params.now, detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo StandardProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  info.type = util::json_fields(req.body, {{"type"}})[0];
  info.id = header(req.headers, "id").value_or("");
  return info;
}

bool StandardProvider::detect(const model::Headers& headers) const {
  if (!f_.detectable)
    return false;
  const std::string prefix(f_.header_prefix);
  const auto msg_id = model::find_header(headers, prefix + "id");
  if (!msg_id && !model::find_header(headers, prefix + "signature"))
    return false;
  if (f_.detect_user_agent.empty() && f_.detect_id_prefix.empty())
    return true;
  if (!f_.detect_user_agent.empty())
    if (const auto ua = model::find_header(headers, "User-Agent");
        ua && util::starts_with(*ua, f_.detect_user_agent))
      return true;
  return !f_.detect_id_prefix.empty() && msg_id && util::starts_with(*msg_id, f_.detect_id_prefix);
}

void StandardProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, signature_header())) {
      const auto comma = h.value.find(',');
      detail::corrupt_at(h.value, comma == std::string::npos ? 0 : comma + 1);
    }
}

void StandardProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, std::string(f_.header_prefix) + "timestamp")) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

std::optional<std::int64_t>
StandardProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = header(headers, "timestamp");
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

} // namespace hooktool::providers
