// The registry is the one list of providers: every registered provider comes with everything
// a provider needs (fixtures, a default event that exists, a README row), no code outside
// src/providers/ names a provider id, and each folder includes only its own layer or lower.
#include "core/fixtures.hpp"
#include "providers/registry.hpp"
#include "util/files.hpp"

#include <algorithm>
#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace hooktool;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = HOOKTOOL_SOURCE_DIR;

// The Providers section of the README: from its heading to the next one.
std::string readme_providers_section() {
  const auto readme = util::read_file(kSource / "README.md");
  const auto start = readme.find("\n## Providers");
  EXPECT_NE(start, std::string::npos) << "README has no '## Providers' section";
  const auto end = readme.find("\n## ", start + 1);
  return readme.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::vector<fs::path> sources_under(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".cpp" || e.path().extension() == ".hpp"))
      out.push_back(e.path());
  return out;
}

} // namespace

TEST(Registry, IdsAreUniqueLowercaseAndAliasesResolve) {
  std::set<std::string> seen;
  for (const auto& e : providers::registry()) {
    EXPECT_TRUE(std::regex_match(std::string(e.id), std::regex("[a-z][a-z0-9-]*"))) << e.id;
    EXPECT_TRUE(seen.insert(std::string(e.id)).second) << "duplicate id " << e.id;
    for (const auto alias : e.aliases) {
      EXPECT_TRUE(seen.insert(std::string(alias)).second) << "duplicate alias " << alias;
      EXPECT_EQ(providers::canonical_id(alias), e.id);
      EXPECT_EQ(providers::make_provider(alias)->id(), e.id);
    }
    EXPECT_EQ(providers::make_provider(e.id)->id(), e.id) << "the factory makes another provider";
  }
}

TEST(Registry, EveryProviderHasFixturesADefaultEventAndADescription) {
  const core::FixtureStore store({}, {}); // built-in fixtures only
  for (const auto& p : providers::all_providers()) {
    SCOPED_TRACE(std::string(p->id()));
    EXPECT_FALSE(p->description().empty());
    EXPECT_FALSE(store.list(p->fixture_family()).empty()) << "no fixtures";
    EXPECT_NO_THROW((void)store.load(p->fixture_family(), p->default_event()))
        << "default event " << p->default_event() << " has no fixture";
    EXPECT_GT(p->delivery_timeout_s(), 0);
    // Schemes that sign inside the body (Mailgun, Adyen) have no signature header.
    if (!p->signature_headers().empty()) {
      const auto all = p->signature_headers();
      EXPECT_NE(std::find(all.begin(), all.end(), p->signature_header()), all.end());
    }
  }
}

TEST(Registry, EveryProviderHasAReadmeRow) {
  const auto section = readme_providers_section();
  for (const auto id : providers::provider_ids())
    EXPECT_NE(section.find("`" + std::string(id) + "`"), std::string::npos)
        << id << " has no row in the README's Providers table";
}

