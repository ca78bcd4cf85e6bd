#pragma once

#include "crypto/crypto.hpp"
#include "providers/provider.hpp"

namespace hooktool::providers {

// How a generic signature is written.
enum class Encoding { hex, base64 };
// What a generic signature covers.
enum class SignedContent { body, timestamp_and_body };

// The knobs of an in-house HMAC scheme.
struct GenericConfig {
  std::string header = "X-Signature";
  crypto::Digest digest = crypto::Digest::sha256;
  Encoding encoding = Encoding::hex;
  std::string prefix; // e.g. "sha256="
  SignedContent content = SignedContent::body;
  std::string timestamp_header = "X-Timestamp"; // used with timestamp_and_body
  std::string separator = ".";                  // between timestamp and body
};

// Generic HMAC: <prefix><hex|base64 hmac(body | ts + sep + body)> in a configurable header.
class GenericProvider final : public Provider {
public:
  explicit GenericProvider(GenericConfig config) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view id() const override { return "generic"; }
  [[nodiscard]] std::string_view description() const override {
    return "Generic HMAC: an in-house scheme described by the --generic-* flags";
  }
  [[nodiscard]] std::string_view default_event() const override { return "order.created"; }
  // An in-house scheme has no headers to recognise it by.
  [[nodiscard]] bool detect(const model::Headers& /*headers*/) const override { return false; }

  [[nodiscard]] std::string_view signature_header() const override { return config_.header; }
  [[nodiscard]] Window window() const override;
  [[nodiscard]] std::int64_t default_tolerance() const override;
  [[nodiscard]] model::Headers envelope(const EnvelopeInput& in) const override;
  model::Headers sign(model::HttpRequest& req, const SignParams& params) const override;
  [[nodiscard]] Verdict verify(const model::HttpRequest& req,
                               const VerifyParams& params) const override;
  [[nodiscard]] std::optional<std::int64_t>
  signed_timestamp(const model::Headers& headers) const override;
  [[nodiscard]] EventInfo event_info(const model::HttpRequest& req) const override;
  void tamper_signature(model::Headers& headers) const override;
  void tamper_timestamp(model::Headers& headers) const override;

private:
  [[nodiscard]] std::string compute(std::string_view secret, std::string_view ts,
                                    std::string_view body) const;
  GenericConfig config_;
};

} // namespace hooktool::providers
