#include "core/har.hpp"

#include "crypto/crypto.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/version.hpp"

#include <nlohmann/json.hpp>

namespace hooktool::core {

namespace {

using ordered_json = nlohmann::ordered_json;
constexpr auto kReplace = nlohmann::json::error_handler_t::replace;

ordered_json name_values(const std::vector<std::pair<std::string, std::string>>& pairs) {
  auto out = ordered_json::array();
  for (const auto& [name, value] : pairs)
    out.push_back(ordered_json{{"name", name}, {"value", value}});
  return out;
}

// {"name", "value"}; a name or value that is not UTF-8 (HAR is JSON text) is shown with its bad
// bytes as \xHH and held exactly in "_name_base64" / "_value_base64" (custom fields).
ordered_json har_header(const model::Header& h) {
  const bool name_utf8 = util::is_valid_utf8(h.name);
  const bool value_utf8 = util::is_valid_utf8(h.value);
  ordered_json out{{"name", name_utf8 ? h.name : util::printable(h.name)},
                   {"value", value_utf8 ? h.value : util::printable(h.value)}};
  if (!name_utf8)
    out["_name_base64"] = crypto::base64_encode(h.name);
  if (!value_utf8)
    out["_value_base64"] = crypto::base64_encode(h.value);
  return out;
}

} // namespace

std::string har_entry(const CaptureRecord& r) {
  ordered_json headers = ordered_json::array();
  for (const auto& h : r.headers)
    headers.push_back(har_header(h));
  ordered_json request{{"method", r.method},
                       {"url", original_url(r)},
                       {"httpVersion", "HTTP/1.1"},
                       {"cookies", ordered_json::array()},
                       {"headers", std::move(headers)},
                       {"queryString", name_values(util::parse_form(r.query))},
                       {"headersSize", -1},
                       {"bodySize", static_cast<long long>(r.body.size())}};
  if (!r.body.empty() || r.method != "GET") {
    const auto type = model::find_header(r.headers, "Content-Type");
    ordered_json post{{"mimeType", type ? std::string(*type) : ""}};
    if (util::is_valid_utf8(r.body)) {
      post["text"] = r.body;
    } else {
      post["text"] = crypto::base64_encode(r.body);
      post["encoding"] = "base64";
    }
    request["postData"] = std::move(post);
  }
  ordered_json response{{"status", r.response_status.value_or(0)},
                        {"statusText", ""},
                        {"httpVersion", "HTTP/1.1"},
                        {"cookies", ordered_json::array()},
                        {"headers", ordered_json::array()},
                        {"content", {{"size", 0}, {"mimeType", ""}}},
                        {"redirectURL", ""},
                        {"headersSize", -1},
                        {"bodySize", -1}};
  ordered_json own{
      {"id", r.id},
      {"provider", r.provider},
      {"event_type", r.event_type},
      {"event_id", r.event_id},
      {"verification",
       {{"status", model::to_string(r.verification.status)}, {"reason", r.verification.reason}}}};
  if (!r.remote.empty())
    own["remote"] = r.remote;
  ordered_json entry{
      {"startedDateTime", util::format_rfc3339(r.received_at_ms, util::Precision::millis)},
      {"time", r.duration_ms},
      {"request", std::move(request)},
      {"response", std::move(response)},
      {"cache", ordered_json::object()},
      {"timings", {{"send", 0}, {"wait", r.duration_ms}, {"receive", 0}}},
      {"_hooktool", std::move(own)}};
  return util::json_for_terminal(entry.dump(-1, ' ', false, kReplace));
}

HarWriter::HarWriter(std::ostream& out) : out_(out) {
  const ordered_json creator{{"name", "hooktool"}, {"version", util::version()}};
  out_ << R"({"log":{"version":"1.2","creator":)" << creator.dump() << R"(,"entries":[)";
}

void HarWriter::add(const CaptureRecord& record) {
  out_ << (count_++ == 0 ? "\n" : ",\n") << har_entry(record);
}

void HarWriter::finish() {
  out_ << (count_ == 0 ? "" : "\n") << "]}}\n";
  out_.flush();
}

bool looks_like_har(std::string_view head) {
  std::size_t i = 0;
  const auto skip = [&] {
    while (i < head.size() &&
           (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
      ++i;
  };
  if (head.substr(0, 3) == "\xEF\xBB\xBF")
    i = 3;
  skip();
  if (i >= head.size() || head[i] != '{')
    return false;
  ++i;
  skip();
  return head.substr(i, 5) == "\"log\"";
}

struct HarEntries::Impl {
  nlohmann::json entries;
};

HarEntries::HarEntries(std::string_view text, std::string origin)
    : impl_(new Impl), origin_(std::move(origin)) {
  try {
    if (util::json_nesting_exceeds(text, 64))
      throw usage_error(origin_ + ": not a HAR file (JSON nested too deeply)");
    // Drop what a replay never needs while parsing: response bodies ("content"), which are
    // most of a browser's HAR, and the page list.
    const auto keep = [](int d, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      if (event == nlohmann::json::parse_event_t::key && parsed.is_string()) {
        const auto& key = parsed.get_ref<const std::string&>();
        if ((d == 5 && key == "content") || (d == 2 && key == "pages"))
          return false;
      }
      return true;
    };
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text.begin(), text.end(), keep);
    } catch (const nlohmann::json::exception& e) {
      // parse_error, and out_of_range for a number too large for a double (fuzz_har: "3e3533").
      std::string why = e.what();
      if (const auto pos = why.find("] "); pos != std::string::npos)
        why = why.substr(pos + 2);
      throw usage_error(origin_ + ": not a HAR file (" + why + ")");
    }
    if (!doc.is_object() || !doc.contains("log") || !doc["log"].is_object())
      throw usage_error(origin_ + ": not a HAR file (no \"log\" object)");
    auto& log = doc["log"];
    if (!log.contains("entries") || !log["entries"].is_array())
      throw usage_error(origin_ + ": not a HAR file (no \"log.entries\" list)");
    impl_->entries = std::move(log["entries"]);
  } catch (...) {
    delete impl_;
    throw;
  }
}

HarEntries::~HarEntries() {
  delete impl_;
}

std::size_t HarEntries::size() const noexcept {
  return impl_->entries.size();
}

namespace {

const nlohmann::json* member(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object())
    return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json& obj, const char* key, const std::string& where,
                          bool required) {
  const auto* v = member(obj, key);
  if (v == nullptr) {
    if (required)
      throw usage_error(where + ": no \"" + key + "\"");
    return {};
  }
  if (!v->is_string())
    throw usage_error(where + ": \"" + key + "\" is not a string");
  return v->get<std::string>();
}

// Splits an absolute (or origin-relative) URL into path and query.
void split_url(const std::string& url, CaptureRecord& r, const std::string& where) {
  std::string_view rest = url;
  if (const auto hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash);
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
    const auto slash = rest.find_first_of("/?");
    if (slash == std::string_view::npos)
      rest = "/";
    else
      rest.remove_prefix(slash);
    r.url = url.substr(0, url.find('#'));
  } else if (rest.empty() || rest.front() != '/') {
    throw usage_error(where + ": \"url\" is not an absolute URL: " + util::capped(url));
  }
  const auto q = rest.find('?');
  r.path = std::string(rest.substr(0, q));
  if (r.path.empty() || r.path.front() != '/')
    r.path.insert(0, "/");
  if (q != std::string_view::npos)
    r.query = std::string(rest.substr(q + 1));
}

} // namespace

