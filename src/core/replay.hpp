#pragma once

#include "core/capture.hpp"
#include "model/http.hpp"
#include "model/url.hpp"

#include <optional>
#include <string>
#include <vector>

// Replaying captured deliveries: the request sent again, and what copies of it prove.
namespace hooktool::core {

// The captured request rebuilt for sending: method, headers (order and case kept, hop-by-hop
// and framing headers dropped), exact body; to `target` (joining the captured path and query
// when keep_path), or where it originally went.
model::HttpRequest replay_request(const CaptureRecord& record,
                                  const std::optional<model::Url>& target, bool keep_path);

// "200", "200 ×1000", "200 ×1, 409 ×4", "ERR ×2" (0 = no answer), in order of first appearance.
std::string status_counts(const std::vector<int>& statuses);

// What copies of one delivery show about the handler's idempotency.
struct CopyVerdict {
  bool idempotent = true;
  std::string compared; // exactly what was compared, for the report
  std::string issue;    // when not idempotent: why
  std::string note;     // a finding that is not a failure (e.g. 4xx for duplicates)
};

// Judges copies of one delivery by status codes (0 = no answer, ignored: it is a delivery
// failure, not a verdict) and, when both probe values are given, by the side effect: a 2xx
// for one copy and a 5xx for another is not idempotent (providers retry 5xx, so the event
// comes back); 409 for copies is a documented duplicate answer; a probe that grows by more
// than one delivery's worth (1) means the event was processed more than once. Different
// response bodies are normal and not compared.
CopyVerdict judge_copies(const std::vector<int>& statuses, std::optional<double> probe_before,
                         std::optional<double> probe_after);

} // namespace hooktool::core
