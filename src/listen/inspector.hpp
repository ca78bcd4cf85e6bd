#pragma once

#include "core/capture.hpp"
#include "core/dev_secrets.hpp"
#include "core/mismatch.hpp"
#include "net/listen_server.hpp"
#include "providers/generic.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace hooktool::listen {

// How listen identifies and verifies what arrives.
struct InspectorConfig {
  std::optional<std::string> forced_provider; // --provider
  providers::GenericConfig generic;           // scheme for --provider generic
  std::map<std::string, std::string> secrets; // secret family → secret
  std::optional<std::string> bare_secret;     // --secret S: for whichever provider is detected
  std::optional<std::int64_t> tolerance;      // --tolerance
  std::string public_url;                     // --public-url: what the sender signed (Twilio)
  // The development secrets, for a provider no secret above covers (null: none are used).
  std::shared_ptr<core::DevSecrets> dev_secrets;
  bool answer_handshakes = true; // false: --no-handshake
};

// Turns a received request into a capture record: provider, event, verification verdict.
// Stateless after construction, so worker threads share one.
class Inspector {
public:
  explicit Inspector(InspectorConfig config);
  // Everything but response, duplicate and forward.
  [[nodiscard]] core::CaptureRecord inspect(net::IncomingRequest&& request) const;

private:
  // Sets record.handshake when the delivery is the provider's endpoint-verification request:
  // answered when its signature verified, refused when it did not, passed on without a secret
  // or with --no-handshake.
  void judge_handshake(const providers::Provider& provider, const model::HttpRequest& req,
                       const std::optional<std::string>& secret, core::CaptureRecord& r) const;
  [[nodiscard]] const providers::Provider* provider_for(const model::Headers& headers,
                                                        std::string_view body) const;
  // The verdict with the configured secret, else the development secret (a mismatch with that
  // one is "unverified", never "invalid"), else "no secret" for a signed delivery.
  [[nodiscard]] std::optional<model::Verdict>
  sibling_dev_match(const providers::Provider& detected, const model::HttpRequest& view,
                    providers::VerifyParams params) const;
  [[nodiscard]] model::Verdict verify(const providers::Provider& provider,
                                      const model::HttpRequest& view,
                                      providers::VerifyParams& params) const;
  // The other secrets listen holds that a mismatching delivery may have been signed with:
  // the bare --secret, the development secret, a sibling provider's (same headers) secret.
  [[nodiscard]] std::vector<core::AlternateSecret>
  alternate_secrets(const providers::Provider& provider) const;
  // Candidate URLs the sender signed: --public-url + target, then the Host header's.
  [[nodiscard]] std::vector<std::string> signed_urls(const std::string& target,
                                                     const model::Headers& headers, bool tls) const;

  InspectorConfig config_;
  std::vector<std::unique_ptr<providers::Provider>> providers_; // registry order
};

} // namespace hooktool::listen
