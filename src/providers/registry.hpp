#pragma once

#include "providers/generic.hpp"
#include "providers/provider.hpp"

#include <memory>
#include <span>
#include <string_view>

namespace hooktool::providers {

// Every provider id hooktool knows, in display order ("svix" is Standard Webhooks' alias).
std::span<const std::string_view> provider_ids() noexcept;
// The provider named id, or nullptr when there is none; generic takes its scheme from config.
std::unique_ptr<Provider> make_provider(std::string_view id, const GenericConfig& config = {});
// make_provider, but an unknown id is a usage error that lists the known ones.
std::unique_ptr<Provider> require_provider(std::string_view id, const GenericConfig& config = {});
// The provider whose headers these are, or nullptr (generic is never guessed).
std::unique_ptr<Provider> detect_provider(const core::Headers& headers);
// The id under which a secret for this provider is looked up (svix shares standard's).
std::string_view secret_family(std::string_view id) noexcept;
// The directory name that holds this provider's fixtures (svix uses standard's).
std::string_view fixture_family(std::string_view id) noexcept;

} // namespace hooktool::providers
