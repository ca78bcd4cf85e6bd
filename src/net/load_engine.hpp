#pragma once
// The plain-HTTP load engine (like wrk): one or more I/O threads, each an epoll loop with its
// share of the `concurrency` keep-alive connections, each request serialised once into a
// buffer and written with one send(), responses parsed incrementally (ResponseParser),
// latencies into a fixed-size histogram per thread (merged at the end). The threads number
// the requests they start from one shared counter, so --count and --rate hold for the run.
// Fresh requests are made by sources on producer threads (one or more per I/O thread) and
// handed over through bounded rings of ready requests, so rendering and signing overlap the
// network. TLS targets and --location stay on libcurl's multi interface (net/load.cpp).

#include "net/load.hpp"

#include <string>

namespace hooktool::net {

// Writes request as HTTP/1.1 bytes for a connection to url's host, byte for byte what the
// libcurl path (HttpClient, Transfer::prepare) sends: request line with the origin-form
// target as given, Host first (the request's own first one, else the URL's host[:port]), its
// other headers in order (one whose value is only blanks left out, as libcurl does),
// Content-Length unless it has one, then the body; HEAD, and GET without a body, have neither
// body nor Content-Length. Throws failure for a request that cannot be sent safely (CR/LF in
// a header, a method that is not a token).
void serialise_request(const model::HttpRequest& request, std::string& out);

// Whether the engine can take a run to url (http://, no redirects to follow).
bool engine_can_send(const std::string& url, const ClientOptions& client);

// How many I/O threads and producer threads the engine runs for options: LoadOptions::threads
// and producers when given, else min(cores, kMaxDefaultIoThreads) I/O threads and, for fresh
// requests, a producer each (bench/README.md, session 10: on 2 cores two I/O threads with a
// producer each beat one I/O thread with one or two producers); never more I/O threads than
// connections, nor fewer producers than I/O threads. Fresh requests without more_sources: one
// of each.
struct EngineShape {
  int threads = 1;
  int producers = 1; // 0 for a fixed request
};
inline constexpr int kMaxDefaultIoThreads = 4;
EngineShape engine_shape(const LoadOptions& options);

// Runs the load on the engine; same contract as run_load. Returns nullopt (having sent
// nothing) when url's host does not resolve, so the caller can report it as libcurl does.
std::optional<LoadStats> run_engine_load(const RequestSource& source, const ClientOptions& client,
                                         const LoadOptions& options,
                                         const ResponseSink& on_response,
                                         const ProgressSink& on_progress);

} // namespace hooktool::net
