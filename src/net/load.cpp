#include "net/load.hpp"

#include "net/load_engine.hpp"
#include "net/transfer.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

namespace hooktool::net {

namespace {

using Clock = std::chrono::steady_clock;

struct MultiDeleter {
  void operator()(CURLM* p) const noexcept { curl_multi_cleanup(p); }
};

struct Slot {
  explicit Slot(const ClientOptions& o) : transfer(o) {}
  detail::Transfer transfer;
  model::HttpRequest request;
  bool busy = false;
};

std::int64_t since_us(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

} // namespace

double LoadStats::requests_per_second() const noexcept {
  return elapsed_us > 0 ? static_cast<double>(completed) * 1e6 / static_cast<double>(elapsed_us)
                        : 0.0;
}

std::int64_t LoadStats::percentile_us(double q) const {
  return latency.percentile(q);
}

void LoadStats::merge(const LoadStats& other) {
  completed += other.completed;
  elapsed_us = std::max(elapsed_us, other.elapsed_us);
  for (const auto& [status, n] : other.statuses)
    statuses[status] += n;
  for (const auto& [kind, n] : other.errors)
    errors[kind] += n;
  latency.merge(other.latency);
}

nlohmann::ordered_json load_stats_json(const LoadStats& stats) {
  nlohmann::ordered_json j;
  j["requests"] = stats.completed;
  j["duration_ms"] = stats.elapsed_us / 1000;
  j["requests_per_second"] = std::round(stats.requests_per_second() * 10) / 10;
  nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
  for (const auto& [status, n] : stats.statuses)
    statuses[std::to_string(status)] = n;
  j["statuses"] = std::move(statuses);
  nlohmann::ordered_json errors = nlohmann::ordered_json::object();
  for (const auto& [kind, n] : stats.errors)
    errors[std::string(to_string(kind))] = n;
  j["errors"] = std::move(errors);
  const auto ms = [&](double q) {
    return static_cast<double>(stats.percentile_us(q)) / 1000.0;
  };
  j["latency_ms"] = {{"p50", ms(0.5)}, {"p90", ms(0.9)}, {"p99", ms(0.99)}, {"max", ms(1.0)}};
  return j;
}

namespace {

// Load over libcurl's multi interface (TLS targets, --location): one easy handle per slot.
class CurlLoad {
public:
  CurlLoad(const RequestSource& source, const ClientOptions& client, const LoadOptions& options,
           const ResponseSink& on_response, const ProgressSink& on_progress)
      : source_(source), options_(options), on_response_(on_response), on_progress_(on_progress) {
    detail::global_init();
    multi_.reset(curl_multi_init());
    if (!multi_)
      throw failure("libcurl: cannot create a multi handle");
    const int concurrency = std::max(1, options.concurrency);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
    slots_.reserve(static_cast<std::size_t>(concurrency));
    for (int i = 0; i < concurrency; ++i)
      slots_.push_back(std::make_unique<Slot>(client));
  }

  LoadStats run() {
    for (;;) {
      int wait_ms = fill(100);
      if (in_flight_ == 0 && (exhausted_ || limit_reached()))
        break;
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      if (drain())
        wait_ms = 0; // a slot is free: fill it at once
      if (Clock::now() - last_progress_ >= std::chrono::milliseconds(100)) {
        last_progress_ = Clock::now();
        report();
      }
      if (wait_ms > 0 || in_flight_ > 0)
        curl_multi_poll(multi_.get(), nullptr, 0, wait_ms, nullptr);
    }
    stats_.elapsed_us = since_us(start_);
    report();
    return std::move(stats_);
  }

private:
  // --count, --duration or a stop request says no more requests are to start.
  [[nodiscard]] bool limit_reached() const {
    return (options_.count > 0 && issued_ >= options_.count) ||
           (options_.duration_ms > 0 && since_us(start_) >= options_.duration_ms * 1000) ||
           (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed));
  }
  // Starts requests in the free slots while the limits and the rate allow; returns how long
  // the loop may wait (shorter when the rate makes the next request due sooner).
  int fill(int wait_ms) {
    for (auto& slot : slots_) {
      if (slot->busy)
        continue;
      if (exhausted_ || limit_reached())
        break;
      if (options_.rate > 0) {
        const auto due_us =
            static_cast<std::int64_t>(static_cast<double>(issued_) * 1e6 / options_.rate);
        const auto now_us = since_us(start_);
        if (now_us < due_us)
          return static_cast<int>(std::min<std::int64_t>(wait_ms, (due_us - now_us) / 1000 + 1));
      }
      if (options_.same_request && !fixed_) {
        fixed_.emplace();
        if (!source_(*fixed_))
          fixed_.reset();
      }
      bool got = false;
      if (!options_.same_request)
        got = source_(slot->request);
      else if (fixed_) {
        slot->request = *fixed_;
        got = true;
      }
      if (!got) {
        exhausted_ = true;
        break;
      }
      slot->transfer.prepare(slot->request);
      curl_easy_setopt(slot->transfer.handle(), CURLOPT_PRIVATE, slot.get());
      curl_multi_add_handle(multi_.get(), slot->transfer.handle());
      slot->busy = true;
      ++issued_;
      ++in_flight_;
    }
    return wait_ms;
  }
  // Collects the finished transfers; true when any finished.
  bool drain() {
    bool any = false;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&slot));
      const CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi_.get(), msg->easy_handle);
      const auto response = slot->transfer.finish(code);
      slot->busy = false;
      --in_flight_;
      ++stats_.completed;
      stats_.latency.record(response.duration_us);
      if (response.error != TransportError::none) {
        ++stats_.errors[response.error];
        ++failures_;
      } else {
        ++stats_.statuses[response.status];
        failures_ += response.ok_2xx() ? 0 : 1;
      }
      if (on_response_)
        on_response_(slot->request, response);
      any = true;
    }
    return any;
  }
  void report() {
    if (on_progress_)
      on_progress_({stats_.completed, options_.count, failures_, since_us(start_) / 1000,
                    options_.duration_ms});
  }

  const RequestSource& source_;
  const LoadOptions& options_;
  const ResponseSink& on_response_;
  const ProgressSink& on_progress_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::vector<std::unique_ptr<Slot>> slots_;
  LoadStats stats_;
  std::optional<model::HttpRequest> fixed_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_ = start_;
  std::int64_t issued_ = 0;
  std::int64_t in_flight_ = 0;
  std::int64_t failures_ = 0;
  bool exhausted_ = false;
};

LoadStats run_curl_load(const RequestSource& source, const ClientOptions& client,
                        const LoadOptions& options, const ResponseSink& on_response,
                        const ProgressSink& on_progress) {
  return CurlLoad(source, client, options, on_response, on_progress).run();
}

} // namespace

LoadStats run_load(const RequestSource& source, const ClientOptions& client,
                   const LoadOptions& options, const ResponseSink& on_response,
                   const ProgressSink& on_progress) {
  if (engine_can_send(options.url, client)) {
    if (auto stats = run_engine_load(source, client, options, on_response, on_progress))
      return std::move(*stats);
  }
  return run_curl_load(source, client, options, on_response, on_progress);
}

} // namespace hooktool::net
