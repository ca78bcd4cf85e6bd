#include "commands/common.hpp"

#include "core/capture.hpp"
#include "core/config.hpp"
#include "providers/registry.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

namespace hooktool::commands {

void one_value_per_flag(CLI::App& app) {
  for (auto* opt : app.get_options())
    if (opt->get_items_expected_max() > 1)
      opt->allow_extra_args(false);
}

void add_generic_options(CLI::App& app, GenericFlags& f) {
  const auto track = [&f](CLI::Option* opt) {
    opt->each([&f, name = opt->get_name()](const std::string&) { f.given.push_back(name); });
  };
  track(app.add_option("--generic-header", f.header, "generic: signature header name")
            ->capture_default_str()
            ->group("Generic scheme"));
  track(app.add_option("--generic-algo", f.algo, "generic: sha1, sha256 or sha512")
            ->capture_default_str()
            ->group("Generic scheme"));
  track(app.add_option("--generic-encoding", f.encoding, "generic: hex or base64")
            ->capture_default_str()
            ->group("Generic scheme"));
  track(app.add_option("--generic-prefix", f.prefix,
                       "generic: text before the signature, e.g. sha256=")
            ->group("Generic scheme"));
  track(app.add_option("--generic-sign", f.sign, "generic: what is signed: body or timestamp")
            ->capture_default_str()
            ->group("Generic scheme"));
  track(app.add_option("--generic-timestamp-header", f.timestamp_header,
                       "generic: timestamp header (with --generic-sign timestamp)")
            ->capture_default_str()
            ->group("Generic scheme"));
  track(app.add_option("--generic-separator", f.separator, "generic: between timestamp and body")
            ->capture_default_str()
            ->group("Generic scheme"));
}

providers::GenericConfig to_config(const GenericFlags& f) {
  providers::GenericConfig c;
  if (f.header.empty() || f.header.find_first_of(": \t\r\n") != std::string::npos)
    throw usage_error("--generic-header: '" + util::printable(f.header) + "' is not a header name");
  c.header = f.header;
  const auto digest = crypto::parse_digest(f.algo);
  if (!digest)
    throw usage_error("--generic-algo: expected sha1, sha256 or sha512, got '" + f.algo + "'");
  c.digest = *digest;
  if (f.encoding == "hex")
    c.encoding = providers::Encoding::hex;
  else if (f.encoding == "base64")
    c.encoding = providers::Encoding::base64;
  else
    throw usage_error("--generic-encoding: expected hex or base64, got '" + f.encoding + "'");
  c.prefix = f.prefix;
  if (f.sign == "body")
    c.content = providers::SignedContent::body;
  else if (f.sign == "timestamp")
    c.content = providers::SignedContent::timestamp_and_body;
  else
    throw usage_error("--generic-sign: expected body or timestamp, got '" + f.sign + "'");
  c.timestamp_header = f.timestamp_header;
  c.separator = f.separator;
  return c;
}

void add_secret_options(CLI::App& app, core::SecretFlags& flags, const std::string& purpose) {
  app.add_option("--secret", flags.values,
                 purpose + "; provider=SECRET names the provider (repeatable). Else "
                           "HOOKTOOL_SECRET or the config file. argv is visible to other local "
                           "users: prefer --secret-file");
  app.add_option("--secret-file", flags.files,
                 "Read a secret (SECRET or provider=SECRET) from a file (repeatable)");
}

std::string redact(std::string_view secret) {
  const std::size_t shown = secret.size() >= 16 ? 8 : secret.size() / 3;
  return std::string(secret.substr(0, shown)) + "… (" + std::to_string(secret.size()) + " chars)";
}

bool Expectation::matches(int status) const noexcept {
  if (klass != 0)
    return status / 100 == klass;
  for (const int c : codes)
    if (c == status)
      return true;
  return false;
}

std::string Expectation::describe() const {
  if (klass != 0)
    return std::to_string(klass) + "xx";
  std::string out;
  for (const int c : codes)
    out += (out.empty() ? "" : " or ") + std::to_string(c);
  return out;
}

void print_response(const net::HttpResponse& r, const std::string& indent) {
  constexpr auto out = ui::Stream::out;
  if (r.error != net::TransportError::none) {
    std::cout << indent << ui::paint(util::printable(r.error_message), ui::Style::error, out)
              << "\n";
    return;
  }
  std::cout << indent
            << ui::paint("HTTP/1.1 " + std::to_string(r.status), ui::status_style(r.status), out)
            << "\n";
  for (const auto& h : r.headers)
    std::cout << indent << ui::paint(util::printable(h.name), ui::Style::bold, out) << ": "
              << util::printable(h.value) << "\n";
  std::cout << indent << "\n";
  if (r.body.empty())
    return;
  const std::string text = util::printable_text(r.body);
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    const auto end = nl == std::string::npos ? text.size() : nl;
    std::cout << indent << std::string_view(text).substr(at, end - at) << "\n";
    at = end + 1;
  }
  if (r.body_size > r.body.size())
    std::cout << indent
              << ui::paint("… (" + std::to_string(r.body_size - r.body.size()) +
                               " more bytes not shown)",
                           ui::Style::dim, out)
              << "\n";
}

