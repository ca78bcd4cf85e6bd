#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// How a flavour's secret becomes the HMAC key.
enum class StandardSecretText {
  base64,           // standardwebhooks / svix: base64 after an optional "whsec_"
  utf8_unless_whsec // openai: base64 after "whsec_", else the secret's UTF-8 bytes
};

// Which header family a flavour verifies.
enum class StandardHeaders {
  either,  // "<prefix>-*" first, then the other family (standardwebhooks, svix, resend)
  own_only // only "<prefix>-*" (openai reads webhook-*, Clerk's verifyWebhook svix-*)
};

// Everything that tells one Standard Webhooks sender from another; the signing scheme is the
// same for all (v1,<base64 HMAC-SHA256 of "<id>.<ts>.<body>">, window ±300 s).
struct StandardFlavour {
  std::string_view id{};             // registry id
  std::string_view description{};    // help text, README row
  std::string_view header_prefix{};  // "webhook-" or "svix-"
  std::string_view fixture_family{}; // fixtures/<family>/
  std::string_view secret_family{};  // --secret FAMILY=…
  std::string_view default_event{};
  std::string_view user_agent{};
  std::string_view id_prefix{};   // message ids: "msg_", "wh_"
  std::string_view id_alphabet{}; // and the characters after it
  std::size_t id_length = 24;
  std::size_t secret_bytes = 24; // random bytes in a generated whsec_ secret
  StandardSecretText secret_text = StandardSecretText::base64;
  StandardHeaders headers = StandardHeaders::either;
  bool bare_signatures = false; // list entries without "v1," are signatures too (openai)
  bool ed25519 = false;         // v1a with whsk_/whpk_ keys (the spec's asymmetric variant)
  bool trim_headers = false;    // surrounding whitespace trimmed from header values (Clerk)
  // Detection: headers alone. Empty detect_user_agent and detect_id_prefix: the flavour's
  // headers are the whole test; detectable false: it cannot be told apart from another
  // flavour by headers (listen needs --provider).
  bool detectable = true;
  std::string_view detect_user_agent{}; // User-Agent prefix that marks the sender
  std::string_view detect_id_prefix{};  // or a message-id prefix that does
  // For a flavour that is not detectable: whether a body has its payloads' shape.
  bool (*claims_body)(std::string_view body) = nullptr;
};

// The flavours hooktool knows: Standard Webhooks itself and Svix.
const StandardFlavour& standard_flavour();
const StandardFlavour& svix_flavour();

// Which header family a Standard Webhooks sender uses (standard, svix).
enum class StandardFlavor { standard, svix };

// Standard Webhooks: webhook-signature "v1,<base64>" over "<id>.<ts>.<body>", key = base64 of
// what follows "whsec_"; v1a ("v1a,<base64 Ed25519>") with whsk_ secret keys and whpk_ public
// keys. A flavour (svix, openai, resend, clerk) changes headers, envelope and secret text.
class StandardProvider final : public Provider {
public:
  explicit StandardProvider(const StandardFlavour& flavour) : f_(flavour) {}
  explicit StandardProvider(StandardFlavor flavor)
      : StandardProvider(flavor == StandardFlavor::svix ? svix_flavour() : standard_flavour()) {}
  [[nodiscard]] std::string_view id() const override { return f_.id; }
  [[nodiscard]] std::string_view description() const override { return f_.description; }
  [[nodiscard]] std::string_view fixture_family() const override { return f_.fixture_family; }
  [[nodiscard]] std::string_view secret_family() const override { return f_.secret_family; }
  [[nodiscard]] std::string_view default_event() const override { return f_.default_event; }
  [[nodiscard]] std::vector<std::string_view> signature_headers() const override;

  [[nodiscard]] std::string_view signature_header() const override;
  [[nodiscard]] Window window() const override { return Window::past_and_future; }
  [[nodiscard]] std::int64_t default_tolerance() const override { return 300; }
  void validate_secret(std::string_view secret) const override;
  [[nodiscard]] std::string generate_secret() const override;
  // The HMAC keyed with the secret's text instead of its base64-decoded bytes (with and
  // without whsec_), or the other way round for a flavour that keys with the text.
  [[nodiscard]] std::vector<SecretVariant> secret_variants(std::string_view secret) const override;
  [[nodiscard]] bool has_key_pairs() const override { return f_.ed25519; }
  // A v1a whsk_ secret key: base64 of the 64-byte Ed25519 secret key (seed, then public key).
  [[nodiscard]] std::string generate_private_key() const override;
  [[nodiscard]] std::string verifying_key(std::string_view secret) const override;
  void validate_verifying_key(std::string_view key) const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  [[nodiscard]] bool detect(const model::Headers& headers) const override;
  [[nodiscard]] bool claims_body(std::string_view body) const override {
    return f_.claims_body != nullptr && f_.claims_body(body);
  }
  [[nodiscard]] bool known_by_body() const override { return f_.claims_body != nullptr; }
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;

private:
  [[nodiscard]] std::optional<std::string> header(const model::Headers& headers,
                                                  std::string_view name) const;
  [[nodiscard]] std::string hmac_key_or_throw(std::string_view secret) const;
  const StandardFlavour& f_;
};

// The HMAC key of a Standard Webhooks secret: base64-decoded after an optional "whsec_".
std::optional<std::string> standard_key(std::string_view secret);

// The 32-byte Ed25519 seed of a "whsk_" secret key (base64 of the 64-byte seed + public key,
// or of the 32-byte seed alone); nullopt when secret is not a whsk_ key. Usage error when it
// is one but malformed.
std::optional<std::string> standard_v1a_seed(std::string_view secret);

} // namespace hooktool::providers
