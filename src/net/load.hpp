#pragma once

#include "net/http_client.hpp"
#include "net/load_histogram.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace hooktool::net {

// Makes the next request to send in out, whose buffers (a request sent before, or empty) it
// may reuse; false when there are no more.
using RequestSource = std::function<bool(model::HttpRequest& out)>;

// How much load to generate.
struct LoadOptions {
  std::int64_t count = 0;       // requests to send; 0: until duration_ms (or the source ends)
  int concurrency = 1;          // requests in flight at once
  double rate = 0;              // requests started per second; 0: as fast as answers come
  std::int64_t duration_ms = 0; // stop starting requests after this long; 0: no limit
  std::string url;              // where every request goes: plain http:// runs on the engine
  bool same_request = false;    // the source gives one request over and over: asked once
  const std::atomic<bool>* stop = nullptr; // when it turns true, start nothing more (Ctrl-C);
                                           // the requests in flight still finish
  // The engine's I/O threads (each its own epoll loop and share of the connections); 0: its
  // default (default_io_threads). Fresh requests need more_sources for more than one.
  int threads = 0;
  // Producer threads for fresh requests (each runs a source of its own into a ring of its
  // own); 0: one per I/O thread. More than one needs more_sources.
  int producers = 0;
  // Makes an independent source for every producer after the first (the first runs the source
  // given); called on the calling thread before the run starts. Without it, fresh requests
  // come from one producer, on one I/O thread.
  std::function<RequestSource()> more_sources;
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
  LatencyHistogram latency;                      // one recording per completed request

  [[nodiscard]] double requests_per_second() const noexcept;
  // Latency at quantile q in [0, 1], in microseconds (0 when nothing completed); from the
  // histogram, so within 0.8 % of the exact value above 256 µs (max is exact).
  [[nodiscard]] std::int64_t percentile_us(double q) const;
  // Adds other's figures (another I/O thread's); elapsed_us becomes the longer of the two.
  void merge(const LoadStats& other);
};

// Sees every finished request with its response.
using ResponseSink = std::function<void(const model::HttpRequest&, const HttpResponse&)>;
// Called about ten times a second while running, and once at the end.
using ProgressSink = std::function<void(const LoadProgress&)>;

// Sends the requests: plain http:// on the load engine (net/load_engine.hpp: epoll,
// keep-alive connections, the source run on a producer thread), anything else (https://,
// --location, a host that does not resolve) on libcurl's multi interface with `concurrency`
// reusable handles. Optional rate limit and duration either way. The engine with several I/O
// threads calls on_response from them one at a time (under a lock: give none when only the
// figures matter) and on_progress from the calling thread.
LoadStats run_load(const RequestSource& source, const ClientOptions& client,
                   const LoadOptions& options, const ResponseSink& on_response,
                   const ProgressSink& on_progress);

// The figures of a run as JSON: requests, duration_ms, requests_per_second, statuses (by
// code), errors (by kind) and latency_ms (p50, p90, p99, max), in that order.
nlohmann::ordered_json load_stats_json(const LoadStats& stats);

} // namespace hooktool::net
