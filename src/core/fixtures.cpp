#include "core/fixtures.hpp"

#include "core/embedded_fixtures.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <set>

namespace hooktool::core {

namespace fs = std::filesystem;

bool parse_fixture_path(std::string_view relative, Fixture& out) {
  const auto slash = relative.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return false;
  auto rest = relative.substr(slash + 1);
  if (rest.ends_with(".json")) {
    out.format = providers::BodyFormat::json;
    rest.remove_suffix(5);
  } else if (rest.ends_with(".form")) {
    out.format = providers::BodyFormat::form;
    rest.remove_suffix(5);
  } else {
    return false;
  }
  if (rest.empty() || rest.starts_with("scenarios/"))
    return false;
  out.provider = std::string(relative.substr(0, slash));
  out.event = std::string(rest);
  return true;
}

FixtureMatch match_fixtures(const std::vector<Fixture>& list, std::string_view query) {
  FixtureMatch out;
  for (const auto& f : list)
    if (f.event == query) {
      out.exact = true;
      out.fixtures.push_back(f);
      return out;
    }
  const bool glob = query.find_first_of("*?[") != std::string_view::npos;
  for (const auto& f : list) {
    const std::string_view e = f.event;
    const bool in_group = e.size() > query.size() && e.starts_with(query) &&
                          (e[query.size()] == '.' || e[query.size()] == '/');
    if (glob ? util::glob_match(query, e) : in_group)
      out.fixtures.push_back(f);
  }
  return out;
}

std::vector<std::string> fixture_query_names(const std::vector<Fixture>& list) {
  std::set<std::string> names;
  for (const auto& f : list) {
    names.insert(f.event);
    const auto cut = f.event.find_first_of("./");
    if (cut != std::string::npos && cut > 0)
      names.insert(f.event.substr(0, cut));
  }
  return {names.begin(), names.end()};
}

fs::path installed_fixture_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty())
    return {};
  auto dir = exe.parent_path().parent_path() / "share" / "hooktool" / "fixtures";
  return fs::is_directory(dir, ec) ? dir : fs::path();
}

FixtureStore::FixtureStore(std::vector<fs::path> user_dirs, fs::path installed_dir)
    : user_dirs_(std::move(user_dirs)), installed_dir_(std::move(installed_dir)) {
  for (const auto& dir : user_dirs_) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw usage_error("--fixtures " + dir.string() + ": not a directory");
  }
}

std::vector<Fixture> FixtureStore::list(std::string_view provider) const {
  std::vector<Fixture> out;
  std::set<std::pair<std::string, std::string>> seen;
  const auto add = [&](std::string_view rel, std::string origin, bool installed) {
    Fixture f;
    if (!parse_fixture_path(rel, f) || (!provider.empty() && f.provider != provider))
      return;
    if (seen.emplace(f.provider, f.event).second) {
      f.origin = std::move(origin);
      f.installed = installed;
      out.push_back(std::move(f));
    }
  };
  const auto add_dir = [&](const fs::path& dir, bool installed) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec))
        continue;
      const auto rel = fs::relative(it->path(), dir, ec).generic_string();
      add(rel, it->path().string(), installed);
    }
  };
  for (const auto& dir : user_dirs_)
    add_dir(dir, false);
  if (!installed_dir_.empty())
    add_dir(installed_dir_, true);
  for (const auto& e : embedded_fixtures())
    add(e.path, "built-in", false);
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) {
    return std::tie(a.provider, a.event) < std::tie(b.provider, b.event);
  });
  return out;
}

Fixture FixtureStore::load(std::string_view provider, std::string_view event) const {
  if (event.empty() || event.find("..") != std::string_view::npos || event.front() == '/')
    throw usage_error("invalid event name '" + std::string(event) + "'");
  for (const auto& f : list(provider)) {
    if (f.event != event)
      continue;
    Fixture out = f;
    if (f.origin == "built-in") {
      const auto suffix = f.format == providers::BodyFormat::json ? ".json" : ".form";
      const auto path = f.provider + "/" + f.event + suffix;
      for (const auto& e : embedded_fixtures())
        if (e.path == path)
          out.text = std::string(e.data);
    } else {
      out.text = util::read_file(f.origin);
    }
    return out;
  }
  std::string known;
  std::vector<std::string> names;
  for (const auto& f : list(provider)) {
    known += (known.empty() ? "" : ", ") + f.event;
    names.push_back(f.event);
  }
  if (known.empty())
    throw usage_error("no fixtures for provider '" + std::string(provider) + "'");
  throw usage_error("unknown " + std::string(provider) + " event '" + std::string(event) + "'" +
                    util::did_you_mean(event, names) + "; known: " + known + " (or give --data)");
}

} // namespace hooktool::core
