#include "providers/provider.hpp"

#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
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

std::vector<SecretVariant> Provider::secret_variants(std::string_view secret) const {
  std::vector<SecretVariant> out;
  if (asymmetric() || secret.empty())
    return out;
  const auto trimmed = util::trim(secret);
  if (trimmed.size() != secret.size() && !trimmed.empty())
    out.push_back({std::string(trimmed), "secret trimmed",
                   "the secret without its surrounding whitespace (the secret given here has a "
                   "stray space or newline)"});
  else
    out.push_back({std::string(secret) + "\n", "secret with a trailing newline",
                   "the secret with a trailing newline (the sender read a secret file without "
                   "trimming it)"});
  if (auto raw = crypto::from_hex(trimmed); raw && !raw->empty())
    out.push_back({std::move(*raw), "hex-decoded secret",
                   "the secret hex-decoded (the sender keyed the HMAC with the bytes the hex "
                   "stands for, not its text)"});
  if (auto raw = crypto::base64_decode(trimmed); raw && !raw->empty())
    out.push_back({std::move(*raw), "base64-decoded secret",
                   "the secret base64-decoded (the sender keyed the HMAC with the decoded bytes, "
                   "not its text)"});
  return out;
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

std::string Provider::drill_signature(model::HttpRequest& req, SignatureDrill drill) const {
  const auto main = signature_header();
  if (main.empty())
    return {};
  switch (drill) {
  case SignatureDrill::corrupt:
    for (const auto name : signature_headers())
      if (model::find_header(req.headers, name)) {
        tamper_signature(req.headers);
        return "the " + std::string(name) + " header";
      }
    return {};
  case SignatureDrill::remove:
    for (const auto name : signature_headers())
      model::remove_header(req.headers, name);
    return "every " + std::string(id()) + " signature header";
  case SignatureDrill::malform:
    model::set_header(req.headers, std::string(main), "hooktool=malformed,,v1");
    // Legacy headers too, so that only a malformed signature is left.
    for (const auto name : signature_headers())
      if (name != main && model::find_header(req.headers, name))
        model::set_header(req.headers, std::string(name), "hooktool=malformed");
    break;
  }
  return "the " + std::string(main) + " header";
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

std::optional<std::string> Provider::handshake_problem(const model::HttpRequest& req,
                                                       std::string_view secret,
                                                       const HandshakeAnswer& reply) const {
  const auto expected = handshake_answer(req, secret);
  if (!expected)
    return std::nullopt;
  if (auto why = detail::handshake_status_problem(*this, reply.status))
    return why;
  const auto want_type = detail::media_type(expected->content_type);
  if (want_type == "application/json")
    return detail::json_answer_problem(*this, *expected, reply);
  if (reply.body.empty())
    return "missing challenge: the body is empty, " + std::string(id()) +
           " wants exactly the challenge '" + util::printable(expected->body) + "'";
  const auto got_type = detail::media_type(reply.content_type);
  if (got_type != want_type)
    return "wrong content type '" + (got_type.empty() ? "(none)" : util::printable(got_type)) +
           "': " + std::string(id()) + " wants " + want_type;
  if (reply.body != expected->body)
    return "the body is not the challenge: got '" + util::printable(reply.body.substr(0, 80)) +
           "', " + std::string(id()) + " wants exactly '" + util::printable(expected->body) + "'";
  return std::nullopt;
}

} // namespace hooktool::providers