namespace {

using Json = nlohmann::json;

void read_headers(const Json& request, CaptureRecord& r, const std::string& where) {
  const auto* headers = member(request, "headers");
  if (headers == nullptr)
    return;
  if (!headers->is_array())
    throw usage_error(where + ": \"headers\" is not a list");
  for (const auto& h : *headers) {
    auto name = string_member(h, "name", where + ": header", true);
    const auto at = std::string(where).append(": header ").append(util::capped(name, 60));
    auto value = string_member(h, "value", at, true);
    // hooktool's export holds a name or value that is not UTF-8 here, exactly.
    for (const auto& [key, into] :
         {std::pair{"_name_base64", &name}, std::pair{"_value_base64", &value}}) {
      if (member(h, key) == nullptr)
        continue;
      const auto decoded = crypto::base64_decode(string_member(h, key, at, false));
      if (!decoded)
        throw usage_error(at + ": \"" + key + "\" is not valid base64");
      *into = *decoded;
    }
    if (name.empty() || name.front() == ':')
      continue; // HTTP/2 pseudo-headers (:method, :authority, …) are not header lines
    r.headers.push_back({std::move(name), std::move(value)});
  }
}

void read_body(const Json& request, CaptureRecord& r, const std::string& where) {
  const auto* post = member(request, "postData");
  if (post == nullptr)
    return;
  const auto text = string_member(*post, "text", where + ": postData", false);
  const auto encoding = string_member(*post, "encoding", where + ": postData", false);
  if (encoding == "base64") {
    const auto decoded = crypto::base64_decode(text);
    if (!decoded)
      throw usage_error(where + ": postData text is not valid base64");
    r.body = *decoded;
  } else if (!encoding.empty()) {
    throw usage_error(where + ": unknown postData encoding '" + util::capped(encoding, 40) + "'");
  } else if (member(*post, "text") != nullptr) {
    r.body = text;
  } else if (const auto* params = member(*post, "params");
             params != nullptr && params->is_array()) {
    for (const auto& p : *params) {
      if (!r.body.empty())
        r.body += '&';
      r.body += util::form_encode(string_member(p, "name", where + ": param", true)) + "=" +
                util::form_encode(string_member(p, "value", where + ": param", false));
    }
  }
}

// startedDateTime, time and the response status.
void read_timing(const Json& entry, CaptureRecord& r, const std::string& where) {
  if (const auto started = string_member(entry, "startedDateTime", where, false);
      !started.empty()) {
    const auto ms = util::parse_rfc3339(started);
    // Years 0000-9999 only: what an RFC 3339 capture line can hold.
    if (!ms || *ms < -62167219200000 || *ms >= 253402300800000)
      throw usage_error(where + ": \"startedDateTime\" is not an ISO 8601 time");
    r.received_at_ms = *ms;
  }
  if (const auto* time = member(entry, "time"); time != nullptr && time->is_number()) {
    const auto ms = time->get<double>();
    if (ms >= 0 && ms < 9e18) // larger (or NaN): converting is undefined (fuzz_har)
      r.duration_ms = static_cast<std::int64_t>(ms);
  }
  if (const auto* response = member(entry, "response")) {
    if (const auto* status = member(*response, "status");
        status != nullptr && status->is_number_integer()) {
      const auto s = status->get<long long>();
      if (s >= 100 && s <= 999)
        r.response_status = static_cast<int>(s);
    }
  }
}

} // namespace

