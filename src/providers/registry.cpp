#include "providers/registry.hpp"

#include "providers/github.hpp"
#include "providers/shopify.hpp"
#include "providers/slack.hpp"
#include "providers/standard.hpp"
#include "providers/stripe.hpp"
#include "providers/twilio.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <array>

namespace hooktool::providers {

namespace {
constexpr std::array<std::string_view, 8> kIds{"stripe", "github",   "shopify", "twilio",
                                               "slack",  "standard", "svix",    "generic"};
} // namespace

std::span<const std::string_view> provider_ids() noexcept {
  return kIds;
}

std::unique_ptr<Provider> make_provider(std::string_view id, const GenericConfig& config) {
  if (id == "stripe")
    return std::make_unique<StripeProvider>();
  if (id == "github")
    return std::make_unique<GithubProvider>();
  if (id == "shopify")
    return std::make_unique<ShopifyProvider>();
  if (id == "twilio")
    return std::make_unique<TwilioProvider>();
  if (id == "slack")
    return std::make_unique<SlackProvider>();
  if (id == "standard")
    return std::make_unique<StandardProvider>(StandardFlavor::standard);
  if (id == "svix")
    return std::make_unique<StandardProvider>(StandardFlavor::svix);
  if (id == "generic")
    return std::make_unique<GenericProvider>(config);
  return nullptr;
}

std::unique_ptr<Provider> require_provider(std::string_view id, const GenericConfig& config) {
  if (auto p = make_provider(id, config))
    return p;
  std::string known;
  std::vector<std::string> names;
  for (const auto k : kIds) {
    known += (known.empty() ? "" : ", ") + std::string(k);
    names.emplace_back(k);
  }
  throw usage_error("unknown provider '" + std::string(id) + "'" + util::did_you_mean(id, names) +
                    "; known: " + known);
}

std::unique_ptr<Provider> detect_provider(const core::Headers& headers) {
  for (const auto id : kIds) {
    if (id == "generic")
      continue;
    auto p = make_provider(id);
    if (p->detect(headers))
      return p;
  }
  return nullptr;
}

std::string_view secret_family(std::string_view id) noexcept {
  return id == "svix" ? "standard" : id;
}

std::string_view fixture_family(std::string_view id) noexcept {
  return id == "svix" ? "standard" : id;
}

} // namespace hooktool::providers
