#pragma once

#include "model/http.hpp"
#include "model/verdict.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::providers {

using model::Verdict;
using model::VerdictStatus;

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
  std::string delivery_id{};  // the provider's delivery/message id header; empty: a fresh one
};

// in.delivery_id, or a fresh id from make when it is empty.
template <class Make> std::string delivery_id_or(const EnvelopeInput& in, Make make) {
  return in.delivery_id.empty() ? std::string(make()) : in.delivery_id;
}

// Signing parameters.
struct SignParams {
  std::string secret;            // the shared secret, or the private key for asymmetric schemes
  std::int64_t timestamp = 0;    // Unix seconds
  std::string signing_url;       // the URL the receiver sees (Twilio); empty: the request URL
  std::int64_t timestamp_ms = 0; // the same instant in ms, for schemes that sign ms; 0: unset
};

// params.timestamp_ms, or params.timestamp in ms when it is unset.
inline std::int64_t timestamp_ms_of(const SignParams& params) noexcept {
  return params.timestamp_ms != 0 ? params.timestamp_ms : params.timestamp * 1000;
}

// Verification parameters.
struct VerifyParams {
  std::optional<std::string> secret;     // nullopt: verdict "unverified"
  std::optional<std::int64_t> tolerance; // seconds; nullopt: provider default; 0: no window
  std::int64_t now = 0;                  // Unix seconds
  std::vector<std::string> urls;         // URLs the sender may have signed (Twilio)
};

// What a provider expects a handler to answer to an endpoint-verification request (Slack
// url_verification, Zoom endpoint.url_validation, Twitch webhook_callback_verification,
// Discord PING).
struct HandshakeAnswer {
  int status = 200;
  std::string content_type; // "application/json", "text/plain"
  std::string body;
};

// A form of the secret that a sender may have signed with by mistake, for explaining a
// signature mismatch. Never printed: only tag and label are.
struct SecretVariant {
  std::string secret; // the secret as verify takes it to check that form
  std::string tag;    // in the list of what was tried: "secret without whsec_"
  std::string label;  // what matched: "the secret without its whsec_ prefix"
};

