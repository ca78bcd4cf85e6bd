#pragma once

#include "commands/cli_fwd.hpp"
#include "commands/common.hpp"
#include "core/settings.hpp"

#include <string>
#include <vector>

namespace hooktool::commands {

// `hooktool listen` options as typed.
struct ListenOptions {
  std::string host = "127.0.0.1";
  int port = 9000;
  std::string provider;
  core::SecretFlags secret; // --secret, --secret-file
  long long tolerance = -1;
  std::string public_url;
  bool quiet = false;
  bool brief = false; // -b: summary, key headers, body preview
  bool json = false;
  std::vector<std::string> events;          // --events: display filters
  std::vector<std::string> forward_headers; // --forward-header 'Name: value'
  std::string capture;
  bool fsync = false;
  int status = 200;
  long long delay_ms = 0;
  double fail_rate = 0;
  int fail_status = 0; // --fail-status: 0 means not given (500)
  long long seed = -1;
  std::string response_body;
  std::vector<std::string> response_headers; // --response-header 'K: V'
  std::vector<std::string> forward_to;
  std::string forward_where; // "PATH:LINE" when the routes come from a config file
  double forward_timeout_s = 30;
  bool tls = false;
  std::string tls_cert;
  std::string tls_key;
  long long count = 0;
  double timeout_s = 0;
  bool require_valid = false;
  bool no_handshake = false; // --no-handshake: pass endpoint verifications on
  long long max_body = 10LL << 20;
  int workers = 64;
  std::string host_header = "keep"; // --host-header: keep or rewrite
  bool ui = false;                  // --ui: the web inspector
  int ui_port = 4040;               // --ui-port
  std::string ready_file;           // --ready-file: written once listening
  GenericFlags generic;
};

// Adds the `listen` subcommand.
CLI::App* register_listen(CLI::App& app, ListenOptions& options);
// Runs the inspector until --count, --timeout or a signal; returns the exit code.
int run_listen(const ListenOptions& options, const core::Settings& settings);

} // namespace hooktool::commands
