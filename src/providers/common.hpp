#pragma once

#include "providers/provider.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Helpers shared by the provider implementations; not part of the provider interface.
namespace hooktool::providers::detail {

// "signed 6 min 40 s ago (tolerance 5 min)" (or "… in the future") when ts falls outside the
// window, else nullopt.
std::optional<std::string> outside_window(Window window, std::int64_t ts, std::int64_t now,
                                          std::int64_t tolerance);
// Tolerance in force: the explicit one, else the provider default.
std::int64_t tolerance_of(const Provider& p, const VerifyParams& params) noexcept;
// Parses a Unix-seconds header value; nullopt when it is not a plain integer.
std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept;
// Flips one character of a hex or base64 signature at pos so it no longer matches.
void corrupt_at(std::string& value, std::size_t pos);
// Verdicts for the common cases.
Verdict valid();
Verdict invalid(std::string reason);

// Timestamp precision a scheme signs.
enum class TimeUnit { seconds, milliseconds };
// Whether spaces around the items of a signature header are skipped (WorkOS writes ", v1=").
enum class Spacing { exact, trimmed };

// A signature header of the "t=<ts>,v1=<hex>" family (Stripe, Mux, Calendly, WorkOS's
// "t=<ms>, v1=<hex>", Paddle's "ts=<ts>;h1=<hex>"): items split at the separator, each read as
// key=value at its first '=', one timestamp, any number of signatures (any match is valid),
// each a hex HMAC-SHA256 of "<timestamp><joiner><body>" with the secret as text.
struct PairedScheme {
  std::string_view header;              // "Stripe-Signature"
  std::string_view timestamp_key = "t"; // "t", "ts"
  std::string_view signature_key = "v1";
  char separator = ','; // between items: ',' or ';'
  char joiner = '.';    // between the timestamp and the body in the signed text: '.' or ':'
  TimeUnit unit = TimeUnit::seconds;
  Spacing spacing = Spacing::exact; // trimmed: sign writes ", " and verify skips the spaces
};
// The timestamp text (the last one given) and every signature of a paired header.
struct PairedSignatures {
  std::optional<std::string_view> timestamp;
  std::vector<std::string_view> signatures;
};
// Reads a paired header value as the providers' own libraries do.
PairedSignatures read_paired(const PairedScheme& scheme, std::string_view value);
// Signs req.body with the params' timestamp (in the scheme's unit) and sets the header.
model::Headers sign_paired(const PairedScheme& scheme, model::HttpRequest& req,
                           const SignParams& params);
// Verifies a paired header: unsigned, unverified, invalid (with the reason), expired or valid;
// the signature is checked before the window, as the libraries do.
Verdict verify_paired(const Provider& provider, const PairedScheme& scheme,
                      const model::HttpRequest& req, const VerifyParams& params);
// The header's timestamp in Unix seconds, or nullopt.
std::optional<std::int64_t> paired_timestamp(const PairedScheme& scheme,
                                             const model::Headers& headers);
// Corrupts every signature in the header.
void tamper_paired_signature(const PairedScheme& scheme, model::Headers& headers);
// Moves the header's timestamp one second on, keeping the signature.
void tamper_paired_timestamp(const PairedScheme& scheme, model::Headers& headers);
// Sets the top-level member key of a JSON object body to value (compact); false when the body
// is not a JSON object (check's accepts-unknown-event drill).
bool set_json_member(std::string& body, std::string_view key, std::string_view value);

// The media type of a Content-Type value, lower case and without parameters
// ("application/json"); empty when there is none.
std::string media_type(std::string_view content_type);
// Why a handshake answer with this status fails ("answered 500, not 2xx: …"); nullopt for 2xx.
std::optional<std::string> handshake_status_problem(const Provider& p, int status);
// Compares a JSON handshake reply with the expected JSON answer member by member: wrong
// content type, not a JSON object, a missing member or a wrong value; nullopt when each
// expected member is there with its value.
std::optional<std::string> json_answer_problem(const Provider& p, const HandshakeAnswer& expected,
                                               const HandshakeAnswer& reply);

} // namespace hooktool::providers::detail
