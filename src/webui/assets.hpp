#pragma once

#include <optional>
#include <string_view>

namespace hooktool::webui {

// A file of the page (src/webui/assets/), compiled into the binary (cmake/embed_assets.cmake).
struct Asset {
  std::string_view name; // "index.html", "app.js", …
  std::string_view data;
};

// The embedded asset with this name.
std::optional<Asset> find_asset(std::string_view name);

} // namespace hooktool::webui