// The signature drills of check (rejects-wrong-signature, -missing-, -malformed-) and of
// send --tamper signature.
enum class SignatureDrill {
  corrupt, // the signature no longer matches
  remove,  // no signature at all
  malform  // the signature is not in the scheme's format
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
  // One line for help texts, completions and the README's table: what the provider is and
  // how it signs.
  [[nodiscard]] virtual std::string_view description() const = 0;
  // The fixtures directory this provider's payloads come from (a flavour shares its family's).
  [[nodiscard]] virtual std::string_view fixture_family() const { return id(); }
  // The id its secret is looked up under (--secret ID=…, config [secrets]).
  [[nodiscard]] virtual std::string_view secret_family() const { return id(); }
  // The event send and check use when none is named.
  [[nodiscard]] virtual std::string_view default_event() const = 0;
  // How long the provider waits for an answer before it counts the delivery as failed.
  [[nodiscard]] virtual std::int64_t delivery_timeout_s() const { return 15; }
  // The header whose absence makes a delivery "unsigned".
  [[nodiscard]] virtual std::string_view signature_header() const = 0;
  // Every header that can carry a signature: the current one first, then legacy ones.
  [[nodiscard]] virtual std::vector<std::string_view> signature_headers() const {
    return {signature_header()};
  }
  // Whether signing the same input twice gives the same signature (false for ECDSA).
  [[nodiscard]] virtual bool deterministic() const { return true; }
  // Whether the signature covers the URL the handler sees (signing needs that URL).
  [[nodiscard]] virtual bool signs_url() const { return false; }
  // Whether the signature covers the body text as sent, so that a signature over re-serialised
  // JSON must fail (check's verifies-raw-bytes drill); false for schemes signing parameters.
  [[nodiscard]] virtual bool signs_body_text() const { return true; }
  // Makes the delivery claim an event type no handler routes on (check's accepts-unknown-event);
  // false when deliveries carry no event type. The caller re-signs.
  virtual bool set_unknown_event(model::HttpRequest& req) const;
  // Whether the scheme signs a timestamp, and which way it may drift.
  [[nodiscard]] virtual Window window() const { return Window::none; }
  // Default replay window in seconds (0 when the scheme has no timestamp).
  [[nodiscard]] virtual std::int64_t default_tolerance() const { return 0; }
  // Whether JSON bodies go out pretty-printed (Stripe) or compact.
  [[nodiscard]] virtual bool pretty_json() const { return false; }
  // Throws a usage error when the secret cannot be used to sign with this scheme (for an
  // asymmetric scheme: the private key).
  virtual void validate_secret(std::string_view secret) const;
  // A fresh secret in the provider's own format, for sends without --secret (for an
  // asymmetric scheme: a private key).
  [[nodiscard]] virtual std::string generate_secret() const;
  // Whether signing takes a private key and verification the matching public key.
  [[nodiscard]] virtual bool asymmetric() const { return false; }
  // Whether the scheme can sign with a key pair (hooktool keygen): every asymmetric scheme, and
  // Standard Webhooks' v1a beside its shared-secret v1.
  [[nodiscard]] virtual bool has_key_pairs() const { return asymmetric(); }
  // A fresh private key for keygen, in the format send takes; verifying_key gives its public
  // half.
  [[nodiscard]] virtual std::string generate_private_key() const { return generate_secret(); }
  // The key a handler verifies with, in the format the provider shows it (the public key of
  // an asymmetric scheme; the secret itself otherwise). Usage error when it is not a key.
  [[nodiscard]] virtual std::string verifying_key(std::string_view secret) const {
    return std::string(secret);
  }
  // Forms of the secret senders sign with by mistake (surrounding whitespace, hex- or
  // base64-decoded, a prefix dropped or added), each as verify takes it; none for asymmetric
  // schemes. The default suits schemes keyed with the secret's text.
  [[nodiscard]] virtual std::vector<SecretVariant> secret_variants(std::string_view secret) const;
  // The other digest the scheme has beside its current one ("HMAC-SHA1"); empty when it has one.
  [[nodiscard]] virtual std::string_view other_algorithm() const { return {}; }
  // Whether the signature, in its current header and shape, is the right input signed with
  // other_algorithm() (GitHub's sha256 header holding an HMAC-SHA1).
  [[nodiscard]] virtual bool signed_with_other_algorithm(const model::HttpRequest& /*req*/,
                                                         std::string_view /*secret*/) const {
    return false;
  }
  // Throws a usage error when key cannot be used to verify (listen, verify).
  virtual void validate_verifying_key(std::string_view key) const { validate_secret(key); }
  // Non-signature headers the provider sends: content type, user agent, event, delivery ids.
  [[nodiscard]] virtual model::Headers envelope(const EnvelopeInput& in) const = 0;
  // Signs req in place (headers, and the URL for Twilio's JSON variant); returns the headers set.
  virtual model::Headers sign(model::HttpRequest& req, const SignParams& params) const = 0;
  // Checks a received delivery against the secret.
  [[nodiscard]] virtual Verdict verify(const model::HttpRequest& req,
                                       const VerifyParams& params) const = 0;
  // The Unix time a delivery's signature claims, for schemes that sign one.
  [[nodiscard]] virtual std::optional<std::int64_t>
  signed_timestamp(const model::Headers& /*headers*/) const {
    return std::nullopt;
  }
  // The same for a whole delivery: signed_timestamp of its headers, or for a scheme that signs
  // its time in the body (Linear's webhookTimestamp), that time.
  [[nodiscard]] virtual std::optional<std::int64_t>
  signed_time(const model::HttpRequest& req) const {
    return signed_timestamp(req.headers);
  }
  // Reads the event type and id from a delivery.
  [[nodiscard]] virtual EventInfo event_info(const model::HttpRequest& req) const = 0;
  // True when the headers look like this provider's (auto-detection in listen); false for a
  // scheme that has no headers of its own to be recognised by.
  [[nodiscard]] virtual bool detect(const model::Headers& headers) const;
  // For a provider that sends another's headers (Resend and Clerk send Svix's): true when the
  // body has this provider's shape. Never true for the others (see providers::told_apart).
  [[nodiscard]] virtual bool claims_body(std::string_view /*body*/) const { return false; }
  // Whether claims_body can be true (the provider is told apart by its body).
  [[nodiscard]] virtual bool known_by_body() const { return false; }
  // Corrupts the signature so that verification must fail.
  virtual void tamper_signature(model::Headers& headers) const;
  // Applies a signature drill where the signature lives (its headers; the body for schemes
  // that sign in the body) and says where: "the Stripe-Signature header",
  // "signature.signature in the body". Empty when the delivery has no signature to drill.
  virtual std::string drill_signature(model::HttpRequest& req, SignatureDrill drill) const;
  // Changes the signed timestamp without re-signing; usage error on schemes without one.
  virtual void tamper_timestamp(model::Headers& headers) const;
  // The timestamp drill on a whole delivery (send --tamper timestamp), for schemes that sign
  // their time in the body too; returns what it changed. The default is tamper_timestamp on
  // the headers, moved 1 s.
  virtual std::string tamper_delivery_timestamp(model::HttpRequest& req) const {
    tamper_timestamp(req.headers);
    return "timestamp moved 1 s after signing";
  }
  // Adds the headers a provider puts on a retried delivery (attempt counts from 1).
  virtual void mark_retry(model::Headers& headers, int attempt) const;
  // The fixture of the provider's endpoint-verification request ("url_verification"); empty
  // when the provider has none.
  [[nodiscard]] virtual std::string_view handshake_event() const { return {}; }
  // Whether the fixture event is an endpoint-verification request rather than an event.
  [[nodiscard]] bool is_handshake_event(std::string_view event) const {
    return !handshake_event().empty() && event == handshake_event();
  }
  // When req is an endpoint-verification request, the answer the provider expects (Zoom's
  // depends on the secret); nullopt for every other delivery.
  [[nodiscard]] virtual std::optional<HandshakeAnswer>
  handshake_answer(const model::HttpRequest& /*req*/, std::string_view /*secret*/) const {
    return std::nullopt;
  }
  // What is wrong with a handler's reply to the endpoint-verification request req, as the
  // provider would judge it: "missing \"challenge\"", "answered 500, not 2xx", …; nullopt
  // when the provider would accept it (or req is no handshake). The default wants a 2xx, the
  // expected answer's media type and exactly its body.
  [[nodiscard]] virtual std::optional<std::string>
  handshake_problem(const model::HttpRequest& req, std::string_view secret,
                    const HandshakeAnswer& reply) const;
};

} // namespace hooktool::providers
