#include "webui/api.hpp"

#include "core/har.hpp"
#include "crypto/crypto.hpp"
#include "listen/responder.hpp"
#include "model/url.hpp"
#include "net/loopback.hpp"
#include "ui/curl_command.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/strings.hpp"
#include "webui/assets.hpp"
#include "webui/compare.hpp"
#include "webui/edit.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace hooktool::webui {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxLimit = 500;
constexpr std::size_t kFirstPage = 100; // the rows the page shows first (app.js PAGE)
constexpr std::uintmax_t kMaxDownload = 512u << 20;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The page's policy: its one inline style sheet and its one inline script, allowed by their
// hashes (no 'unsafe-inline', no 'unsafe-eval'); everything else as for any other response.
std::string page_policy() {
  const auto hash_of = [](std::string_view name) {
    const auto asset = find_asset(name);
    return "'sha256-" +
           crypto::base64_encode(crypto::hash(crypto::Digest::sha256, asset ? asset->data : "")) +
           "'";
  };
  return "default-src 'none'; script-src " + hash_of("app.js") + "; style-src " +
         hash_of("app.css") +
         "; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
         "frame-ancestors 'none'";
}

void replace_marker(std::string& text, std::string_view marker, std::string_view value) {
  if (const auto at = text.find(marker); at != std::string::npos)
    text.replace(at, marker.size(), value);
}

net::OutgoingResponse respond(int status, std::string content_type, std::string body) {
  net::OutgoingResponse r;
  r.status = status;
  r.headers = {
      {"Content-Type", std::move(content_type)},
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
  };
  r.body = std::move(body);
  return r;
}

net::OutgoingResponse json_response(int status, const json& j) {
  return respond(status, "application/json", dump(j) + "\n");
}

net::OutgoingResponse error(int status, const std::string& message) {
  return json_response(status, json{{"error", message}});
}

