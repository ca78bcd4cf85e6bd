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
#include <string>

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
