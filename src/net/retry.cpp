#include "net/retry.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace hooktool::net {

DeliveryOutcome deliver(HttpClient& client, model::HttpRequest request, const RetryPolicy& policy,
                        const std::function<bool(const HttpResponse&)>& is_done,
                        const PrepareRetry& prepare, const OnAttempt& on_attempt) {
  DeliveryOutcome out;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1) {
      const auto shift = std::min(attempt - 2, 20);
      std::this_thread::sleep_for(std::chrono::milliseconds(policy.backoff_ms << shift));
      if (prepare)
        prepare(request, attempt);
    }
    out.response = client.send(request);
    out.attempts = attempt;
    if (on_attempt)
      on_attempt(request, out.response, attempt);
    if (is_done(out.response) || attempt > policy.retries)
      return out;
  }
}

} // namespace hooktool::net