std::string content_type_of(std::string_view name) {
  if (name.ends_with(".html"))
    return "text/html; charset=utf-8";
  if (name.ends_with(".js"))
    return "text/javascript; charset=utf-8";
  if (name.ends_with(".css"))
    return "text/css; charset=utf-8";
  if (name.ends_with(".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

std::string query_value(std::string_view query, std::string_view name) {
  for (auto& [k, v] : util::parse_form(query))
    if (k == name)
      return v;
  return {};
}

std::uint64_t query_number(std::string_view query, std::string_view name, std::uint64_t fallback) {
  long long n = 0;
  const auto text = query_value(query, name);
  if (text.empty() || !util::parse_int64(text, n) || n < 0)
    return fallback;
  return static_cast<std::uint64_t>(n);
}

json optional_int(const std::optional<int>& v) {
  return v ? json(*v) : json(nullptr);
}

json null_if_empty(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

json list_json(const Store& store, const Store::Page& page) {
  json rows = json::array();
  for (const auto& e : page.entries)
    rows.push_back(json::parse(summary_json(e->record, e->seq, e->offset)));
  return json{{"deliveries", rows},
              {"more", page.more},
              {"history_before", page.history_before ? json(*page.history_before) : json(nullptr)},
              {"last_seq", store.last_seq()},
              {"capture", !store.capture_path().empty()}};
}

json history_json(const Store::HistoryPage& page) {
  json rows = json::array();
  for (const auto& e : page.entries)
    rows.push_back(json::parse(summary_json(e.record, 0, e.offset)));
  return json{{"deliveries", rows},
              {"next_before", page.next_before ? json(*page.next_before) : json(nullptr)}};
}

} // namespace

std::string script_data(std::string_view json_text) {
  std::string out;
  out.reserve(json_text.size());
  for (std::size_t i = 0; i < json_text.size(); ++i) {
    const char c = json_text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '\xe2' && i + 2 < json_text.size() && json_text[i + 1] == '\x80' &&
               (json_text[i + 2] == '\xa8' || json_text[i + 2] == '\xa9')) {
      out += json_text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string summary_json(const core::CaptureRecord& r, std::uint64_t seq,
                         std::optional<std::uint64_t> offset) {
  json j = {
      {"seq", seq == 0 ? json(nullptr) : json(seq)},
      {"offset", offset ? json(*offset) : json(nullptr)},
      {"id", r.id},
      {"received_at_ms", r.received_at_ms},
      {"method", r.method},
      {"path", r.path},
      {"query", r.query},
      {"provider", null_if_empty(r.provider)},
      {"event_type", null_if_empty(r.event_type)},
      {"event_id", null_if_empty(r.event_id)},
      {"verdict", std::string(model::to_string(r.verification.status))},
      {"reason", r.verification.reason},
      {"status", optional_int(r.response_status)},
      {"duration_ms", r.duration_ms},
      {"size", r.body.size()},
  };
  j["duplicate"] = r.duplicate ? json{{"seen", r.duplicate->seen},
                                      {"first_id", r.duplicate->first_id},
                                      {"first_seen_ms", r.duplicate->first_seen_ms}}
                               : json(nullptr);
  j["forward"] = r.forward ? json{{"url", r.forward->url},
                                  {"status", optional_int(r.forward->status)},
                                  {"duration_ms", r.forward->duration_ms},
                                  {"error", r.forward->error},
                                  {"body", r.forward->body}}
                           : json(nullptr);
  return dump(j);
}

std::string detail_json(const core::CaptureRecord& r, std::uint64_t seq,
                        std::optional<std::uint64_t> offset) {
  auto j = json::parse(summary_json(r, seq, offset));
  const auto line = core::to_capture_line(r);
  j["capture"] = json::parse(line);
  j["capture_line"] = line.substr(0, line.size() - 1);
  j["har"] = core::har_entry(r);
  model::HttpRequest req;
  req.method = r.method;
  req.url = core::original_url(r);
  for (const auto& h : r.headers)
    if (!model::is_hop_by_hop(h.name))
      req.headers.push_back(h);
  req.body = r.body;
  const bool has_nul = r.body.find('\0') != std::string::npos;
  j["curl"] = ui::to_curl(req, has_nul ? "body-" + r.id + ".bin" : "");
  j["curl_note"] =
      has_nul ? "the body holds NUL bytes: save it as body-" + r.id + ".bin first" : "";
  j["body_utf8"] = util::is_valid_utf8(r.body);
  return dump(j);
}

Api::Api(ApiOptions options, Store& store, Actions actions)
    : options_(std::move(options)), store_(store), actions_(std::move(actions)) {}

Api::Api(ApiOptions options, Store& store, ReplayFn replay)
    : Api(std::move(options), store, Actions{std::move(replay), {}, {}, {}, {}}) {}

bool Api::allowed_host(std::string_view host) const {
  const int port = port_;
  if (port == 0)
    return false;
  const auto suffix = ":" + std::to_string(port);
  for (const std::string_view name : {"127.0.0.1", "localhost", "[::1]"})
    if (util::iequals(std::string(name) + suffix, host))
      return true;
  return false;
}

net::OutgoingResponse Api::handle(const net::IncomingRequest& request) {
  if (!net::is_loopback_peer(request.remote))
    return error(403, "the inspector answers loopback clients only");
  const auto host = model::find_header(request.headers, "Host");
  if (!host || !allowed_host(*host))
    return error(421, "Host must be 127.0.0.1:" + std::to_string(port_.load()) + " or localhost:" +
                          std::to_string(port_.load()) + " (DNS rebinding guard)");
  if (request.method == "POST") {
    const auto origin = model::find_header(request.headers, "Origin");
    if (origin && !allowed_host(util::starts_with(*origin, "http://") ? origin->substr(7) : ""))
      return error(403, "cross-origin request refused");
    const auto token = model::find_header(request.headers, "X-Hooktool-Token");
    if (!token || *token != options_.token)
      return error(403, "missing or wrong X-Hooktool-Token (reload the page)");
  } else if (request.method != "GET" && request.method != "HEAD") {
    return error(405, "method not allowed");
  }
  try {
    return route(request);
  } catch (const std::exception& e) {
    return error(500, e.what());
  }
}

net::OutgoingResponse Api::route(const net::IncomingRequest& request) {
  const std::string_view path = request.path;
  constexpr std::string_view kDeliveries = "/api/deliveries/";
  if (request.method == "POST") {
    if (path.starts_with(kDeliveries) && path.ends_with("/replay")) {
      const auto id = path.substr(kDeliveries.size(), path.size() - kDeliveries.size() -
                                                          std::string_view("/replay").size());
      return replay(id, request);
    }
    if (path == "/api/simulation")
      return change_simulation(request);
    return error(404, "no such endpoint");
  }
  if (path == "/" || path == "/index.html")
    return index_page(request);
  if (path == "/api/deliveries")
    return list(request);
  if (path == "/api/history")
    return history(request);
  if (path == "/api/events")
    return events(request);
  if (path == "/api/capture")
    return capture_file();
  if (path == "/api/compare")
    return compare(request);
  if (path == "/api/simulation")
    return simulation();
  if (path.starts_with(kDeliveries))
    return detail(path.substr(kDeliveries.size()), request);
  if (path.size() > 1 && path.find('/', 1) == std::string_view::npos)
    if (auto asset = find_asset(path.substr(1)); asset && asset->name != "index.html")
      return respond(200, content_type_of(asset->name), std::string(asset->data));
  return error(404, "no such page");
}

net::OutgoingResponse Api::index_page(const net::IncomingRequest& request) const {
  static const std::string policy = page_policy();
  const auto page = find_asset("index.html");
  const auto css = find_asset("app.css");
  const auto js = find_asset("app.js");
  std::string html(page ? page->data : "");
  // Each marker is index.html's own (the first of its kind): the deliveries go in last, so a
  // delivery holding "{{APP_JS}}" is only text.
  replace_marker(html, "{{TOKEN}}", options_.token);
  replace_marker(html, "{{APP_CSS}}", css ? css->data : "");
  replace_marker(html, "{{APP_JS}}", js ? js->data : "");
  replace_marker(html, "{{FIRST_PAGE}}", script_data(dump(first_page(request.query))));
  auto r = respond(200, content_type_of("index.html"), std::move(html));
  for (auto& [name, value] : r.headers)
    if (name == "Content-Security-Policy")
      value = policy;
  return r;
}

nlohmann::json Api::first_page(std::string_view query) const {
  // Only what is in memory: the capture file's rows (GET /api/history) cost a parse of each line
  // (~0.5 ms for a 9 KB one), and the page should not wait for them before its first paint.
  return json{{"list", list_json(store_, store_.list(parse_filter(query), 0, kFirstPage))}};
}

net::OutgoingResponse Api::list(const net::IncomingRequest& request) const {
  const auto filter = parse_filter(request.query);
  const auto limit =
      std::clamp<std::uint64_t>(query_number(request.query, "limit", 100), 1, kMaxLimit);
  return json_response(
      200, list_json(store_, store_.list(filter, query_number(request.query, "before", 0), limit)));
}

net::OutgoingResponse Api::history(const net::IncomingRequest& request) const {
  if (store_.capture_path().empty())
    return error(404, "no capture file: run listen with --capture FILE to keep older deliveries");
  const auto filter = parse_filter(request.query);
  const auto limit =
      std::clamp<std::uint64_t>(query_number(request.query, "limit", 100), 1, kMaxLimit);
  return json_response(
      200, history_json(store_.history(filter, query_number(request.query, "before", 0), limit)));
}

std::optional<core::CaptureRecord> Api::lookup(std::string_view id, std::string_view query) const {
  return lookup_at(id, query_value(query, "at"));
}

std::optional<core::CaptureRecord> Api::lookup_at(std::string_view id,
                                                  const std::string& at) const {
  if (const auto e = store_.find(id))
    return e->record;
  long long offset = 0;
  if (!at.empty() && util::parse_int64(at, offset) && offset >= 0)
    if (auto h = store_.read_at(static_cast<std::uint64_t>(offset), id))
      return std::move(h->record);
  if (auto h = store_.search_file(id))
    return std::move(h->record);
  return std::nullopt;
}

std::string Api::target_of(const core::CaptureRecord& record) const {
  return actions_.forward_target ? actions_.forward_target(record) : std::string();
}

net::OutgoingResponse Api::detail(std::string_view id, const net::IncomingRequest& request) const {
  // The page's replay URL field starts at the forward target; what else the page can do.
  const auto answer = [&](const core::CaptureRecord& record, std::uint64_t seq,
                          std::optional<std::uint64_t> offset) {
    auto j = json::parse(detail_json(record, seq, offset));
    j["forward_target"] = null_if_empty(target_of(record));
    return json_response(200, j);
  };
  if (const auto e = store_.find(id))
    return answer(e->record, e->seq, e->offset);
  const auto at = query_value(request.query, "at");
  long long offset = 0;
  if (!at.empty() && util::parse_int64(at, offset) && offset >= 0)
    if (auto h = store_.read_at(static_cast<std::uint64_t>(offset), id))
      return answer(h->record, 0, h->offset);
  if (auto h = store_.search_file(id))
    return answer(h->record, 0, h->offset);
  return error(404, "no delivery " + std::string(id) + " in memory or in the capture file");
}

net::OutgoingResponse Api::events(const net::IncomingRequest& request) {
  // An event stream held until deliveries arrive (or stream_hold passes), then ended: the
  // browser's EventSource reconnects at once ("retry") with Last-Event-ID, so no handler
  // thread is held for longer than that and stopping listen never waits on a stream.
  std::uint64_t after = query_number(request.query, "after", store_.last_seq());
  if (const auto last = model::find_header(request.headers, "Last-Event-ID")) {
    long long n = 0;
    if (util::parse_int64(*last, n) && n >= 0)
      after = static_cast<std::uint64_t>(n);
  }
  const auto filter = parse_filter(request.query);
  const auto entries = store_.wait_after(after, filter, options_.stream_hold, 200);
  std::string body = "retry: 50\n\n";
  for (const auto& e : entries)
    body += "id: " + std::to_string(e->seq) +
            "\nevent: delivery\ndata: " + summary_json(e->record, e->seq, e->offset) + "\n\n";
  if (entries.empty())
    body += "id: " + std::to_string(std::max(after, store_.last_seq())) + "\n: idle\n\n";
  return respond(200, "text/event-stream", std::move(body));
}

net::OutgoingResponse Api::capture_file() const {
  if (store_.capture_path().empty())
    return error(404, "no capture file: run listen with --capture FILE");
  std::error_code ec;
  const auto size = std::filesystem::file_size(store_.capture_path(), ec);
  if (ec)
    return error(500, "cannot read " + store_.capture_path() + ": " + ec.message());
  if (size > kMaxDownload)
    return error(413,
                 "the capture file is over 512 MiB: copy " + store_.capture_path() + " directly");
  std::ifstream in(store_.capture_path(), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  auto r = respond(200, "application/x-ndjson", out.str());
  auto name = std::filesystem::path(store_.capture_path()).filename().string();
  for (auto& c : name)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = '_';
  r.headers.push_back({"Content-Disposition", "attachment; filename=\"" + name + "\""});
  return r;
}

net::OutgoingResponse Api::replay(std::string_view id, const net::IncomingRequest& request) {
  const auto record = lookup(id, request.query);
  if (!record)
    return error(404, "no delivery " + std::string(id));
  const auto parsed = parse_replay_ask(request.body);
  if (!parsed.error.empty())
    return error(400, parsed.error);
  const auto& ask = parsed.ask;
  auto edited = apply_edits(*record, ask);
  std::string url;
  if (!ask.url.empty()) {
    model::Url target;
    try {
      target = model::parse_target(ask.url);
    } catch (const Error& e) {
      return error(400, std::string("url: ") + e.what());
    }
    url = target.str();
    if (!actions_.send_to)
      return error(409, "replay to a URL is not available here");
    // The same exact-loopback rule as a remote forward target: anything else is confirmed.
    if (!net::is_loopback_host(target.host) && !ask.confirm)
      return json_response(409,
                           json{{"error", "the target is not on this machine"}, {"confirm", url}});
  }
  if (ask.resign) {
    const auto target = url.empty() ? target_of(edited) : url;
    if (target.empty())
      return error(409, "no --forward-to target matches this delivery: give a URL");
    if (edited.provider.empty())
      return error(409, "the delivery's provider is unknown: nothing to re-sign it as");
    if (!actions_.signing_secret)
      return error(409, "re-signing is not available here");
    const auto secret = actions_.signing_secret(edited.provider);
    if (!secret.error.empty() || !secret.provider)
      return error(409, secret.error.empty() ? "no secret to re-sign with" : secret.error);
    resign_record(edited, *secret.provider, secret.secret, target);
  }
  core::ForwardInfo result;
  if (url.empty()) {
    const auto out = actions_.replay(edited, ask.confirm ? listen::RemoteTarget::confirmed
                                                         : listen::RemoteTarget::refuse);
    using Kind = listen::ReplayOutcome::Kind;
    if (out.kind == Kind::no_route)
      return error(409, "no --forward-to target matches this delivery: give a URL");
    if (out.kind == Kind::needs_confirmation)
      return json_response(
          409, json{{"error", "the forward target is not on this machine"}, {"confirm", out.url}});
    result = out.result;
  } else {
    result = actions_.send_to(edited, url);
  }
  return json_response(200, json{{"url", result.url},
                                 {"status", optional_int(result.status)},
                                 {"duration_ms", result.duration_ms},
                                 {"error", result.error},
                                 {"body", result.body},
                                 {"resigned", ask.resign}});
}

net::OutgoingResponse Api::compare(const net::IncomingRequest& request) const {
  const auto a_id = query_value(request.query, "a");
  const auto b_id = query_value(request.query, "b");
  if (a_id.empty() || b_id.empty())
    return error(400, "give two deliveries: /api/compare?a=ID&b=ID");
  const auto a = lookup_at(a_id, query_value(request.query, "a_at"));
  if (!a)
    return error(404, "no delivery " + a_id + " in memory or in the capture file");
  const auto b = lookup_at(b_id, query_value(request.query, "b_at"));
  if (!b)
    return error(404, "no delivery " + b_id + " in memory or in the capture file");
  auto j = json::parse(compare_json(*a, *b));
  j["a"] = json::parse(summary_json(*a, 0, std::nullopt));
  j["b"] = json::parse(summary_json(*b, 0, std::nullopt));
  return json_response(200, j);
}

namespace {

json answer_json(const listen::Answer& a) {
  return json{{"status", a.status},
              {"delay_ms", a.delay_ms},
              {"fail_rate", a.fail_rate},
              {"fail_status", a.fail_status}};
}

// Reads the fields given into a (the others keep their value); the reason when one is not a
// number of the right kind.
std::string read_answer(const json& j, listen::Answer& a) {
  if (!j.is_object())
    return "the request body must be a JSON object";
  const auto whole = [&](const char* name, auto& field) -> std::string {
    const auto it = j.find(name);
    if (it == j.end())
      return {};
    if (!it->is_number_integer())
      return std::string(name) + " must be a whole number";
    field = it->template get<std::remove_reference_t<decltype(field)>>();
    return {};
  };
  for (auto why : {whole("status", a.status), whole("delay_ms", a.delay_ms),
                   whole("fail_status", a.fail_status)})
    if (!why.empty())
      return why;
  if (const auto it = j.find("fail_rate"); it != j.end()) {
    if (!it->is_number())
      return "fail_rate must be a number between 0 and 1";
    a.fail_rate = it->get<double>();
  }
  return {};
}

} // namespace

net::OutgoingResponse Api::simulation() const {
  if (!actions_.answer)
    return error(409, "the simulated answer cannot be changed here");
  return json_response(200, answer_json(actions_.answer->get()));
}

net::OutgoingResponse Api::change_simulation(const net::IncomingRequest& request) {
  if (!actions_.answer)
    return error(409, "the simulated answer cannot be changed here");
  const auto j = json::parse(request.body, nullptr, false);
  if (j.is_discarded())
    return error(400, "the request body is not JSON");
  auto next = actions_.answer->get();
  if (auto why = read_answer(j, next); !why.empty())
    return error(400, why);
  if (auto why = actions_.answer->set(next); !why.empty())
    return error(400, why);
  return json_response(200, answer_json(actions_.answer->get()));
}

} // namespace hooktool::webui
