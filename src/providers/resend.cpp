#include "providers/resend.hpp"

namespace hooktool::providers {

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
  };
  return f;
}

} // namespace hooktool::providers
