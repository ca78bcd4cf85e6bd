#include "providers/common.hpp"

#include "crypto/crypto.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace hooktool::providers {

namespace detail {

namespace {

// A span of seconds in the unit a person reads it in: "40 s", "6 min 40 s", "2 h 5 min",
// "3 days", "3 years" (whole units, rounded down; the largest two for minutes and hours).
std::string human_span(std::int64_t s) {
  constexpr std::int64_t minute = 60, hour = 3600, day = 86400, year = 365 * day;
  const auto two = [](std::int64_t big, const char* big_unit, std::int64_t small,
                      const char* small_unit) {
    return std::to_string(big) + " " + big_unit +
           (small == 0 ? "" : " " + std::to_string(small) + " " + small_unit);
  };
  if (s < minute)
    return std::to_string(s) + " s";
  if (s < hour)
    return two(s / minute, "min", s % minute, "s");
  if (s < 2 * day)
    return two(s / hour, "h", s % hour / minute, "min");
  if (s < 2 * year)
    return std::to_string(s / day) + " days";
  return std::to_string(s / year) + " years";
}

} // namespace

std::optional<std::string> outside_window(Window window, std::int64_t ts, std::int64_t now,
                                          std::int64_t tolerance) {
  if (window == Window::none || tolerance <= 0)
    return std::nullopt;
  const auto age = now - ts;
  if (age > tolerance)
    return "signed " + human_span(age) + " ago (tolerance " + human_span(tolerance) + ")";
  if (window == Window::past_and_future && -age > tolerance)
    return "signed " + human_span(-age) + " in the future (tolerance " + human_span(tolerance) +
           ")";
  return std::nullopt;
}

std::int64_t tolerance_of(const Provider& p, const VerifyParams& params) noexcept {
  return params.tolerance ? *params.tolerance : p.default_tolerance();
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept {
  long long v = 0;
  if (text.empty() || text.front() == '-' || !util::parse_int64(text, v))
    return std::nullopt;
  return static_cast<std::int64_t>(v);
}

void corrupt_at(std::string& value, std::size_t pos) {
  if (value.empty()) {
    value = "0";
    return;
  }
  pos = std::min(pos, value.size() - 1);
  char& c = value[pos];
  // Stay inside the hex/base64 alphabet so the header still parses and only the MAC is wrong.
  if (c == '9')
    c = '0';
  else if (c == 'f')
    c = 'a';
  else if ((c >= '0' && c <= '8') || (c >= 'a' && c <= 'e') || (c >= 'A' && c <= 'Y') ||
           (c >= 'g' && c <= 'y'))
    ++c;
  else
    c = 'A';
}

Verdict valid() {
  return {VerdictStatus::valid, {}};
}
Verdict invalid(std::string reason) {
  return {VerdictStatus::invalid, std::move(reason)};
}

PairedSignatures read_paired(const PairedScheme& scheme, std::string_view value) {
  PairedSignatures out;
  for (auto item : util::split(value, scheme.separator)) {
    if (scheme.spacing == Spacing::trimmed)
      item = util::trim(item);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos)
      continue;
    const auto key = item.substr(0, eq);
    if (key == scheme.timestamp_key)
      out.timestamp = item.substr(eq + 1);
    else if (key == scheme.signature_key)
      out.signatures.push_back(item.substr(eq + 1));
  }
  return out;
}

namespace {

std::string paired_mac(const PairedScheme& scheme, std::string_view secret, std::string_view ts,
                       std::string_view body) {
  std::string payload;
  payload.reserve(ts.size() + 1 + body.size());
  payload.append(ts).append(1, scheme.joiner).append(body);
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, payload));
}

std::int64_t seconds_of(const PairedScheme& scheme, std::int64_t ts) noexcept {
  return scheme.unit == TimeUnit::milliseconds ? ts / 1000 : ts;
}

} // namespace

model::Headers sign_paired(const PairedScheme& scheme, model::HttpRequest& req,
                           const SignParams& params) {
  const auto ts = std::to_string(scheme.unit == TimeUnit::milliseconds ? timestamp_ms_of(params)
                                                                       : params.timestamp);
  std::string value;
  value.append(scheme.timestamp_key).append("=").append(ts).append(1, scheme.separator);
  if (scheme.spacing == Spacing::trimmed)
    value.append(" ");
  value.append(scheme.signature_key)
      .append("=")
      .append(paired_mac(scheme, params.secret, ts, req.body));
  model::set_header(req.headers, std::string(scheme.header), value);
  return {{std::string(scheme.header), std::move(value)}};
}

