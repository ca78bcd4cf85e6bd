#include "net/fanout.hpp"

#include <algorithm>
#include <atomic>
#include <latch>
#include <thread>

namespace hooktool::net {

std::vector<HttpResponse> send_copies(const core::HttpRequest& request, int times, int concurrency,
                                      const ClientOptions& options) {
  std::vector<HttpResponse> out(static_cast<std::size_t>(std::max(times, 0)));
  const int workers = std::clamp(concurrency, 1, std::max(times, 1));
  std::atomic<int> next{0};
  std::latch start(workers);
  const auto work = [&] {
    HttpClient client(options);
    start.arrive_and_wait();
    for (int i = next++; i < times; i = next++)
      out[static_cast<std::size_t>(i)] = client.send(request);
  };
  std::vector<std::jthread> threads;
  threads.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w)
    threads.emplace_back(work);
  work();
  return out;
}

} // namespace hooktool::net
