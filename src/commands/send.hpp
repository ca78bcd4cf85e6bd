#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/common.hpp"
#include "core/settings.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool send` options as typed.
struct SendOptions {
  std::string provider;
  std::string event;
  std::string to;
  core::SecretFlags secret; // --secret, --secret-file
  std::vector<std::string> headers;
  double timeout_s = 30;
  bool insecure = false;
  bool location = false;
  std::string expect;
  bool json = false;
  bool verbose = false; // -v: print each response (status line, headers, body)
  int duplicate = 1;
  std::string tamper;
  long long age_s = 0;
  int retries = 0;
  std::string backoff = "1s";
  bool dry_run = false;
  std::string save;
  std::vector<std::string> sets;
  std::vector<std::string> set_news; // --set-new: may add keys
  std::string data;
  std::vector<std::string> fixture_dirs;
  std::string signing_url;
  long long count = 0; // load mode
  int concurrency = 1;
  double rate = 0;
  double duration_s = 0;
  bool same_payload = false;
  int threads = 0;                 // --threads: the load engine's I/O threads; 0: its default
  double wait_for_listener_s = 0;  // --wait-for-listener: 0 sends at once
  std::string scenario;            // --scenario NAME: a sequence of events instead of one
  long long scenario_gap_ms = 250; // the longest wait between two events of a scenario
  GenericFlags generic;
};

// Adds the `send` subcommand.
CLI::App* register_send(CLI::App& app, SendOptions& options);
// Runs it; returns the exit code.
int run_send(const SendOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
