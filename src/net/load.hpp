#pragma once

#include "net/http_client.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace hooktool::net {

// How much load to generate.
struct LoadOptions {
  std::int64_t count = 0;       // requests to send; 0: until duration_ms (or the source ends)
  int concurrency = 1;          // requests in flight at once
  double rate = 0;              // requests started per second; 0: as fast as answers come
  std::int64_t duration_ms = 0; // stop starting requests after this long; 0: no limit
};

// Where a load run stands, for a progress display.
struct LoadProgress {
  std::int64_t done = 0;
  std::int64_t total = 0;  // 0 when unknown (duration-bound)
  std::int64_t errors = 0; // transport errors and statuses outside 2xx
  std::int64_t elapsed_ms = 0;
  std::int64_t duration_ms = 0;
};

// What a load run saw.
struct LoadStats {
  std::int64_t completed = 0;
  std::int64_t elapsed_us = 0;
  std::map<int, std::int64_t> statuses;          // by HTTP status
  std::map<TransportError, std::int64_t> errors; // by kind
  std::vector<std::int64_t> latencies_us;        // one per completed request, unsorted

  [[nodiscard]] double requests_per_second() const noexcept;
  // Latency at quantile q in [0, 1], in microseconds (0 when nothing completed).
  [[nodiscard]] std::int64_t percentile_us(double q) const;
};

// Produces the next request to send, or nullopt when there are no more.
using RequestSource = std::function<std::optional<model::HttpRequest>()>;
// Sees every finished request with its response.
using ResponseSink = std::function<void(const model::HttpRequest&, const HttpResponse&)>;
// Called about ten times a second while running, and once at the end.
using ProgressSink = std::function<void(const LoadProgress&)>;

// Sends requests on libcurl's multi interface: one thread, one event loop, `concurrency`
// reusable handles (connections are kept alive), optional rate limit.
LoadStats run_load(const RequestSource& source, const ClientOptions& client,
                   const LoadOptions& options, const ResponseSink& on_response,
                   const ProgressSink& on_progress);

} // namespace hooktool::net
