#pragma once

#include "providers/provider.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::core {

// One fixture file, built in or from a user directory.
struct Fixture {
  std::string provider; // fixture family: a provider id, or the family it shares
  std::string event;    // "invoice.paid", "orders/create"
  providers::BodyFormat format = providers::BodyFormat::json;
  std::string origin;     // "built-in" or the file's path
  bool installed = false; // from the installed data directory (share/hooktool/fixtures)
  std::string text;       // the template, unrendered
};

// The installed fixtures beside the running binary: <prefix>/share/hooktool/fixtures for
// <prefix>/bin/hooktool; empty when there is no such directory (a build tree).
std::filesystem::path installed_fixture_dir();

// Finds fixtures: user directories first (in order), then the installed data directory (so an
// edited or added installed fixture is used), then the ones built into the binary.
class FixtureStore {
public:
  explicit FixtureStore(std::vector<std::filesystem::path> user_dirs = {},
                        std::filesystem::path installed_dir = installed_fixture_dir());

  // Every fixture of a provider (or of all when provider is empty), text not loaded, sorted.
  [[nodiscard]] std::vector<Fixture> list(std::string_view provider = {}) const;
  // The fixture for provider/event; a usage error naming the known events when there is none.
  [[nodiscard]] Fixture load(std::string_view provider, std::string_view event) const;

private:
  std::vector<std::filesystem::path> user_dirs_;
  std::filesystem::path installed_dir_;
};

// Splits "stripe/invoice.paid.json" into a Fixture (text empty); false for other files, and
// for the scenario data files in a provider's scenarios/ folder, which are not events.
bool parse_fixture_path(std::string_view relative, Fixture& out);

// The fixtures of a list that a query names.
struct FixtureMatch {
  bool exact = false;              // the query is an event name: fixtures holds that one
  std::vector<Fixture> fixtures{}; // the event, or those the query matches
};

// Resolves `fixtures PROVIDER QUERY`: an event named exactly; else a glob ('*', '?', '[...]',
// as util::glob_match) over event names; else a group: "pull_request" gives every
// "pull_request.<action>", "orders" every "orders/<topic>". Empty when nothing matches.
FixtureMatch match_fixtures(const std::vector<Fixture>& list, std::string_view query);

// The names a query could have meant, for a did-you-mean: every event and every group
// (the part before the first '.' or '/').
std::vector<std::string> fixture_query_names(const std::vector<Fixture>& list);

} // namespace hooktool::core