// Issue 14's "Done when": the table lists every scheme with its window and key format. Each
// provider's row (its id in the first cell) has a scheme, a window that says what the code
// enforces (none; N s into the past; ±N s) and a key format.
TEST(Registry, EveryReadmeRowStatesTheWindowTheCodeEnforcesAndTheKeyFormat) {
  std::map<std::string, std::vector<std::string>> rows; // id -> scheme, window, key format
  std::istringstream lines(readme_providers_section());
  for (std::string line; std::getline(lines, line) && !line.starts_with("### ");) {
    if (!line.starts_with("| `"))
      continue;
    std::vector<std::string> cells;
    std::size_t at = 1;
    for (auto bar = line.find(" | ", at); bar != std::string::npos; bar = line.find(" | ", at)) {
      cells.push_back(line.substr(at, bar - at));
      at = bar + 3;
    }
    if (line.ends_with(" |"))
      cells.push_back(line.substr(at, line.size() - 2 - at));
    ASSERT_EQ(cells.size(), 4u) << line;
    static const std::regex kId("`([a-z0-9-]+)`");
    for (std::sregex_iterator it(cells[0].begin(), cells[0].end(), kId), end; it != end; ++it)
      rows[(*it)[1].str()] = {cells[1], cells[2], cells[3]};
  }
  for (const auto& p : providers::all_providers()) {
    const std::string id(p->id());
    SCOPED_TRACE(id);
    ASSERT_TRUE(rows.contains(id)) << "no row with `" << id << "` in its first cell";
    const auto& row = rows[id];
    EXPECT_GT(row[0].size(), 10u) << "scheme";
    EXPECT_GT(row[2].size(), 3u) << "key format";
    const auto& window = row[1];
    const auto n = std::to_string(p->default_tolerance());
    switch (p->window()) {
    case providers::Window::none:
      EXPECT_NE(window.find("none"), std::string::npos) << window;
      break;
    case providers::Window::past:
      EXPECT_NE(window.find(n + " s into the past"), std::string::npos) << window;
      break;
    case providers::Window::past_and_future:
      EXPECT_NE(window.find("±" + n + " s"), std::string::npos) << window;
      break;
    }
  }
}

// Issue 14: at least 4 real-shaped events per provider, the ones handlers most need. Typeform
// is the one below: its webhooks carry two event types, form_response and
// form_response_partial (the event_types of Typeform's "Create or update webhook", PUT
// /forms/{form_id}/webhooks/{tag}), and a fixture is named by the event type it carries.
TEST(Registry, EveryProviderHasAtLeastFourEvents) {
  const core::FixtureStore store({}, {}); // built-in fixtures only
  const std::map<std::string, std::size_t> fewer{{"typeform", 2}};
  for (const auto& p : providers::all_providers()) {
    const std::string id(p->id());
    const auto it = fewer.find(id);
    EXPECT_GE(store.list(p->fixture_family()).size(), it == fewer.end() ? 4u : it->second) << id;
  }
}

// Provider knowledge lives in src/providers/: nothing else compares against a provider id.
TEST(Registry, NoCodeOutsideProvidersNamesAProviderId) {
  std::vector<std::string> offenders;
  for (const auto& file : sources_under(kSource / "src")) {
    const auto rel = fs::relative(file, kSource / "src").generic_string();
    if (rel.starts_with("providers/"))
      continue;
    const auto text = util::read_file(file);
    for (const auto id : providers::provider_ids()) {
      const auto quoted = "\"" + std::string(id) + "\"";
      if (text.find(quoted) != std::string::npos)
        offenders.push_back(rel + " names " + quoted);
    }
  }
  EXPECT_TRUE(offenders.empty()) << ::testing::PrintToString(offenders);
}

// Each folder is a library in a layer (CMakeLists.txt); a header from a higher layer must not
// be included from a lower one.
TEST(Layering, IncludesOnlyGoDown) {
  const std::vector<std::string> layers{"util", "model",  "crypto", "providers", "core",    "net",
                                        "ui",   "listen", "webui",  "check",     "commands"};
  std::map<std::string, std::size_t> rank;
  for (std::size_t i = 0; i < layers.size(); ++i)
    rank[layers[i]] = i;
  const std::regex include(R"re(#include "([a-z_]+)/)re");
  std::vector<std::string> offenders;
  for (const auto& layer : layers) {
    for (const auto& file : sources_under(kSource / "src" / layer)) {
      const auto text = util::read_file(file);
      for (std::sregex_iterator it(text.begin(), text.end(), include), end; it != end; ++it) {
        const auto target = (*it)[1].str();
        if (rank.contains(target) && rank[target] > rank[layer])
          offenders.push_back(fs::relative(file, kSource).generic_string() + " includes " + target +
                              "/");
      }
    }
  }
  EXPECT_TRUE(offenders.empty()) << ::testing::PrintToString(offenders);
}
