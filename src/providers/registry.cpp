#include "providers/registry.hpp"

#include "providers/adyen.hpp"
#include "providers/bitbucket.hpp"
#include "providers/calendly.hpp"
#include "providers/clerk.hpp"
#include "providers/coinbase.hpp"
#include "providers/discord.hpp"
#include "providers/github.hpp"
#include "providers/gitlab.hpp"
#include "providers/hubspot.hpp"
#include "providers/intercom.hpp"
#include "providers/linear.hpp"
#include "providers/mailgun.hpp"
#include "providers/mux.hpp"
#include "providers/openai.hpp"
#include "providers/paddle.hpp"
#include "providers/razorpay.hpp"
#include "providers/resend.hpp"
#include "providers/sendgrid.hpp"
#include "providers/sentry.hpp"
#include "providers/shopify.hpp"
#include "providers/slack.hpp"
#include "providers/square.hpp"
#include "providers/standard.hpp"
#include "providers/stripe.hpp"
#include "providers/twilio.hpp"
#include "providers/twitch.hpp"
#include "providers/typeform.hpp"
#include "providers/vercel.hpp"
#include "providers/woocommerce.hpp"
#include "providers/workos.hpp"
#include "providers/zoom.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <array>

namespace hooktool::providers {

namespace {

template <class P> std::unique_ptr<Provider> make(const ProviderOptions& /*options*/) {
  return std::make_unique<P>();
}

std::unique_ptr<Provider> make_standard(const ProviderOptions& /*options*/) {
  return std::make_unique<StandardProvider>(StandardFlavor::standard);
}

std::unique_ptr<Provider> make_svix(const ProviderOptions& /*options*/) {
  return std::make_unique<StandardProvider>(StandardFlavor::svix);
}

template <const StandardFlavour& (*Flavour)()>
std::unique_ptr<Provider> make_flavour(const ProviderOptions& /*options*/) {
  return std::make_unique<StandardProvider>(Flavour());
}

std::unique_ptr<Provider> make_generic(const ProviderOptions& options) {
  return std::make_unique<GenericProvider>(options.generic);
}

constexpr std::array<std::string_view, 1> kStandardAliases{"standard-webhooks"};

// The one list of providers: display order, and the order auto-detection tries them in (a
// provider whose headers are a subset of another's must come after it).
constexpr std::array kRegistry{
    ProviderEntry{"stripe", {}, make<StripeProvider>},
    ProviderEntry{"github", {}, make<GithubProvider>},
    ProviderEntry{"shopify", {}, make<ShopifyProvider>},
    ProviderEntry{"twilio", {}, make<TwilioProvider>},
    ProviderEntry{"slack", {}, make<SlackProvider>},
    ProviderEntry{"gitlab", {}, make<GitlabProvider>}, // before standard: webhook-* headers too
    ProviderEntry{"openai", {}, make_flavour<openai_flavour>}, // webhook-*, before standard
    ProviderEntry{"standard", kStandardAliases, make_standard},
    ProviderEntry{"svix", {}, make_svix},
    ProviderEntry{"discord", {}, make<DiscordProvider>},
    ProviderEntry{"sendgrid", {}, make<SendgridProvider>},
    ProviderEntry{"resend", {}, make_flavour<resend_flavour>}, // svix-*: told apart
    ProviderEntry{"clerk", {}, make_flavour<clerk_flavour>},   // svix-*: told apart
    ProviderEntry{"square", {}, make<SquareProvider>},
    ProviderEntry{"razorpay", {}, make<RazorpayProvider>},
    ProviderEntry{"coinbase", {}, make<CoinbaseProvider>},
    ProviderEntry{"typeform", {}, make<TypeformProvider>},
    ProviderEntry{"bitbucket", {}, make<BitbucketProvider>},
    ProviderEntry{"intercom", {}, make<IntercomProvider>},
    ProviderEntry{"woocommerce", {}, make<WoocommerceProvider>},
    ProviderEntry{"vercel", {}, make<VercelProvider>},
    ProviderEntry{"sentry", {}, make<SentryProvider>},
    ProviderEntry{"paddle", {}, make<PaddleProvider>},
    ProviderEntry{"linear", {}, make<LinearProvider>},
    ProviderEntry{"hubspot", {}, make<HubspotProvider>},
    ProviderEntry{"workos", {}, make<WorkosProvider>},
    ProviderEntry{"mux", {}, make<MuxProvider>},
    ProviderEntry{"calendly", {}, make<CalendlyProvider>},
    ProviderEntry{"zoom", {}, make<ZoomProvider>},
    ProviderEntry{"twitch", {}, make<TwitchProvider>},
    ProviderEntry{"mailgun", {}, make<MailgunProvider>},
    ProviderEntry{"adyen", {}, make<AdyenProvider>},
    ProviderEntry{"generic", {}, make_generic},
};

constexpr auto kIds = [] {
  std::array<std::string_view, kRegistry.size()> ids{};
  for (std::size_t i = 0; i < kRegistry.size(); ++i)
    ids[i] = kRegistry[i].id;
  return ids;
}();

const ProviderEntry* find_entry(std::string_view id) noexcept {
  for (const auto& e : kRegistry) {
    if (e.id == id)
      return &e;
    for (const auto alias : e.aliases)
      if (alias == id)
        return &e;
  }
  return nullptr;
}

} // namespace

std::span<const ProviderEntry> registry() noexcept {
  return kRegistry;
}

std::span<const std::string_view> provider_ids() noexcept {
  return kIds;
}

std::string joined_ids() {
  std::string out;
  for (const auto id : kIds)
    out += (out.empty() ? "" : ", ") + std::string(id);
  return out;
}

std::string_view canonical_id(std::string_view id) noexcept {
  const auto* e = find_entry(id);
  return e != nullptr ? e->id : std::string_view{};
}

std::unique_ptr<Provider> make_provider(std::string_view id, const GenericConfig& config) {
  const auto* e = find_entry(id);
  if (e == nullptr)
    return nullptr;
  return e->make(ProviderOptions{config});
}

std::unique_ptr<Provider> require_provider(std::string_view id, const GenericConfig& config) {
  if (auto p = make_provider(id, config))
    return p;
  const std::vector<std::string> names(kIds.begin(), kIds.end());
  throw usage_error("unknown provider '" + util::printable(id.substr(0, 64)) + "'" +
                    util::did_you_mean(id, names) + "; known: " + joined_ids());
}

const std::vector<std::unique_ptr<Provider>>& all_providers() {
  static const auto providers = [] {
    std::vector<std::unique_ptr<Provider>> out;
    out.reserve(kRegistry.size());
    for (const auto& e : kRegistry)
      out.push_back(e.make(ProviderOptions{}));
    return out;
  }();
  return providers;
}

const Provider* detect_provider(const model::Headers& headers, std::string_view body) {
  for (const auto& p : all_providers())
    if (p->detect(headers))
      return &told_apart(*p, all_providers(), body);
  return nullptr;
}

const Provider& told_apart(const Provider& detected,
                           const std::vector<std::unique_ptr<Provider>>& providers,
                           std::string_view body,
                           const std::function<bool(std::string_view family)>& has_secret) {
  std::vector<const Provider*> siblings;
  for (const auto& p : providers)
    if (p.get() != &detected && p->known_by_body() &&
        p->signature_header() == detected.signature_header())
      siblings.push_back(p.get());
  if (siblings.empty())
    return detected;
  if (has_secret) {
    const Provider* only = has_secret(detected.secret_family()) ? &detected : nullptr;
    int holders = only != nullptr ? 1 : 0;
    for (const auto* p : siblings)
      if (has_secret(p->secret_family())) {
        only = p;
        ++holders;
      }
    if (holders == 1)
      return *only;
  }
  for (const auto* p : siblings)
    if (p->claims_body(body))
      return *p;
  return detected;
}

namespace {

// The provider object registered as id (or one of its aliases), or null: all_providers() is in
// registry order, so the entry's index names it (no scan of every provider per lookup; listen
// asks this several times per delivery).
const Provider* registered(std::string_view id) {
  const auto* e = find_entry(id);
  return e == nullptr ? nullptr
                      : all_providers()[static_cast<std::size_t>(e - kRegistry.data())].get();
}

} // namespace

std::string_view secret_family(std::string_view id) noexcept {
  const auto* p = registered(id);
  return p != nullptr ? p->secret_family() : id;
}

std::string_view fixture_family(std::string_view id) noexcept {
  const auto* p = registered(id);
  return p != nullptr ? p->fixture_family() : id;
}

} // namespace hooktool::providers
