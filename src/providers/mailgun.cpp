#include "providers/mailgun.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

using Ordered = nlohmann::ordered_json;

// The signed fields of a delivery, wherever the body keeps them.
struct Signed {
  std::string timestamp;
  std::string token;
  std::string signature;
  std::string parent_signature; // subaccount deliveries: the same HMAC under the parent's key
};

std::string hmac_hex(std::string_view key, std::string_view timestamp, std::string_view token) {
  std::string data;
  data.reserve(timestamp.size() + token.size());
  data.append(timestamp).append(token);
  return crypto::to_hex(crypto::hmac(crypto::Digest::sha256, key, data));
}

std::string new_token() {
  return crypto::to_hex(crypto::random_bytes(25)); // 50 characters, as Mailgun's
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64)
    return false;
  for (const char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
      return false;
  return true;
}

Signed read_signed(const model::HttpRequest& req) {
  Signed s;
  if (model::is_form(req.headers)) {
    s.timestamp = util::form_field(req.body, "timestamp").value_or("");
    s.token = util::form_field(req.body, "token").value_or("");
    s.signature = util::form_field(req.body, "signature").value_or("");
    return s;
  }
  auto f = util::json_fields(req.body, {{"signature", "timestamp"},
                                        {"signature", "token"},
                                        {"signature", "signature"},
                                        {"signature", "parent-signature"}});
  return {std::move(f[0]), std::move(f[1]), std::move(f[2]), std::move(f[3])};
}

std::optional<Ordered> parse_ordered(std::string_view body) {
  if (util::json_nesting_exceeds(body, util::kMaxJsonDepth))
    return std::nullopt;
  auto doc = Ordered::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::nullopt;
  return doc;
}

std::string dump_like(const Ordered& doc, std::string_view original) {
  const bool pretty = original.find('\n') != std::string_view::npos;
  return doc.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Sets name=value in a form body, in place when the field is there, else appended.
void set_form_field(std::string& body, std::string_view name, std::string_view value) {
  std::string out;
  bool found = false;
  for (const auto piece : util::split(body, '&')) {
    const auto eq = piece.find('=');
    const auto key = util::form_decode(piece.substr(0, eq));
    out += out.empty() ? "" : "&";
    if (key == name && !found) {
      out += util::form_encode(name) + "=" + util::form_encode(value);
      found = true;
    } else {
      out += piece;
    }
  }
  if (!found)
    out += (out.empty() ? "" : "&") + util::form_encode(name) + "=" + util::form_encode(value);
  body = std::move(out);
}

} // namespace

std::string MailgunProvider::generate_secret() const {
  // The shape of a Mailgun HTTP webhook signing key: 32 hex, "-", 8 hex, "-", 8 hex.
  return crypto::to_hex(crypto::random_bytes(16)) + "-" + crypto::to_hex(crypto::random_bytes(4)) +
         "-" + crypto::to_hex(crypto::random_bytes(4));
}

model::Headers MailgunProvider::envelope(const EnvelopeInput& in) const {
  return {{"Content-Type", in.format == BodyFormat::form ? "application/x-www-form-urlencoded"
                                                         : "application/json"},
          {"User-Agent", "mailgun/treq-16.12.0"},
          {"Accept", "*/*"},
          {"Accept-Encoding", "gzip"}};
}

model::Headers MailgunProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto ts = std::to_string(params.timestamp);
  auto token = read_signed(req).token;
  if (token.empty())
    token = new_token();
  const auto sig = hmac_hex(params.secret, ts, token);
  if (model::is_form(req.headers)) {
    set_form_field(req.body, "signature", sig);
    set_form_field(req.body, "timestamp", ts);
    set_form_field(req.body, "token", token);
    return {};
  }
  auto doc = parse_ordered(req.body);
  if (!doc)
    throw usage_error("mailgun signs inside a JSON object body (or a form): this body is neither");
  auto& s = (*doc)["signature"];
  if (!s.is_object()) {
    // Appended last, token last: a body tamper (the last character) changes a signed field.
    doc->erase("signature");
    (*doc)["signature"] = Ordered{{"signature", sig}, {"timestamp", ts}, {"token", token}};
  } else {
    s["timestamp"] = ts;
    s["token"] = token;
    s["signature"] = sig;
  }
  req.body = dump_like(*doc, req.body);
  return {};
}

