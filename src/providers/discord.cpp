#include "providers/discord.hpp"

#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "providers/common.hpp"
#include "util/error.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <array>

namespace hooktool::providers {

namespace {

constexpr std::string_view kSignature = "X-Signature-Ed25519";
constexpr std::string_view kTimestamp = "X-Signature-Timestamp";
constexpr std::string_view kKeyHelp =
    "the discord private key must be 64 hex characters (the Ed25519 seed) or a PEM file "
    "(--secret-file)";

// Interaction types (discord.com/developers/docs/interactions/receiving-and-responding),
// named as the fixtures are.
constexpr std::array<std::string_view, 6> kTypes{"",
                                                 "ping",
                                                 "application_command",
                                                 "message_component",
                                                 "application_command_autocomplete",
                                                 "modal_submit"};

std::string message_of(std::string_view ts, std::string_view body) {
  std::string m;
  m.reserve(ts.size() + body.size());
  m.append(ts).append(body);
  return m;
}

std::optional<std::string> public_key_of(std::string_view hex) {
  std::optional<std::string> key = crypto::from_hex(util::trim(hex));
  if (key && key->size() != 32)
    key.reset();
  return key;
}

} // namespace

std::string discord_seed(std::string_view secret) {
  if (crypto::is_pem(secret))
    return crypto::ed25519_seed_from_pem(secret);
  const auto raw = crypto::from_hex(util::trim(secret));
  if (!raw || (raw->size() != 32 && raw->size() != 64))
    throw usage_error(std::string(kKeyHelp));
  auto seed = raw->substr(0, 32);
  if (raw->size() == 64 && crypto::ed25519_public_key(seed) != raw->substr(32))
    throw usage_error("the discord private key's second half is not the public key of its "
                      "seed (give the 64-hex seed alone)");
  return seed;
}

void DiscordProvider::validate_secret(std::string_view secret) const {
  (void)discord_seed(secret);
}

std::string DiscordProvider::generate_secret() const {
  return crypto::to_hex(crypto::ed25519_generate().seed);
}

std::string DiscordProvider::verifying_key(std::string_view secret) const {
  return crypto::to_hex(crypto::ed25519_public_key(discord_seed(secret)));
}

void DiscordProvider::validate_verifying_key(std::string_view key) const {
  if (!public_key_of(key))
    throw usage_error("the discord public key must be 64 hex characters (the application's "
                      "Public Key in the Developer Portal)");
}

model::Headers DiscordProvider::envelope(const EnvelopeInput& /*in*/) const {
  return {{"Content-Type", "application/json"},
          {"User-Agent", "Discord-Interactions/1.0 (+https://discord.com)"}};
}

model::Headers DiscordProvider::sign(model::HttpRequest& req, const SignParams& params) const {
  const auto seed = discord_seed(params.secret);
  const auto ts = std::to_string(params.timestamp);
  model::Headers set{{std::string(kSignature),
                      crypto::to_hex(crypto::ed25519_sign(seed, message_of(ts, req.body)))},
                     {std::string(kTimestamp), ts}};
  for (const auto& h : set)
    model::set_header(req.headers, h.name, h.value);
  return set;
}

Verdict DiscordProvider::verify(const model::HttpRequest& req, const VerifyParams& params) const {
  const auto header = model::find_header(req.headers, kSignature);
  if (!header)
    return {VerdictStatus::unsigned_, "no X-Signature-Ed25519 header"};
  if (!params.secret)
    return {VerdictStatus::unverified, "no public key for discord"};
  const auto key = public_key_of(*params.secret);
  if (!key)
    return detail::invalid("the discord public key is not 64 hex characters");
  const auto ts = model::find_header(req.headers, kTimestamp);
  if (!ts)
    return detail::invalid("missing X-Signature-Timestamp header");
  const auto signature = crypto::from_hex(*header);
  if (!signature || signature->size() != 64)
    return detail::invalid("malformed X-Signature-Ed25519 header: expected 128 hex characters");
  if (!crypto::ed25519_verify(*key, message_of(*ts, req.body), *signature))
    return detail::invalid("signature does not match the public key (wrong key: listen takes "
                           "the Public Key, not the private seed; or the body or timestamp was "
                           "altered)");
  // discord-interactions' verifyKey and Discord's documentation set no timestamp window.
  return detail::valid();
}

std::optional<std::int64_t> DiscordProvider::signed_timestamp(const model::Headers& headers) const {
  const auto ts = model::find_header(headers, kTimestamp);
  return ts ? detail::parse_timestamp(*ts) : std::nullopt;
}

EventInfo DiscordProvider::event_info(const model::HttpRequest& req) const {
  const auto fields = util::json_fields(req.body, {{"type"}, {"id"}});
  EventInfo info;
  long long type = 0;
  if (util::parse_int64(fields[0], type) && type > 0 &&
      static_cast<std::size_t>(type) < kTypes.size())
    info.type = kTypes[static_cast<std::size_t>(type)];
  else if (!fields[0].empty())
    info.type = "type_" + fields[0];
  info.id = fields[1];
  return info;
}

bool DiscordProvider::set_unknown_event(model::HttpRequest& req) const {
  auto doc = util::parse_json(req.body);
  if (!doc || !doc->is_object())
    return false;
  (*doc)["type"] = 99;
  req.body = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

bool DiscordProvider::detect(const model::Headers& headers) const {
  return model::find_header(headers, kSignature).has_value();
}

void DiscordProvider::tamper_timestamp(model::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, kTimestamp)) {
      long long ts = 0;
      if (util::parse_int64(h.value, ts))
        h.value = std::to_string(ts + 1);
    }
}

std::optional<HandshakeAnswer>
DiscordProvider::handshake_answer(const model::HttpRequest& req,
                                  std::string_view /*secret*/) const {
  if (util::json_fields(req.body, {{"type"}})[0] != "1")
    return std::nullopt;
  return HandshakeAnswer{200, "application/json", R"({"type":1})"};
}

} // namespace hooktool::providers