void add_verbose_flag(CLI::App& app, bool& verbose) {
  app.add_flag("-v,--verbose", verbose,
               "Print each response after its line: status line, headers, blank line, body");
}

Expectation parse_expect(std::string_view text) {
  Expectation e;
  const auto t = util::to_lower(util::trim(text));
  if (t.size() == 3 && t[0] >= '1' && t[0] <= '5' && t.substr(1) == "xx") {
    e.klass = t[0] - '0';
    return e;
  }
  e.klass = 0;
  for (const auto part : util::split(t, ',')) {
    long long code = 0;
    if (!util::parse_int64(util::trim(part), code) || code < 100 || code > 599)
      throw usage_error("--expect: expected 2xx, 4xx, … or status codes like 200,202; got '" +
                        std::string(text) + "'");
    e.codes.push_back(static_cast<int>(code));
  }
  return e;
}

namespace {

// The name before the first ':' of a -H line, trimmed (empty when there is no ':').
std::string_view typed_header_name(std::string_view line) {
  const auto colon = line.find(':');
  return colon == std::string_view::npos ? std::string_view{} : util::trim(line.substr(0, colon));
}

} // namespace

model::Headers parse_headers(const std::vector<std::string>& lines, std::string_view flag) {
  model::Headers out;
  for (const auto& line : lines) {
    const std::string quoted = std::string(flag) + " '" + util::capped(line, 80) + "'";
    auto h = model::parse_header_line(line);
    // The capture reader's check (core::header_problem): the name must be an HTTP token, the
    // value must not hold CR, LF or NUL. A header that fails it is never sent nor saved.
    const auto name = h ? std::string_view(h->name) : typed_header_name(line);
    if (name.empty())
      throw usage_error(quoted + ": expected 'Name: value'");
    if (!core::header_problem(name, {}).empty())
      throw usage_error(quoted + ": \"" + util::capped(name, 60) +
                        "\" is not a valid header name (an HTTP token: letters, digits and " +
                        "!#$%&'*+-.^_`|~)");
    if (!h)
      throw usage_error(quoted + ": expected 'Name: value'");
    if (!core::header_problem(name, h->value).empty())
      throw usage_error(quoted +
                        ": the value holds CR, LF or NUL, which would end the header line");
    out.push_back(std::move(*h));
  }
  return out;
}

void check_generic_flags_apply(const GenericFlags& flags, const providers::Provider* provider,
                               const std::string& where) {
  if (flags.given.empty() || dynamic_cast<const providers::GenericProvider*>(provider) != nullptr)
    return;
  throw usage_error(flags.given.front() + " describes the generic scheme, but " + where +
                    ": it would change nothing (use --provider generic for an in-house scheme)");
}

} // namespace hooktool::commands
