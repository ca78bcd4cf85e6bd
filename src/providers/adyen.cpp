#include "providers/adyen.hpp"

#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <cctype>

namespace hooktool::providers {

namespace {

using Ordered = nlohmann::ordered_json;

// The HMAC key's bytes: non-empty hex.
bool is_hex_key(const std::optional<std::string>& key) {
  return key && !key->empty();
}

// A field as JavaScript's Array.join writes it: strings as they are, numbers and booleans as
// text, missing or null as nothing.
std::string text_of(const Ordered& item, std::string_view key) {
  const auto it = item.find(key);
  if (it == item.end() || it->is_null())
    return {};
  if (it->is_string())
    return it->get<std::string>();
  if (it->is_boolean())
    return it->get<bool>() ? "true" : "false";
  if (it->is_number_integer() || it->is_number_unsigned() || it->is_number_float())
    return it->dump();
  return {};
}

std::string signed_data(const Ordered& item) {
  const auto amount = item.find("amount");
  const auto amount_text = [&](std::string_view key) {
    return amount != item.end() && amount->is_object() ? text_of(*amount, key) : std::string();
  };
  return text_of(item, "pspReference") + ":" + text_of(item, "originalReference") + ":" +
         text_of(item, "merchantAccountCode") + ":" + text_of(item, "merchantReference") + ":" +
         amount_text("value") + ":" + amount_text("currency") + ":" + text_of(item, "eventCode") +
         ":" + text_of(item, "success");
}

std::string hmac_base64(std::string_view key, const Ordered& item) {
  return crypto::base64_encode(crypto::hmac(crypto::Digest::sha256, key, signed_data(item)));
}

std::optional<Ordered> parse_ordered(std::string_view body) {
  if (util::json_nesting_exceeds(body, util::kMaxJsonDepth))
    return std::nullopt;
  auto doc = Ordered::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return std::nullopt;
  return doc;
}

// The NotificationRequestItem objects of a standard notification, in order.
std::vector<Ordered*> items_of(Ordered& doc) {
  std::vector<Ordered*> out;
  const auto list = doc.find("notificationItems");
  if (list == doc.end() || !list->is_array())
    return out;
  for (auto& entry : *list) {
    if (!entry.is_object())
      continue;
    const auto item = entry.find("NotificationRequestItem");
    if (item != entry.end() && item->is_object())
      out.push_back(&*item);
  }
  return out;
}

std::string dump_like(const Ordered& doc, std::string_view original) {
  const bool pretty = original.find('\n') != std::string_view::npos;
  return doc.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

void AdyenProvider::validate_secret(std::string_view secret) const {
  if (!is_hex_key(crypto::from_hex(secret)))
    throw usage_error("the adyen HMAC key must be hex (the 64 characters the Customer Area "
                      "shows); Adyen uses it hex-decoded");
}

std::string AdyenProvider::generate_secret() const {
  auto hex = crypto::to_hex(crypto::random_bytes(32));
  for (auto& c : hex)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

model::Headers AdyenProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"}, {"User-Agent", "Adyen HttpClient 1.0"}};
}

model::Headers AdyenProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto key = crypto::from_hex(params.secret);
  if (!is_hex_key(key))
    throw usage_error("the adyen HMAC key must be hex");
  auto doc = parse_ordered(req.body);
  const auto items = doc ? items_of(*doc) : std::vector<Ordered*>{};
  if (items.empty())
    throw usage_error("adyen signs each notificationItems[].NotificationRequestItem: the body "
                      "has none");
  for (auto* item : items) {
    auto& extra = (*item)["additionalData"];
    if (!extra.is_object())
      extra = Ordered::object();
    extra["hmacSignature"] = hmac_base64(*key, *item);
  }
  req.body = dump_like(*doc, req.body);
  return {};
}

Verdict AdyenProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  auto doc = parse_ordered(req.body);
  const auto items = doc ? items_of(*doc) : std::vector<Ordered*>{};
  if (items.empty())
    return {VerdictStatus::unsigned_, "no notificationItems[].NotificationRequestItem in the body"};
  std::vector<std::string> signatures;
  for (const auto* item : items) {
    const auto extra = item->find("additionalData");
    std::string sig;
    if (extra != item->end() && extra->is_object())
      sig = text_of(*extra, "hmacSignature");
    signatures.push_back(std::move(sig));
  }
  bool any = false;
  for (const auto& s : signatures)
    any = any || !s.empty();
  if (!any)
    return {VerdictStatus::unsigned_, "no additionalData.hmacSignature in any item"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no secret for adyen"};
  const auto key = crypto::from_hex(*params.secret);
  if (!is_hex_key(key))
    return detail::invalid("the HMAC key is not hex");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto n = std::to_string(i + 1);
    if (signatures[i].empty())
      return detail::invalid("item " + n + " has no additionalData.hmacSignature");
    const auto given = crypto::base64_decode(signatures[i]);
    if (!given || given->size() != 32)
      return detail::invalid("item " + n +
                             ": malformed hmacSignature, expected base64 of 32 bytes");
    const auto expected = crypto::hmac(crypto::Digest::sha256, *key, signed_data(*items[i]));
    if (!crypto::constant_time_equal(expected, *given))
      return detail::invalid("item " + n +
                             ": hmacSignature does not match (wrong HMAC key, or a signed field "
                             "was altered)");
  }
  return detail::valid();
}

EventInfo AdyenProvider::event_info(const model::HttpRequest& req) const {
  EventInfo info;
  auto doc = parse_ordered(req.body);
  const auto items = doc ? items_of(*doc) : std::vector<Ordered*>{};
  if (items.empty())
    return info;
  info.type = text_of(*items.front(), "eventCode");
  const auto psp = text_of(*items.front(), "pspReference");
  if (!psp.empty())
    info.id = info.type + ":" + psp;
  return info;
}

bool AdyenProvider::detect(const model::Headers& headers) const {
  return util::starts_with(model::find_header(headers, "User-Agent").value_or(""),
                           "Adyen HttpClient");
}

void AdyenProvider::tamper_signature(model::Headers& /*headers*/) const {
  // Nothing to corrupt: the signatures are in the body.
}

std::string AdyenProvider::drill_signature(model::HttpRequest& req, SignatureDrill drill) const {
  auto doc = parse_ordered(req.body);
  const auto items = doc ? items_of(*doc) : std::vector<Ordered*>{};
  bool drilled = false;
  for (auto* item : items) {
    const auto extra = item->find("additionalData");
    if (extra == item->end() || !extra->is_object() || !extra->contains("hmacSignature"))
      continue;
    auto& sig = (*extra)["hmacSignature"];
    if (drill == SignatureDrill::remove) {
      extra->erase("hmacSignature");
    } else if (drill == SignatureDrill::malform) {
      sig = "hooktool=malformed,,v1";
    } else {
      auto text = sig.is_string() ? sig.get<std::string>() : std::string();
      if (text.empty())
        continue;
      detail::corrupt_at(text, text.size() / 2);
      sig = text;
    }
    drilled = true;
  }
  if (!drilled)
    return {};
  req.body = dump_like(*doc, req.body);
  return "additionalData.hmacSignature of every item in the body";
}

bool AdyenProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = parse_ordered(req.body);
  const auto items = doc ? items_of(*doc) : std::vector<Ordered*>{};
  if (items.empty())
    return false;
  for (auto* item : items)
    (*item)["eventCode"] = "HOOKTOOL_UNKNOWN_EVENT";
  req.body = dump_like(*doc, req.body);
  return true;
}

} // namespace hooktool::providers
