#include "net/fanout.hpp"

#include "net/load.hpp"

#include <algorithm>

namespace hooktool::net {

std::vector<HttpResponse> send_copies(const model::HttpRequest& request, int times, int concurrency,
                                      const ClientOptions& options) {
  std::vector<HttpResponse> out;
  out.reserve(static_cast<std::size_t>(std::max(times, 0)));
  // The load engine starts every free slot in one pass, so `concurrency` copies are on the wire
  // together before the first answer is read.
  LoadOptions load;
  load.count = std::max(times, 0);
  load.concurrency = std::clamp(concurrency, 1, std::max(times, 1));
  int given = 0;
  const auto source = [&](model::HttpRequest& next) {
    if (given >= times)
      return false;
    ++given;
    next = request;
    return true;
  };
  if (times > 0)
    run_load(source, options, load,
             [&](const model::HttpRequest&, const HttpResponse& r) { out.push_back(r); }, {});
  return out;
}

} // namespace hooktool::net
