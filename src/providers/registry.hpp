#pragma once

#include "providers/generic.hpp"
#include "providers/provider.hpp"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::providers {

// What a factory may need: generic takes its scheme from the --generic-* flags.
struct ProviderOptions {
  GenericConfig generic;
};

// One registered provider: its id, other names it answers to, and how to make it.
struct ProviderEntry {
  std::string_view id;
  std::span<const std::string_view> aliases;
  std::unique_ptr<Provider> (*make)(const ProviderOptions& options);
};

// Every registered provider, in display order.
std::span<const ProviderEntry> registry() noexcept;
// Every provider id hooktool knows, in display order.
std::span<const std::string_view> provider_ids() noexcept;
// Every provider id joined with ", ", for help texts and errors.
std::string joined_ids();
// The registered id that id names (an id or an alias), or empty when none.
std::string_view canonical_id(std::string_view id) noexcept;
// The provider named id (or an alias), or nullptr when there is none.
std::unique_ptr<Provider> make_provider(std::string_view id, const GenericConfig& config = {});
// make_provider, but an unknown id is a usage error with a did-you-mean and the known ids.
std::unique_ptr<Provider> require_provider(std::string_view id, const GenericConfig& config = {});
// One instance of every provider, in display order (generic with default settings).
const std::vector<std::unique_ptr<Provider>>& all_providers();
// The provider whose headers these are, or nullptr (providers that cannot be recognised by
// their headers, such as generic, are never guessed); with the body, told_apart() from the
// providers that send the same headers.
const Provider* detect_provider(const model::Headers& headers, std::string_view body = {});
// Providers that send another's headers (Resend and Clerk send Svix's) cannot be detected by
// them: after `detected` matched the headers, the one chosen among it and the providers with its
// signature header that claim bodies is the only one holding a secret (has_secret(family)),
// else the one whose body shape this is (claims_body), else `detected`.
const Provider& told_apart(const Provider& detected,
                           const std::vector<std::unique_ptr<Provider>>& providers,
                           std::string_view body,
                           const std::function<bool(std::string_view family)>& has_secret = {});
// The id under which a secret for this provider is looked up (svix shares standard's).
std::string_view secret_family(std::string_view id) noexcept;
// The directory name that holds this provider's fixtures (svix uses standard's).
std::string_view fixture_family(std::string_view id) noexcept;

} // namespace hooktool::providers
