#include "listen/inspector.hpp"

#include "core/mismatch.hpp"
#include "providers/registry.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>

namespace hooktool::listen {

Inspector::Inspector(InspectorConfig config) : config_(std::move(config)) {
  for (const auto id : providers::provider_ids())
    providers_.push_back(providers::make_provider(id, config_.generic));
}

const providers::Provider* Inspector::provider_for(const model::Headers& headers,
                                                   std::string_view body) const {
  for (const auto& p : providers_) {
    if (config_.forced_provider) {
      if (p->id() == *config_.forced_provider)
        return p.get();
    } else if (p->detect(headers)) {
      // Svix's headers may be Resend's or Clerk's: the secret listen holds, else the body, says.
      return &providers::told_apart(*p, providers_, body, [this](std::string_view family) {
        return config_.secrets.contains(std::string(family));
      });
    }
  }
  return nullptr;
}

std::vector<std::string> Inspector::signed_urls(const std::string& target,
                                                const model::Headers& headers, bool tls) const {
  std::vector<std::string> urls;
  if (!config_.public_url.empty()) {
    // The tunnel keeps the path: the sender signed the public origin plus this target.
    auto base = config_.public_url;
    while (!base.empty() && base.back() == '/')
      base.pop_back();
    urls.push_back(base + target);
  }
  if (const auto host = model::find_header(headers, "Host"))
    urls.push_back(std::string(tls ? "https://" : "http://") + std::string(*host) + target);
  return urls;
}

// Providers that send the same headers (Resend and Clerk send Svix's) cannot be told apart by
// them; a delivery signed with one of their development secrets is still hooktool's own.
std::optional<model::Verdict> Inspector::sibling_dev_match(const providers::Provider& detected,
                                                           const model::HttpRequest& view,
                                                           providers::VerifyParams params) const {
  for (const auto& p : providers_) {
    if (p.get() == &detected || p->signature_header() != detected.signature_header() ||
        providers::secret_family(p->id()) == providers::secret_family(detected.id()))
      continue;
    params.secret = config_.dev_secrets->verifying_secret(*p);
    if (params.secret && p->verify(view, params).status == model::VerdictStatus::valid)
      return model::Verdict{model::VerdictStatus::valid,
                            std::string(p->id()) + "'s development secret"};
  }
  return std::nullopt;
}

std::vector<core::AlternateSecret>
Inspector::alternate_secrets(const providers::Provider& provider) const {
  std::vector<core::AlternateSecret> out;
  const auto family = std::string(providers::secret_family(provider.id()));
  if (config_.bare_secret && config_.secrets.contains(family))
    out.push_back({*config_.bare_secret, "the bare --secret"});
  if (config_.dev_secrets)
    if (auto dev = config_.dev_secrets->verifying_secret(provider))
      out.push_back({std::move(*dev), "hooktool's development secret for " + family});
  // Providers that send the same headers: the sender may be the sibling whose secret it used.
  for (const auto& p : providers_) {
    const auto other = std::string(providers::secret_family(p->id()));
    if (other == family || p->signature_header() != provider.signature_header())
      continue;
    if (const auto it = config_.secrets.find(other); it != config_.secrets.end())
      if (std::none_of(out.begin(), out.end(),
                       [&](const auto& a) { return a.secret == it->second; }))
        out.push_back({it->second, "the secret configured for " + other});
  }
  return out;
}

model::Verdict Inspector::verify(const providers::Provider& provider,
                                 const model::HttpRequest& view,
                                 providers::VerifyParams& params) const {
  if (params.secret) {
    auto verdict = provider.verify(view, params);
    if (verdict.status == model::VerdictStatus::valid)
      return verdict; // nothing to explain: no alternates gathered on the common path
    return core::explain_mismatch(provider, view, params, std::move(verdict),
                                  alternate_secrets(provider));
  }
  const auto family = std::string(providers::secret_family(provider.id()));
  const std::string no_secret = "no secret for " + family + " (give --secret " + family + "=…)";
  const bool signed_ = model::find_header(view.headers, provider.signature_header()).has_value();
  if (config_.dev_secrets) {
    if (auto dev = config_.dev_secrets->verifying_secret(provider)) {
      params.secret = std::move(dev);
      auto verdict = provider.verify(view, params);
      if (verdict.status == model::VerdictStatus::valid)
        return {verdict.status, verdict.reason.empty() ? "development secret"
                                                       : verdict.reason + " (development secret)"};
      if (auto sibling = sibling_dev_match(provider, view, params))
        return *sibling;
      // Only hooktool's own sends are signed with it: a mismatch says nothing about a delivery
      // signed with a real secret, so it is not called invalid.
      if (signed_ || verdict.status == model::VerdictStatus::invalid)
        return {model::VerdictStatus::unverified,
                no_secret + "; the development secret does not match (" + verdict.reason + ")"};
      return verdict;
    }
  }
  if (signed_)
    return {model::VerdictStatus::unverified, no_secret};
  return provider.verify(view, params);
}

void Inspector::judge_handshake(const providers::Provider& provider, const model::HttpRequest& req,
                                const std::optional<std::string>& secret,
                                core::CaptureRecord& r) const {
  auto answer = provider.handshake_answer(req, secret.value_or(""));
  if (!answer)
    return;
  core::HandshakeInfo h;
  const auto status = r.verification.status;
  if (!config_.answer_handshakes) {
    h.note = "passed on (--no-handshake)";
  } else if (status == model::VerdictStatus::valid) {
    h.answered = true;
    h.status = answer->status;
    h.content_type = std::move(answer->content_type);
    h.body = std::move(answer->body);
  } else if (status == model::VerdictStatus::unverified) {
    h.note = "not answered: no secret to check its signature with, passed on like any delivery";
  } else {
    // What the providers require of the endpoint: refuse a verification request that is not
    // theirs (Discord sends invalid ones on purpose and wants 401).
    h.status = 401;
    h.note = "refused 401: signature " + std::string(model::to_string(status));
  }
  r.handshake = std::move(h);
}

core::CaptureRecord Inspector::inspect(net::IncomingRequest&& req) const {
  core::CaptureRecord r;
  r.id = core::new_capture_id();
  r.received_at_ms = util::now_ms();
  const auto* provider = provider_for(req.headers, req.body);
  model::HttpRequest view;
  view.method = req.method;
  view.url = req.target;
  view.headers = std::move(req.headers);
  view.body = std::move(req.body);
  if (provider == nullptr) {
    r.verification = {model::VerdictStatus::unsigned_, "no known provider's headers"};
  } else {
    r.provider = std::string(provider->id());
    const auto info = provider->event_info(view);
    r.event_type = info.type;
    r.event_id = info.id;
    providers::VerifyParams params;
    const auto family = std::string(providers::secret_family(provider->id()));
    if (const auto it = config_.secrets.find(family); it != config_.secrets.end())
      params.secret = it->second;
    else if (config_.bare_secret)
      params.secret = config_.bare_secret;
    params.tolerance = config_.tolerance;
    params.now = r.received_at_ms / 1000;
    params.urls = signed_urls(req.target, view.headers, req.tls);
    r.verification = verify(*provider, view, params);
    judge_handshake(*provider, view, params.secret, r);
  }
  r.method = std::move(req.method);
  r.path = std::move(req.path);
  r.query = std::move(req.query);
  r.headers = std::move(view.headers);
  r.body = std::move(view.body);
  r.remote = std::move(req.remote);
  return r;
}

} // namespace hooktool::listen
