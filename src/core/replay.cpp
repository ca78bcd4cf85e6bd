#include "core/replay.hpp"

#include "util/probe.hpp"

#include <algorithm>
#include <utility>

namespace hooktool::core {

namespace {

std::string join_target(const model::Url& base, const CaptureRecord& r, bool keep_path) {
  auto url = base;
  if (!keep_path)
    return url.str();
  std::string prefix = base.path;
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  url.path = prefix + (r.path.empty() || r.path.front() != '/' ? "/" : "") + r.path;
  if (!r.query.empty())
    url.query = base.query.empty() ? r.query : base.query + "&" + r.query;
  return url.str();
}

bool is_2xx(int s) {
  return s >= 200 && s < 300;
}

} // namespace

model::HttpRequest replay_request(const CaptureRecord& record,
                                  const std::optional<model::Url>& target, bool keep_path) {
  model::HttpRequest req;
  req.method = record.method;
  req.url = target ? join_target(*target, record, keep_path) : original_url(record);
  for (const auto& h : record.headers)
    if (!model::is_hop_by_hop(h.name))
      req.headers.push_back(h);
  req.body = record.body;
  return req;
}

std::string status_counts(const std::vector<int>& statuses) {
  std::vector<std::pair<int, std::size_t>> counts;
  for (const int s : statuses) {
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == s; });
    if (it == counts.end())
      counts.emplace_back(s, 1);
    else
      ++it->second;
  }
  std::string out;
  for (const auto& [status, n] : counts) {
    if (!out.empty())
      out += ", ";
    out += status == 0 ? "ERR" : std::to_string(status);
    if (statuses.size() > 1)
      out += " ×" + std::to_string(n);
  }
  return out;
}

CopyVerdict judge_copies(const std::vector<int>& statuses, std::optional<double> probe_before,
                         std::optional<double> probe_after) {
  CopyVerdict v;
  v.compared = "compared the status codes of " + std::to_string(statuses.size()) + " copies (" +
               status_counts(statuses) + ")";
  const auto any = [&](auto pred) {
    return std::any_of(statuses.begin(), statuses.end(), pred);
  };
  const bool some_2xx = any([](int s) { return is_2xx(s); });
  const bool some_5xx = any([](int s) { return s >= 500; });
  const bool some_409 = any([](int s) { return s == 409; });
  const bool other_4xx = any([](int s) { return s >= 400 && s < 500 && s != 409; });
  if (some_2xx && some_5xx) {
    v.idempotent = false;
    v.issue = "one copy got 2xx and another 5xx: a duplicate was failed, and the provider would "
              "retry it";
  }
  if (probe_before && probe_after) {
    const double delta = *probe_after - *probe_before;
    v.compared += " and the probe (" + util::probe_text(*probe_before) + " -> " +
                  util::probe_text(*probe_after) + ")";
    if (delta > 1.0) {
      v.idempotent = false;
      v.issue = (v.issue.empty() ? "" : v.issue + "; ") + "the probe grew by " +
                util::probe_text(delta) + ": the event was processed more than once";
    }
  } else if (statuses.size() > 1) {
    v.compared += "; side effects not compared (add --probe CMD, e.g. a row count)";
  }
  if (some_2xx && some_409)
    v.note = "copies answered 409, a documented duplicate answer";
  else if (some_2xx && other_4xx)
    v.note = "copies answered 4xx: providers count a non-2xx answer as a failed delivery and "
             "retry it; answer 2xx to a duplicate";
  return v;
}

} // namespace hooktool::core
