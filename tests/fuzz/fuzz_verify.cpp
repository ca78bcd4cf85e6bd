// Fuzzes every provider's signature-header parsing and verification, event_info and detect.
//
// Input: one control byte, then the request URL up to the first '\n', then "Name: value" header
// lines up to an empty line, then the body (bytes as they are).
//   control & 0x07: provider index (registry order, modulo the number of providers)
//   control & 0x08: sign the request with that provider first (reaches the "valid" and "expired"
//                   paths, and the parsers see well-formed signatures next to fuzzed headers)
//   control & 0x10: then tamper the signature; 0x20: then tamper the timestamp
//   control & 0x40: verify with an explicit tolerance (0) instead of the provider default
//   control & 0x80: pass the URL as VerifyParams::urls (Twilio's --url) instead of req.url
#include "model/http.hpp"
#include "providers/provider.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace hooktool;

// Base64 after whsec_, so Standard Webhooks accepts it too.
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::int64_t kNow = 1764072000; // 2025-11-25T12:00:00Z

std::vector<std::unique_ptr<providers::Provider>> make_all() {
  std::vector<std::unique_ptr<providers::Provider>> all;
  for (const auto id : providers::provider_ids())
    all.push_back(providers::make_provider(id));
  // Generic with the other knobs: base64, a prefix, a signed timestamp, sha1/sha512.
  providers::GenericConfig ts_config;
  ts_config.encoding = providers::Encoding::base64;
  ts_config.prefix = "v1=";
  ts_config.content = providers::SignedContent::timestamp_and_body;
  ts_config.digest = crypto::Digest::sha512;
  all.push_back(std::make_unique<providers::GenericProvider>(ts_config));
  providers::GenericConfig sha1_config;
  sha1_config.header = "X-Hook-Signature";
  sha1_config.digest = crypto::Digest::sha1;
  sha1_config.prefix = "sha1=";
  all.push_back(std::make_unique<providers::GenericProvider>(sha1_config));
  return all;
}

[[noreturn]] void fail(std::string_view provider, const char* what) {
  std::fprintf(stderr, "fuzz_verify: %.*s: %s\n", static_cast<int>(provider.size()),
               provider.data(), what);
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto all = make_all();
  if (size == 0)
    return 0;
  const auto control = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  model::HttpRequest req;
  const auto url_end = rest.find('\n');
  req.url = std::string(rest.substr(0, url_end));
  rest = url_end == std::string_view::npos ? std::string_view() : rest.substr(url_end + 1);
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    auto line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.empty())
      break;
    if (auto h = model::parse_header_line(line))
      req.headers.push_back(std::move(*h));
  }
  req.body = std::string(rest);

  providers::VerifyParams params;
  params.secret = std::string(kSecret);
  params.now = kNow;
  if (control & 0x40)
    params.tolerance = 0;
  if (control & 0x80)
    params.urls.push_back(req.url);

  const auto& chosen = *all[(control & 0x07) % all.size()];
  if (control & 0x08) {
    try {
      providers::SignParams sign;
      sign.secret = std::string(kSecret);
      sign.timestamp = kNow - 10;
      chosen.sign(req, sign);
      if (control & 0x10)
        chosen.tamper_signature(req.headers);
      if (control & 0x20)
        chosen.tamper_timestamp(req.headers);
    } catch (const Error&) {
      // tamper_timestamp on a scheme without a timestamp: a usage error, as documented.
    }
  }

  for (const auto& p : all) {
    try {
      const auto verdict = p->verify(req, params);
      if (verdict.status == model::VerdictStatus::valid && !verdict.reason.empty())
        fail(p->id(), "a valid verdict carries a reason");
      if (verdict.status != model::VerdictStatus::valid && verdict.reason.empty())
        fail(p->id(), "a failed verdict has no reason");
      const auto no_secret = p->verify(req, {});
      if (no_secret.status == model::VerdictStatus::valid)
        fail(p->id(), "valid without a secret");
      (void)p->event_info(req);
      (void)p->detect(req.headers);
      (void)p->signed_timestamp(req.headers);
    } catch (const Error&) {
      // hooktool's own errors are expected outcomes.
    }
  }
  try {
    (void)providers::detect_provider(req.headers);
  } catch (const Error&) {
  }
  return 0;
}
