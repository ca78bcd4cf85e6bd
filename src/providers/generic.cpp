#include "providers/generic.hpp"

#include "providers/common.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"
#include "util/version.hpp"

namespace hooktool::providers {

Window GenericProvider::window() const {
  return config_.content == SignedContent::timestamp_and_body ? Window::past_and_future
                                                              : Window::none;
}

std::int64_t GenericProvider::default_tolerance() const {
  return config_.content == SignedContent::timestamp_and_body ? 300 : 0;
}

std::string GenericProvider::compute(std::string_view secret, std::string_view ts,
                                     std::string_view body) const {
  std::string data;
  if (config_.content == SignedContent::timestamp_and_body)
    data.append(ts).append(config_.separator);
  data.append(body);
  const auto mac = crypto::hmac(config_.digest, secret, data);
  return config_.prefix +
         (config_.encoding == Encoding::hex ? crypto::to_hex(mac) : crypto::base64_encode(mac));
}

model::Headers GenericProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", in.format == BodyFormat::form ? "application/x-www-form-urlencoded"
                                                         : "application/json"},
          {"User-Agent", "hooktool/" + std::string(util::version())},
          {"X-Webhook-Event", in.event},
          {"X-Webhook-Id", delivery_id_or(in, crypto::random_uuid)}};
}

model::Headers GenericProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  model::Headers set;
  const auto ts = std::to_string(params.timestamp);
  if (config_.content == SignedContent::timestamp_and_body)
    set.push_back({config_.timestamp_header, ts});
  set.push_back({config_.header, compute(params.secret, ts, req.body)});
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict GenericProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto sig = model::find_header(req.headers, config_.header);
  if (!sig)
    return {VerdictStatus::unsigned_, "no " + config_.header + " header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for generic"};
  if (!util::starts_with(*sig, config_.prefix))
    return detail::invalid("malformed " + config_.header + " header: expected prefix '" +
                           config_.prefix + "'");
  std::string_view ts_text;
  std::optional<std::int64_t> ts;
  if (config_.content == SignedContent::timestamp_and_body) {
    const auto t = model::find_header(req.headers, config_.timestamp_header);
    if (!t)
      return detail::invalid("missing " + config_.timestamp_header + " header");
    ts_text = *t;
    ts = detail::parse_timestamp(ts_text);
    if (!ts)
      return detail::invalid("malformed " + config_.timestamp_header + " '" +
                             util::printable(ts_text) + "': expected integer seconds");
  }
  if (!crypto::constant_time_equal(compute(*params.secret, ts_text, req.body), *sig))
    return detail::invalid("signature does not match (wrong secret, or the body was altered)");
  if (ts)
    if (auto why =
            detail::outside_window(window(), *ts, params.now, detail::tolerance_of(*this, params)))
      return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo GenericProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  auto f = util::json_fields(req.body, {{"type"}, {"event"}, {"id"}});
  info.type = f[0].empty() ? f[1] : f[0];
  info.id = f[2];
  if (info.type.empty())
    info.type = std::string(model::find_header(req.headers, "X-Webhook-Event").value_or(""));
  if (info.id.empty())
    info.id = std::string(model::find_header(req.headers, "X-Webhook-Id").value_or(""));
  return info;
}

void GenericProvider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, config_.header))
      detail::corrupt_at(h.value, config_.prefix.size());
}

void GenericProvider::tamper_timestamp(model::Headers& headers) const {
  if (config_.content != SignedContent::timestamp_and_body) {
    Provider::tamper_timestamp(headers);
    return;
  }
  for (auto& h : headers)
    if (util::iequals(h.name, config_.timestamp_header)) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

std::optional<std::int64_t> GenericProvider::signed_timestamp(const model::Headers& headers) const {
  if (config_.content != SignedContent::timestamp_and_body)
    return std::nullopt;
  const auto ts = model::find_header(headers, config_.timestamp_header);
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

} // namespace hooktool::providers
