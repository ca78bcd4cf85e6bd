#include "providers/clerk.hpp"

namespace hooktool::providers {

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
  };
  return f;
}

} // namespace hooktool::providers
