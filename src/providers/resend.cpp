#include "providers/resend.hpp"

#include "util/json.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

namespace {

// Resend's payloads: {"type": "email.…" | "contact.…" | "domain.…", "created_at", "data"}, with
// no "object" member (Clerk's have one).
bool resend_body(std::string_view body) {
  const auto f = util::json_fields(body, {{"type"}, {"created_at"}, {"object"}});
  const auto& type = f[0];
  return !f[1].empty() && f[2].empty() &&
         (util::starts_with(type, "email.") || util::starts_with(type, "contact.") ||
          util::starts_with(type, "domain."));
}

} // namespace

const StandardFlavour& resend_flavour() {
  static const StandardFlavour f{
      .id = "resend",
      .description = "Resend (through Svix): svix-signature v1,<base64 HMAC-SHA256 of "
                     "\"<id>.<ts>.<body>\">, whsec_ secrets",
      .header_prefix = "svix-",
      .fixture_family = "resend",
      .secret_family = "resend",
      .default_event = "email.delivered",
      .user_agent = "Svix-Webhooks/1.0",
      .id_prefix = "msg_",
      .id_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
      .id_length = 27,
      .detectable = false,
      .claims_body = resend_body,
  };
  return f;
}

} // namespace hooktool::providers
