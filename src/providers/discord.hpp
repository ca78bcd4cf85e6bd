#pragma once

#include "providers/provider.hpp"

namespace hooktool::providers {

// Discord interactions: X-Signature-Ed25519 "<hex Ed25519 of timestamp + body>",
// X-Signature-Timestamp seconds. Signed with the application's private key (a 32-byte seed),
// verified with its 64-hex "Public Key"; a PING (type 1) must be answered {"type":1}.
class DiscordProvider final : public Provider {
public:
  [[nodiscard]] std::string_view id() const override { return "discord"; }
  [[nodiscard]] std::string_view description() const override {
    return "Discord interactions: X-Signature-Ed25519 <hex Ed25519 of timestamp + body>, keys: "
           "private seed (64 hex or PEM) / public key (64 hex)";
  }
  [[nodiscard]] std::string_view default_event() const override { return "application_command"; }
  [[nodiscard]] std::int64_t delivery_timeout_s() const override { return 3; }
  [[nodiscard]] std::string_view signature_header() const override { return "X-Signature-Ed25519"; }
  bool set_unknown_event(model::HttpRequest& req) const override;
  void validate_secret(std::string_view secret) const override;
  [[nodiscard]] std::string generate_secret() const override;
  [[nodiscard]] bool asymmetric() const override { return true; }
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
  void tamper_timestamp(model::Headers& headers) const override;
  [[nodiscard]] std::string_view handshake_event() const override { return "ping"; }
  [[nodiscard]] std::optional<HandshakeAnswer>
  handshake_answer(const model::HttpRequest& req, std::string_view secret) const override;
};

// The 32-byte Ed25519 seed of a Discord private key: 64 hex characters, 128 hex characters
// (seed + public key, as libsodium and tweetnacl write it) or a PKCS#8 PEM key. Usage error
// otherwise.
std::string discord_seed(std::string_view secret);

} // namespace hooktool::providers
