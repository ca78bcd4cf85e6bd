#pragma once

#include "net/http_client.hpp"

#include <vector>

namespace hooktool::net {

// Sends the same request `times` times, `concurrency` at once (released together, to expose
// races in a handler's idempotency code); responses in the order the copies were started.
std::vector<HttpResponse> send_copies(const core::HttpRequest& request, int times, int concurrency,
                                      const ClientOptions& options);

} // namespace hooktool::net
