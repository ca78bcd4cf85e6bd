#include "providers/linear.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kHeader = "Linear-Signature";
constexpr std::string_view kDelivery = "Linear-Delivery";
constexpr std::string_view kEvent = "Linear-Event";
constexpr std::string_view kField = "webhookTimestamp";

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

bool is_json_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_number_char(char c) noexcept {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

std::string mac(std::string_view secret, std::string_view body) {
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, body));
}

} // namespace

namespace {

// The index of the quote closing the string that opens at body[open]; npos when unterminated.
std::size_t string_end(std::string_view body, std::size_t open) noexcept {
  for (auto i = open + 1; i < body.size(); ++i) {
    if (body[i] == '\\')
      ++i;
    else if (body[i] == '"')
      return i;
  }
  return std::string_view::npos;
}

// The span of the number after a member name whose closing quote is at body[quote].
std::optional<std::pair<std::size_t, std::size_t>> number_after_name(std::string_view body,
                                                                     std::size_t quote) noexcept {
  auto pos = quote + 1;
  while (pos < body.size() && is_json_space(body[pos]))
    ++pos;
  if (pos >= body.size() || body[pos] != ':')
    return std::nullopt;
  ++pos;
  while (pos < body.size() && is_json_space(body[pos]))
    ++pos;
  auto end = pos;
  while (end < body.size() && is_number_char(body[end]))
    ++end;
  if (end == pos)
    return std::nullopt; // not a number: nothing the SDK could compare either
  return std::pair{pos, end - pos};
}

} // namespace

std::optional<std::pair<std::size_t, std::size_t>>
linear_timestamp_span(std::string_view body) noexcept {
  std::size_t depth = 0;
  bool key_expected = false; // the next string at depth 1 is a member name
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '"') {
      const auto close = string_end(body, i);
      if (close == std::string_view::npos)
        return std::nullopt;
      const bool is_name = depth == 1 && key_expected;
      const auto name = body.substr(i + 1, close - i - 1);
      i = close;
      if (!is_name)
        continue;
      key_expected = false;
      if (name == kField)
        return number_after_name(body, close);
    } else if (c == '{' || c == '[') {
      ++depth;
      key_expected = depth == 1 && c == '{';
    } else if (c == '}' || c == ']') {
      if (depth == 0)
        return std::nullopt;
      --depth;
    } else if (c == ',' && depth == 1) {
      key_expected = true;
    }
  }
  return std::nullopt;
}

std::string LinearProvider::generate_secret() const {
  return "lin_wh_" + crypto::random_string(kBase62, 44);
}

model::Headers LinearProvider::envelope(const EnvelopeInput& in) const {
  // The file name is "<type>.<action>"; Linear-Event carries only the type.
  return {{"Content-Type", "application/json; charset=utf-8"},
          {"User-Agent", "Linear-Webhook"},
          {std::string(kDelivery), delivery_id_or(in, crypto::random_uuid)},
          {std::string(kEvent), in.event.substr(0, in.event.find('.'))}};
}

model::Headers LinearProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto ms = std::to_string(timestamp_ms_of(params));
  if (const auto span = linear_timestamp_span(req.body)) {
    req.body.replace(span->first, span->second, ms);
  } else if (const auto doc = util::parse_json(req.body); doc && doc->is_object()) {
    const auto close = req.body.rfind('}');
    req.body.insert(close,
                    std::string(doc->empty() ? "" : ",") + "\"" + std::string(kField) + "\":" + ms);
  }
  auto value = mac(params.secret, req.body);
  model::set_header(req.headers, std::string(kHeader), value);
  return {{std::string(kHeader), std::move(value)}};
}

Verdict LinearProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kHeader);
  if (!header)
    return {VerdictStatus::unsigned_, "no Linear-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for linear"};
  if (header->size() != 64 ||
      util::to_lower(*header).find_first_not_of("0123456789abcdef") != std::string::npos)
    return detail::invalid("malformed Linear-Signature header: expected 64 hex characters");
  if (!crypto::constant_time_equal(mac(*params.secret, req.body), util::to_lower(*header)))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  const auto span = linear_timestamp_span(req.body);
  if (!span)
    return detail::invalid("the body has no webhookTimestamp (Linear signs its time there)");
  const auto text = std::string_view(req.body).substr(span->first, span->second);
  const auto ms = detail::parse_timestamp(text);
  if (!ms)
    return detail::invalid("webhookTimestamp '" + util::printable(text) +
                           "' is not an integer number of milliseconds");
  if (auto why = detail::outside_window(window(), *ms / 1000, params.now,
                                        detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo LinearProvider::event_info(const model::HttpRequest& req) const {
  auto f = util::json_fields(req.body, {{"type"}, {"action"}});
  EventInfo info;
  info.type = f[1].empty() ? f[0] : f[0] + "." + f[1];
  if (const auto delivery = model::find_header(req.headers, kDelivery))
    info.id = *delivery;
  return info;
}

bool LinearProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kHeader) || model::find_header(headers, kDelivery) ||
         model::find_header(headers, kEvent);
}

bool LinearProvider::set_unknown_event(model::HttpRequest& req) const {
  if (!detail::set_json_member(req.body, "type", "HooktoolUnknownEvent"))
    return false;
  model::set_header(req.headers, std::string(kEvent), "HooktoolUnknownEvent");
  return true;
}

void LinearProvider::tamper_timestamp(model::Headers& /*headers*/) const {
  throw usage_error("--tamper timestamp: linear signs its timestamp inside the body "
                    "(webhookTimestamp), not in a header");
}

std::optional<std::int64_t> LinearProvider::signed_time(const model::HttpRequest& req) const {
  const auto span = linear_timestamp_span(req.body);
  const auto ms =
      span ? detail::parse_timestamp(std::string_view(req.body).substr(span->first, span->second))
           : std::nullopt;
  if (!ms)
    return std::nullopt;
  return *ms / 1000;
}

std::string LinearProvider::tamper_delivery_timestamp(model::HttpRequest& req) const {
  const auto span = linear_timestamp_span(req.body);
  const auto ms =
      span ? detail::parse_timestamp(std::string_view(req.body).substr(span->first, span->second))
           : std::nullopt;
  if (!ms)
    throw usage_error("--tamper timestamp: the body has no integer webhookTimestamp to change");
  const auto back_s = default_tolerance() + 300;
  req.body.replace(span->first, span->second, std::to_string(*ms - back_s * 1000));
  return "webhookTimestamp set " + std::to_string(back_s) +
         " s into the past after signing (stale, and not what was signed)";
}

} // namespace hooktool::providers