CaptureRecord HarEntries::record(std::size_t i) const {
  const auto where = origin_ + ": entry " + std::to_string(i + 1);
  const auto& entry = impl_->entries.at(i);
  if (!entry.is_object())
    throw usage_error(where + ": not an object");
  const auto* request = member(entry, "request");
  if (request == nullptr || !request->is_object())
    throw usage_error(where + ": no \"request\" object");
  CaptureRecord r;
  r.method = string_member(*request, "method", where, true);
  split_url(string_member(*request, "url", where, true), r, where);
  read_headers(*request, r, where);
  // What the file says must go out as it says: no injected header line, method or target.
  if (const auto why = unsendable(r); !why.empty())
    throw usage_error(where + ": " + why);
  read_body(*request, r, where);
  read_timing(entry, r, where);
  const auto* own = member(entry, "_hooktool");
  r.id = own != nullptr ? string_member(*own, "id", where, false) : std::string();
  if (r.id.empty())
    r.id = "har_" + std::to_string(i + 1);
  if (own != nullptr)
    r.remote = string_member(*own, "remote", where, false);
  // Provider and event from the delivery itself, as listen would find them.
  if (const auto provider = providers::detect_provider(r.headers, r.body)) {
    r.provider = std::string(provider->id());
    model::HttpRequest req;
    req.method = r.method;
    req.headers = r.headers;
    req.body = r.body;
    const auto info = provider->event_info(req);
    r.event_type = info.type;
    r.event_id = info.id;
  } else if (own != nullptr) {
    r.provider = string_member(*own, "provider", where, false);
    r.event_type = string_member(*own, "event_type", where, false);
    r.event_id = string_member(*own, "event_id", where, false);
  }
  r.verification.status = model::VerdictStatus::unverified;
  return r;
}

} // namespace hooktool::core
