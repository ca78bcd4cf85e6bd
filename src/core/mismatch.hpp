#pragma once

#include "model/http.hpp"
#include "model/verdict.hpp"
#include "providers/provider.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace hooktool::core {

// At most this many alternatives are verified to explain one mismatch.
inline constexpr std::size_t kMismatchMaxCandidates = 40;
// Bodies larger than this are not re-serialised (the secret and URL forms are still tried).
inline constexpr std::size_t kMismatchMaxReserialiseBytes = std::size_t{1} << 20;

// Another secret the verifier holds that the sender may have signed with. Only the label is
// ever printed.
struct AlternateSecret {
  std::string secret;
  std::string label; // "the development secret", "the secret configured for resend"
};

// Whether the verdict is an invalid signature that does not match (not a malformed or missing
// header), the one kind explain_mismatch looks into.
bool is_signature_mismatch(const model::Verdict& verdict);

// For a signature mismatch (any other verdict is returned as is): verifies the delivery again
// as the usual mistakes would have signed it (the body re-serialised, the secret in another
// form or another secret, another URL for URL-signing schemes, the provider's other
// algorithm), at most kMismatchMaxCandidates of them, and rewrites the reason: "signature does
// not match; it matches the body re-serialised compactly (…)", or what was tried when none
// matches. The reason never contains a secret.
model::Verdict explain_mismatch(const providers::Provider& provider, const model::HttpRequest& req,
                                const providers::VerifyParams& params, model::Verdict verdict,
                                const std::vector<AlternateSecret>& others = {});

} // namespace hooktool::core