Verdict verify_paired(const Provider& provider, const PairedScheme& scheme,
                      const model::HttpRequest& req, const VerifyParams& params) {
  const auto header = model::find_header(req.headers, scheme.header);
  if (!header)
    return {VerdictStatus::unsigned_, "no " + std::string(scheme.header) + " header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for " + std::string(provider.id())};
  const auto malformed = "malformed " + std::string(scheme.header) + " header: ";
  const auto parts = read_paired(scheme, *header);
  if (!parts.timestamp)
    return invalid(malformed + "no " + std::string(scheme.timestamp_key) + "= timestamp");
  const auto ts = parse_timestamp(*parts.timestamp);
  if (!ts)
    return invalid(malformed + "timestamp '" + util::printable(*parts.timestamp) +
                   "' is not an integer");
  if (parts.signatures.empty())
    return invalid(malformed + "no " + std::string(scheme.signature_key) + "= signature");
  const auto expected = paired_mac(scheme, *params.secret, std::to_string(*ts), req.body);
  bool match = false;
  for (const auto sig : parts.signatures)
    match = crypto::constant_time_equal(expected, sig) || match;
  if (!match)
    return invalid("signature does not match (wrong secret, or the body was altered)");
  if (auto why = outside_window(provider.window(), seconds_of(scheme, *ts), params.now,
                                tolerance_of(provider, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return valid();
}

std::optional<std::int64_t> paired_timestamp(const PairedScheme& scheme,
                                             const model::Headers& headers) {
  const auto header = model::find_header(headers, scheme.header);
  if (!header)
    return std::nullopt;
  const auto parts = read_paired(scheme, *header);
  const auto ts = parts.timestamp ? parse_timestamp(*parts.timestamp) : std::nullopt;
  return ts ? std::optional(seconds_of(scheme, *ts)) : std::nullopt;
}

namespace {

// Offsets of the values of the items named key in a paired header value.
std::vector<std::size_t> paired_value_offsets(const PairedScheme& scheme, std::string_view value,
                                              std::string_view key) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(scheme.separator, start);
    if (end == std::string_view::npos)
      end = value.size();
    auto pos = start;
    if (scheme.spacing == Spacing::trimmed)
      while (pos < end && value[pos] == ' ')
        ++pos;
    if (value.substr(pos, end - pos).starts_with(std::string(key) + "="))
      out.push_back(pos + key.size() + 1);
    start = end + 1;
  }
  return out;
}

} // namespace

void tamper_paired_signature(const PairedScheme& scheme, model::Headers& headers) {
  for (auto& h : headers)
    if (util::iequals(h.name, scheme.header)) {
      const auto offsets = paired_value_offsets(scheme, h.value, scheme.signature_key);
      if (offsets.empty())
        corrupt_at(h.value, 0);
      for (const auto pos : offsets)
        corrupt_at(h.value, pos);
    }
}

void tamper_paired_timestamp(const PairedScheme& scheme, model::Headers& headers) {
  for (auto& h : headers) {
    if (!util::iequals(h.name, scheme.header))
      continue;
    auto offsets = paired_value_offsets(scheme, h.value, scheme.timestamp_key);
    // From the last, so that a rewrite leaves the earlier offsets where they were.
    for (auto it = offsets.rbegin(); it != offsets.rend(); ++it) {
      const auto pos = *it;
      auto end = h.value.find(scheme.separator, pos);
      if (end == std::string::npos)
        end = h.value.size();
      long long ts = 0;
      if (!util::parse_int64(std::string_view(h.value).substr(pos, end - pos), ts))
        continue;
      const long long step = scheme.unit == TimeUnit::milliseconds ? 1000 : 1;
      h.value.replace(pos, end - pos, std::to_string(ts + step));
    }
  }
}

bool set_json_member(std::string& body, std::string_view key, std::string_view value) {
  auto doc = util::parse_json(body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)[std::string(key)] = value;
  body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

std::string media_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
    type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
    type.remove_prefix(1);
  std::string out(type);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> handshake_status_problem(const Provider& p, int status) {
  if (status >= 200 && status < 300)
    return std::nullopt;
  return "answered " + std::to_string(status) + ", not 2xx: " + std::string(p.id()) +
         " counts the endpoint as not verified";
}

std::optional<std::string> json_answer_problem(const Provider& p, const HandshakeAnswer& expected,
                                               const HandshakeAnswer& reply) {
  const auto id = std::string(p.id());
  if (reply.body.empty())
    return "empty body: " + id + " wants " + expected.body;
  const auto got_type = media_type(reply.content_type);
  if (got_type != "application/json")
    return "wrong content type '" + (got_type.empty() ? "(none)" : util::printable(got_type)) +
           "': " + id + " wants application/json";
  const auto want = util::parse_json(expected.body);
  const auto got = util::parse_json(reply.body);
  if (!got || !got->is_object())
    return "the body is not a JSON object: '" + util::printable(reply.body.substr(0, 80)) + "'";
  if (!want || !want->is_object())
    return std::nullopt;
  for (const auto& [key, value] : want->items()) {
    const auto it = got->find(key);
    if (it == got->end())
      return "missing \"" + key + "\" in the answer '" +
             util::printable(reply.body.substr(0, 120)) + "'";
    if (*it != value)
      return "wrong \"" + key + "\": got " +
             util::printable(it->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) +
             ", " + id + " wants " +
             value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return std::nullopt;
}

} // namespace detail
} // namespace hooktool::providers
