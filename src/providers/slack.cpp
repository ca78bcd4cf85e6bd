#include "providers/slack.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/form.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

constexpr std::string_view kSignature = "X-Slack-Signature";
constexpr std::string_view kTimestamp = "X-Slack-Request-Timestamp";

std::string signature(std::string_view secret, std::string_view ts, std::string_view body) {
  std::string base;
  base.reserve(4 + ts.size() + body.size());
  base.append("v0:").append(ts).append(":").append(body);
  return "v0=" + crypto::to_hex(crypto::hmac(crypto::Digest::sha256, secret, base));
}

} // namespace

std::string SlackProvider::generate_secret() const {
  return crypto::to_hex(crypto::random_bytes(16)); // signing secrets are 32 hex characters
}

model::Headers SlackProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", in.format == BodyFormat::form ? "application/x-www-form-urlencoded"
                                                         : "application/json"},
          {"User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)"},
          {"Accept", "*/*"},
          {"Accept-Encoding", "gzip,deflate"}};
}

model::Headers SlackProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto ts = std::to_string(params.timestamp);
  auto sig = signature(params.secret, ts, req.body);
  model::set_header(req.headers, std::string(kTimestamp), ts);
  model::set_header(req.headers, std::string(kSignature), sig);
  return {{std::string(kTimestamp), ts}, {std::string(kSignature), std::move(sig)}};
}

Verdict SlackProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto sig = model::find_header(req.headers, kSignature);
  if (!sig)
    return {VerdictStatus::unsigned_, "no X-Slack-Signature header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for slack"};
  const auto ts_text = model::find_header(req.headers, kTimestamp);
  if (!ts_text)
    return detail::invalid("missing X-Slack-Request-Timestamp header");
  const auto ts = detail::parse_timestamp(*ts_text);
  if (!ts)
    return detail::invalid("malformed X-Slack-Request-Timestamp '" + util::printable(*ts_text) +
                           "': expected integer seconds");
  if (!util::starts_with(*sig, "v0="))
    return detail::invalid("malformed X-Slack-Signature header: expected 'v0=<hex>'");
  if (!crypto::constant_time_equal(signature(*params.secret, *ts_text, req.body), *sig))
    return detail::invalid(
        "signature does not match (wrong signing secret, or the body was altered)");
  if (auto why =
          detail::outside_window(window(), *ts, params.now, detail::tolerance_of(*this, params)))
    return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo SlackProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (model::is_form(req.headers)) {
    if (const auto payload = util::form_field(req.body, "payload")) {
      if (const auto j = util::parse_json(*payload)) {
        info.type = util::json_text(*j, "type");
        info.id = util::json_text(*j, "trigger_id");
        if (info.id.empty() && j->contains("actions") && (*j)["actions"].is_array() &&
            !(*j)["actions"].empty())
          info.id = util::json_text((*j)["actions"][0], "action_ts");
        if (info.id.empty() && j->contains("view")) // view_closed carries no trigger_id
          info.id = util::json_text((*j)["view"], "id");
      }
    } else if (util::form_field(req.body, "command")) {
      info.type = "slash_command";
      info.id = util::form_field(req.body, "trigger_id").value_or("");
    }
    return info;
  }
  auto f = util::json_fields(req.body, {{"type"},
                                        {"event", "type"},
                                        {"event_id"},
                                        {"challenge"},
                                        {"team_id"},
                                        {"minute_rate_limited"},
                                        {"event", "subtype"}});
  info.type = f[0] == "event_callback" && !f[1].empty() ? f[1] : f[0];
  // A message subtype (bot_message, message_changed...) reads back as "message.<subtype>"; a
  // subtype that is not one of Slack's words (lowercase letters and '_') leaves "message".
  if (f[0] == "event_callback" && f[1] == "message" && !f[6].empty() && f[6].size() <= 40 &&
      f[6].find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos)
    info.type += "." + f[6];
  info.id = f[2];
  if (info.id.empty()) // url_verification carries no event id; its challenge is unique
    info.id = f[3];
  if (info.id.empty() && !f[5].empty()) // app_rate_limited: one notice per team and minute
    info.id = f[4] + ":" + f[5];
  return info;
}

bool SlackProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kSignature) || model::find_header(headers, kTimestamp);
}

void SlackProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kTimestamp)) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

void SlackProvider::mark_retry(model::Headers& headers, int attempt) const {
  model::set_header(headers, "X-Slack-Retry-Num", std::to_string(attempt));
  model::set_header(headers, "X-Slack-Retry-Reason", "http_error");
}

std::optional<std::int64_t> SlackProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kTimestamp);
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

bool SlackProvider::set_unknown_event(model::HttpRequest& req) const {
  // Events API callbacks carry the type inside "event"; interactivity and commands at the top.
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  if (doc->contains("event") && (*doc)["event"].is_object())
    (*doc)["event"]["type"] = "hooktool_unknown_event";
  else
    (*doc)["type"] = "hooktool.unknown_event";
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

std::optional<HandshakeAnswer> SlackProvider::handshake_answer(const model::HttpRequest& req,
                                                               std::string_view /*secret*/) const {
  if (model::is_form(req.headers))
    return std::nullopt;
  const auto f = util::json_fields(req.body, {{"type"}, {"challenge"}});
  if (f[0] != "url_verification")
    return std::nullopt;
  nlohmann::ordered_json answer;
  answer["challenge"] = f[1];
  return HandshakeAnswer{200, "application/json",
                         answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

std::optional<std::string> SlackProvider::handshake_problem(const model::HttpRequest& req,
                                                            std::string_view secret,
                                                            const HandshakeAnswer& reply) const {
  const auto expected = handshake_answer(req, secret);
  if (!expected)
    return std::nullopt;
  if (reply.status != 200)
    return "answered " + std::to_string(reply.status) +
           ", not 200: Slack counts the Request URL as not verified";
  const auto challenge = util::json_fields(req.body, {{"challenge"}})[0];
  if (reply.body.empty())
    return "missing challenge: the body is empty, slack wants the challenge '" + challenge + "'";
  const auto type = detail::media_type(reply.content_type);
  // Slack takes the challenge as JSON, as a form field or as the plain body.
  if (type == "application/json")
    return detail::json_answer_problem(*this, *expected, reply);
  if (type == "application/x-www-form-urlencoded") {
    const auto field = util::form_field(reply.body, "challenge");
    if (!field)
      return "missing challenge: the form answer has no challenge field";
    if (*field != challenge)
      return "wrong challenge: got '" + util::printable(field->substr(0, 80)) + "', slack sent '" +
             challenge + "'";
    return std::nullopt;
  }
  if (type != "text/plain")
    return "wrong content type '" + (type.empty() ? "(none)" : util::printable(type)) +
           "': slack takes the challenge as text/plain, application/json or "
           "application/x-www-form-urlencoded";
  if (reply.body != challenge)
    return "the body is not the challenge: got '" + util::printable(reply.body.substr(0, 80)) +
           "', slack sent '" + challenge + "'";
  return std::nullopt;
}

} // namespace hooktool::providers