Verdict MailgunProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto s = read_signed(req);
  if (s.signature.empty() && s.timestamp.empty() && s.token.empty())
    return {VerdictStatus::unsigned_, "no signature in the body (signature.timestamp, token, "
                                      "signature)"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for mailgun"};
  if (s.timestamp.empty())
    return detail::invalid("missing signature.timestamp in the body");
  if (s.token.empty())
    return detail::invalid("missing signature.token in the body");
  if (s.signature.empty())
    return detail::invalid("missing signature.signature in the body");
  const auto ts = detail::parse_timestamp(s.timestamp);
  if (!ts)
    return detail::invalid("malformed signature.timestamp '" + util::printable(s.timestamp) +
                           "': expected integer seconds");
  if (!is_hex64(s.signature))
    return detail::invalid("malformed signature.signature: expected 64 hex characters");
  const auto expected = hmac_hex(*params.secret, s.timestamp, s.token);
  const bool match = crypto::constant_time_equal(expected, util::to_lower(s.signature)) ||
                     (!s.parent_signature.empty() &&
                      crypto::constant_time_equal(expected, util::to_lower(s.parent_signature)));
  if (!match)
    return detail::invalid("signature does not match (wrong signing key, or the timestamp or "
                           "token was altered; the event data is not signed)");
  if (params.tolerance)
    if (auto why =
            detail::outside_window(Window::past_and_future, *ts, params.now, *params.tolerance))
      return {VerdictStatus::expired, std::move(*why)};
  return detail::valid();
}

EventInfo MailgunProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  if (model::is_form(req.headers)) {
    // Legacy webhooks carry "event"; a message a route forwards carries none.
    info.type = util::form_field(req.body, "event").value_or("inbound");
    info.id = util::form_field(req.body, "Message-Id")
                  .value_or(util::form_field(req.body, "token").value_or(""));
    return info;
  }
  auto f = util::json_fields(req.body, {{"event-data", "event"}, {"event-data", "id"}});
  info.type = std::move(f[0]);
  info.id = std::move(f[1]);
  return info;
}

bool MailgunProvider::detect(const model::Headers& headers) const {
  return util::starts_with(util::to_lower(model::find_header(headers, "User-Agent").value_or("")),
                           "mailgun/");
}

void MailgunProvider::tamper_signature(model::Headers& /*headers*/) const {
  // Nothing to corrupt: the signature is in the body.
}

std::string MailgunProvider::drill_signature(model::HttpRequest& req, SignatureDrill drill) const {
  const auto sig = read_signed(req).signature;
  if (sig.empty())
    return {};
  std::string value = "hooktool=malformed,,v1";
  if (drill == SignatureDrill::corrupt) {
    value = sig;
    detail::corrupt_at(value, value.size() / 2);
  }
  if (model::is_form(req.headers)) {
    if (drill == SignatureDrill::remove) {
      std::string out;
      for (const auto piece : util::split(req.body, '&'))
        if (util::form_decode(piece.substr(0, piece.find('='))) != "signature")
          out += (out.empty() ? "" : "&") + std::string(piece);
      req.body = std::move(out);
    } else {
      set_form_field(req.body, "signature", value);
    }
    return "the signature field of the form body";
  }
  auto doc = parse_ordered(req.body);
  if (!doc || !(*doc)["signature"].is_object())
    return {};
  auto& s = (*doc)["signature"];
  if (drill == SignatureDrill::remove) {
    s.erase("signature");
    s.erase("parent-signature");
  } else {
    s["signature"] = value;
    if (s.contains("parent-signature"))
      s["parent-signature"] = value;
  }
  req.body = dump_like(*doc, req.body);
  return "signature.signature in the body";
}

void MailgunProvider::tamper_timestamp(model::Headers& /*headers*/) const {
  throw usage_error("--tamper timestamp: mailgun signs its timestamp inside the body "
                    "(signature.timestamp); use --tamper body, which changes a signed field");
}

bool MailgunProvider::set_unknown_event(model::HttpRequest& req) const {
  if (model::is_form(req.headers)) {
    set_form_field(req.body, "event", "hooktool.unknown_event");
    return true;
  }
  auto doc = parse_ordered(req.body);
  if (!doc || !doc->contains("event-data") || !(*doc)["event-data"].is_object())
    return false;
  (*doc)["event-data"]["event"] = "hooktool.unknown_event";
  req.body = dump_like(*doc, req.body);
  return true;
}

} // namespace hooktool::providers
