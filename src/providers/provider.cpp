#include "providers/provider.hpp"

#include "crypto/crypto.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

void Provider::validate_secret(std::string_view secret) const {
  if (secret.empty())
    throw usage_error("the secret for " + std::string(id()) + " is empty");
}

std::string Provider::generate_secret() const {
  return crypto::to_hex(crypto::random_bytes(20));
}

bool Provider::detect(const model::Headers& headers) const {
  return model::find_header(headers, signature_header()).has_value();
}

void Provider::tamper_signature(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, signature_header())) {
      detail::corrupt_at(h.value, h.value.size() > 12 ? h.value.size() / 2 : 0);
      return;
    }
}

void Provider::tamper_timestamp(model::Headers& /*headers*/) const {
  throw usage_error("--tamper timestamp: " + std::string(id()) +
                    " signatures carry no timestamp; use --tamper signature or body");
}

void Provider::mark_retry(model::Headers& /*headers*/, int /*attempt*/) const {}

bool Provider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["type"] = "hooktool.unknown_event";
  req.body =
      doc->dump(pretty_json() ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

} // namespace hooktool::providers
