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

LoadStats run_curl_load(const RequestSource& source, const ClientOptions& client,
                        const LoadOptions& options, const ResponseSink& on_response,
                        const ProgressSink& on_progress) {
  detail::global_init();
  std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
  if (!multi)
    throw failure("libcurl: cannot create a multi handle");
  const int concurrency = std::max(1, options.concurrency);
  curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));

  std::vector<std::unique_ptr<Slot>> slots;
  slots.reserve(static_cast<std::size_t>(concurrency));
  for (int i = 0; i < concurrency; ++i)
    slots.push_back(std::make_unique<Slot>(client));

  LoadStats stats;
  std::optional<model::HttpRequest> fixed;
  const auto start = Clock::now();
  std::int64_t issued = 0;
  std::int64_t in_flight = 0;
  std::int64_t failures = 0;
  bool exhausted = false;
  auto last_progress = start;

  const auto report = [&] {
    if (!on_progress)
      return;
    on_progress(
        {stats.completed, options.count, failures, since_us(start) / 1000, options.duration_ms});
  };

  for (;;) {
    // Start requests while slots are free and the limits allow.
    int wait_ms = 100;
    for (auto& slot : slots) {
      if (slot->busy)
        continue;
      if (exhausted || (options.count > 0 && issued >= options.count) ||
          (options.duration_ms > 0 && since_us(start) >= options.duration_ms * 1000) ||
          (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)))
        break;
      if (options.rate > 0) {
        const auto due_us =
            static_cast<std::int64_t>(static_cast<double>(issued) * 1e6 / options.rate);
        const auto now_us = since_us(start);
        if (now_us < due_us) {
          wait_ms = static_cast<int>(std::min<std::int64_t>(wait_ms, (due_us - now_us) / 1000 + 1));
          break;
        }
      }
      if (options.same_request && !fixed)
        fixed = source();
      auto next = options.same_request ? fixed : source();
      if (!next) {
        exhausted = true;
        break;
      }
      slot->request = std::move(*next);
      slot->transfer.prepare(slot->request);
      curl_easy_setopt(slot->transfer.handle(), CURLOPT_PRIVATE, slot.get());
      curl_multi_add_handle(multi.get(), slot->transfer.handle());
      slot->busy = true;
      ++issued;
      ++in_flight;
    }
    if (in_flight == 0) {
      const bool more =
          !exhausted && (options.count == 0 || issued < options.count) &&
          (options.duration_ms == 0 || since_us(start) < options.duration_ms * 1000) &&
          (options.stop == nullptr || !options.stop->load(std::memory_order_relaxed));
      if (!more)
        break;
    }

    int running = 0;
    curl_multi_perform(multi.get(), &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      Slot* slot = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&slot));
      const CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi.get(), msg->easy_handle);
      const auto response = slot->transfer.finish(code);
      slot->busy = false;
      --in_flight;
      ++stats.completed;
      stats.latency.record(response.duration_us);
      if (response.error != TransportError::none) {
        ++stats.errors[response.error];
        ++failures;
      } else {
        ++stats.statuses[response.status];
        failures += response.ok_2xx() ? 0 : 1;
      }
      if (on_response)
        on_response(slot->request, response);
      wait_ms = 0; // a slot is free: fill it at once
    }
    if (Clock::now() - last_progress >= std::chrono::milliseconds(100)) {
      last_progress = Clock::now();
      report();
    }
    if (wait_ms > 0 || in_flight > 0)
      curl_multi_poll(multi.get(), nullptr, 0, wait_ms, nullptr);
  }
  stats.elapsed_us = since_us(start);
  report();
  return stats;
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
