#pragma once

#include "net/http_client.hpp"

#include <cstdint>
#include <functional>

namespace hooktool::net {

// When and how often to send a delivery again.
struct RetryPolicy {
  int retries = 0;             // extra attempts after the first
  std::int64_t backoff_ms = 0; // wait before retry k is backoff_ms * 2^(k-1)
};

// Called before each retry (attempt counts from 2) to re-sign or mark the request.
using PrepareRetry = std::function<void(model::HttpRequest&, int attempt)>;
// Called after every attempt with what was sent and what came back.
using OnAttempt = std::function<void(const model::HttpRequest&, const HttpResponse&, int attempt)>;

// The outcome of one delivery after its retries.
struct DeliveryOutcome {
  HttpResponse response; // the last attempt's
  int attempts = 0;
};

// Sends until is_done(response) holds or the retries run out; waits back off exponentially.
DeliveryOutcome deliver(HttpClient& client, model::HttpRequest request, const RetryPolicy& policy,
                        const std::function<bool(const HttpResponse&)>& is_done,
                        const PrepareRetry& prepare, const OnAttempt& on_attempt);

} // namespace hooktool::net
