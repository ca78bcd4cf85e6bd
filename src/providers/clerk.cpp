#include "providers/clerk.hpp"

#include "util/json.hpp"

namespace hooktool::providers {

namespace {

// Clerk's payloads: {"data", "object": "event", "type": "user.created", "timestamp", …}.
bool clerk_body(std::string_view body) {
  const auto f = util::json_fields(body, {{"object"}, {"type"}, {"timestamp"}});
  return f[0] == "event" && f[1].find('.') != std::string::npos && !f[2].empty();
}

} // namespace

const StandardFlavour& clerk_flavour() {
  static const StandardFlavour f{
      .id = "clerk",
      .description = "Clerk (through Svix): svix-signature v1,<base64 HMAC-SHA256 of "
                     "\"<id>.<ts>.<body>\">, svix-* headers only, whsec_ secrets",
      .header_prefix = "svix-",
      .fixture_family = "clerk",
      .secret_family = "clerk",
      .default_event = "user.created",
      .user_agent = "Svix-Webhooks/1.0",
      .id_prefix = "msg_",
      .id_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
      .id_length = 27,
      .headers = StandardHeaders::own_only,
      .trim_headers = true,
      .detectable = false,
      .claims_body = clerk_body,
  };
  return f;
}

} // namespace hooktool::providers
