#pragma once

#include "net/http_client.hpp"

#include <vector>

namespace hooktool::net {

// Sends the same request `times` times, `concurrency` at once (started together, to expose
// races in a handler's idempotency code), on the load engine; responses in completion order.
std::vector<HttpResponse> send_copies(const model::HttpRequest& request, int times, int concurrency,
                                      const ClientOptions& options);

} // namespace hooktool::net
