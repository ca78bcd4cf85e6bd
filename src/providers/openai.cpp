#include "providers/openai.hpp"

namespace hooktool::providers {

const StandardFlavour& openai_flavour() {
  static const StandardFlavour f{
      .id = "openai",
      .description = "OpenAI: Standard Webhooks, webhook-signature v1,<base64 HMAC-SHA256 of "
                     "\"<id>.<ts>.<body>\">; a secret without whsec_ is used as UTF-8 text",
      .header_prefix = "webhook-",
      .fixture_family = "openai",
      .secret_family = "openai",
      .default_event = "response.completed",
      .user_agent = "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)",
      .id_prefix = "wh_",
      .id_alphabet = "0123456789abcdef",
      .id_length = 32,
      .secret_bytes = 32,
      .secret_text = StandardSecretText::utf8_unless_whsec,
      .headers = StandardHeaders::own_only,
      .bare_signatures = true,
      .detect_user_agent = "OpenAI/",
      .detect_id_prefix = "wh_",
  };
  return f;
}

} // namespace hooktool::providers
