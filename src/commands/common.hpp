#pragma once

#include "commands/cli_fwd.hpp"
#include "core/settings.hpp"
#include "model/http.hpp"
#include "net/http_client.hpp"
#include "providers/generic.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hooktool::commands {

// --generic-* flags as typed.
struct GenericFlags {
  std::string header = "X-Signature";
  std::string algo = "sha256";
  std::string encoding = "hex";
  std::string prefix;
  std::string sign = "body";
  std::string timestamp_header = "X-Timestamp";
  std::string separator = ".";
  std::vector<std::string> given; // the --generic-* flags on the command line, as typed
};

// Makes every repeatable option take one value per occurrence (`--secret a b` is not two secrets),
// so positionals may follow it. Call after all options are added.
void one_value_per_flag(CLI::App& app);
// Adds the --generic-* flags to a subcommand.
void add_generic_options(CLI::App& app, GenericFlags& flags);
// Validates the flags into a scheme; usage error on a bad algorithm, encoding or mode.
providers::GenericConfig to_config(const GenericFlags& flags);
// A usage error when --generic-* flags were given but `provider` does not take its scheme
// from them (they would change nothing); `where` says how the provider was chosen.
void check_generic_flags_apply(const GenericFlags& flags, const providers::Provider* provider,
                               const std::string& where);

// Adds --secret (repeatable: provider=SECRET or a bare secret) and --secret-file (repeatable)
// to a subcommand, in one wording for every command.
void add_secret_options(CLI::App& app, core::SecretFlags& flags, const std::string& purpose);
// Secret shown to a human: first characters, then an ellipsis and the length.
std::string redact(std::string_view secret);

// An --expect rule: a class ("2xx") or exact codes.
struct Expectation {
  int klass = 2;          // 1..5 when a class, 0 when exact codes
  std::vector<int> codes; // exact codes
  [[nodiscard]] bool matches(int status) const noexcept;
  [[nodiscard]] std::string describe() const;
};
// Parses "2xx", "4xx", "202", "200,204"; usage error otherwise.
Expectation parse_expect(std::string_view text);

// -v/--verbose: a response on stdout as it came back (status line, headers, body), each line
// after `indent`; a transport error as its message.
void print_response(const net::HttpResponse& response, const std::string& indent = "");
// Adds -v/--verbose ("Print each response: status line, headers and body").
void add_verbose_flag(CLI::App& app, bool& verbose);

// Parses each -H 'Name: value' (flag names the option in errors); usage error on a malformed
// one, a name that is not an HTTP token, or a value with CR, LF or NUL (core::header_problem:
// what the capture reader would refuse is refused before anything is sent).
model::Headers parse_headers(const std::vector<std::string>& lines, std::string_view flag = "-H");

} // namespace hooktool::commands
