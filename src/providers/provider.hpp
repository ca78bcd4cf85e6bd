#pragma once

#include "core/delivery.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::providers {

// Verification outcome, as printed and captured.
enum class VerdictStatus { valid, invalid, expired, unsigned_, unverified };

// "valid", "invalid", "expired", "unsigned", "unverified".
std::string_view to_string(VerdictStatus status) noexcept;

// A verification verdict with a human-readable reason (empty when valid).
struct Verdict {
  VerdictStatus status = VerdictStatus::unverified;
  std::string reason;
};

// Event type and provider event/delivery id read from a delivery; empty when absent.
struct EventInfo {
  std::string type;
  std::string id;
};

// How a payload is encoded on the wire.
enum class BodyFormat { json, form };

// Which way a timestamp may drift before a signature counts as expired.
enum class Window { none, past, past_and_future };

// What a provider needs to put its envelope headers on a fresh delivery.
struct EnvelopeInput {
  std::string event; // fixture name: "invoice.paid", "pull_request.opened", "orders/create"
  BodyFormat format = BodyFormat::json;
  std::int64_t timestamp = 0; // Unix seconds of the delivery (already backdated by --age)
};

// Signing parameters.
struct SignParams {
  std::string secret;
  std::int64_t timestamp = 0;
  std::string signing_url; // the URL the receiver sees (Twilio); empty: the request URL
};

// Verification parameters.
struct VerifyParams {
  std::optional<std::string> secret;     // nullopt: verdict "unverified"
  std::optional<std::int64_t> tolerance; // seconds; nullopt: provider default; 0: no window
  std::int64_t now = 0;                  // Unix seconds
  std::vector<std::string> urls;         // URLs the sender may have signed (Twilio)
};

// One webhook provider: its envelope, its signing scheme, its verification and its event ids.
class Provider {
public:
  Provider() = default;
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;
  virtual ~Provider() = default;

  // Registry id: "stripe", "github", …
  [[nodiscard]] virtual std::string_view id() const = 0;
  // The header whose absence makes a delivery "unsigned".
  [[nodiscard]] virtual std::string_view signature_header() const = 0;
  // Whether the scheme signs a timestamp, and which way it may drift.
  [[nodiscard]] virtual Window window() const { return Window::none; }
  // Default replay window in seconds (0 when the scheme has no timestamp).
  [[nodiscard]] virtual std::int64_t default_tolerance() const { return 0; }
  // Whether JSON bodies go out pretty-printed (Stripe) or compact.
  [[nodiscard]] virtual bool pretty_json() const { return false; }
  // Throws a usage error when the secret cannot be used with this scheme.
  virtual void validate_secret(std::string_view secret) const;
  // A fresh secret in the provider's own format, for sends without --secret.
  [[nodiscard]] virtual std::string generate_secret() const;
  // Non-signature headers the provider sends: content type, user agent, event, delivery ids.
  [[nodiscard]] virtual core::Headers envelope(const EnvelopeInput& in) const = 0;
  // Signs req in place (headers, and the URL for Twilio's JSON variant); returns the headers set.
  virtual core::Headers sign(core::HttpRequest& req, const SignParams& params) const = 0;
  // Checks a received delivery against the secret.
  [[nodiscard]] virtual Verdict verify(const core::HttpRequest& req,
                                       const VerifyParams& params) const = 0;
  // The Unix time a delivery's signature claims, for schemes that sign one.
  [[nodiscard]] virtual std::optional<std::int64_t>
  signed_timestamp(const core::Headers& /*headers*/) const {
    return std::nullopt;
  }
  // Reads the event type and id from a delivery.
  [[nodiscard]] virtual EventInfo event_info(const core::HttpRequest& req) const = 0;
  // True when the headers look like this provider's (auto-detection in listen).
  [[nodiscard]] virtual bool detect(const core::Headers& headers) const;
  // Corrupts the signature so that verification must fail.
  virtual void tamper_signature(core::Headers& headers) const;
  // Changes the signed timestamp without re-signing; usage error on schemes without one.
  virtual void tamper_timestamp(core::Headers& headers) const;
  // Adds the headers a provider puts on a retried delivery (attempt counts from 1).
  virtual void mark_retry(core::Headers& headers, int attempt) const;
};

} // namespace hooktool::providers
