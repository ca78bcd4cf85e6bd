#pragma once

#include "providers/standard.hpp"

namespace hooktool::providers {

// OpenAI (openai SDK client.webhooks.verifySignature): Standard Webhooks on webhook-* headers
// only; a secret without "whsec_" keys the HMAC with its UTF-8 bytes (standardwebhooks would
// base64-decode it); list entries without "v1," count as signatures. Message ids "wh_<hex>".
const StandardFlavour& openai_flavour();

} // namespace hooktool::providers
