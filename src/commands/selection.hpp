#pragma once

#include "commands/cli_fwd.hpp"
#include "core/delivery_source.hpp"
#include "providers/generic.hpp"

#include <deque>
#include <string>
#include <vector>

namespace hooktool::commands {

// Flags that pick deliveries out of a capture or HAR file (replay, export).
struct SelectionFlags {
  std::vector<std::string> ids;
  std::string event;
  std::string provider;
  long long last = 0;
  std::string since;
  std::string until;
  bool skip_bad = false;
};

// Adds --id, --event, --provider, --last, --since, --until and --skip-bad.
void add_selection_options(CLI::App& cmd, SelectionFlags& flags);

// The deliveries picked in a first pass over the whole file.
struct Selection {
  std::deque<core::SourcePosition> picked;
  std::size_t total = 0; // well-formed deliveries read
  std::size_t bad = 0;   // malformed ones skipped (--skip-bad)
};

// Reads every delivery (so a malformed one stops everything before anything is sent, unless
// --skip-bad) and keeps the positions of those that match. Usage error on bad flags.
Selection select_deliveries(core::DeliverySource& source, const SelectionFlags& flags,
                            const providers::GenericConfig& generic);

} // namespace hooktool::commands
