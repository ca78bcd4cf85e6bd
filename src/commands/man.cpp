#include "commands/man.hpp"

#include "util/version.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace hooktool::commands {

namespace {

// Escapes text for roff: backslashes, leading dots/quotes, hyphens, and non-ASCII characters
// (as groff's \[uXXXX]).
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (line_start && (c == '.' || c == '\''))
      out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (u >= 0x80) {
      const std::size_t len = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : 2;
      unsigned int cp = u & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
      for (std::size_t k = 1; k < len && i + k < text.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
      i += len - 1;
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\[u%04X]", cp);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string option_term(const CLI::Option& opt) {
  std::string names = opt.get_name(false, true); // "-H,--header"
  std::string out;
  std::size_t start = 0;
  while (start <= names.size()) {
    const auto comma = names.find(',', start);
    const auto name =
        names.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    out += (out.empty() ? "" : ", ") + std::string("\\fB") + roff(name) + "\\fR";
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  const auto type = opt.get_type_name();
  if (opt.get_type_size_max() > 0 && !type.empty())
    out += " \\fI" + roff(type.substr(0, type.find(':'))) + "\\fR";
  return out;
}

void render_options(std::string& out, const CLI::App& app) {
  for (const auto* opt : app.get_options()) {
    if (opt->get_positional() || opt->get_group().empty())
      continue;
    out += ".TP\n" + option_term(*opt) + "\n" + roff(opt->get_description()) + "\n";
  }
}

} // namespace

std::string render_man_page(const CLI::App& app) {
  std::string out;
  out +=
      ".TH HOOKTOOL 1 \"\" \"hooktool " + std::string(util::version()) + "\" \"User Commands\"\n";
  auto summary = app.get_description();
  if (summary.rfind("hooktool: ", 0) == 0)
    summary.erase(0, 10);
  out += ".SH NAME\nhooktool \\- " + roff(summary) + "\n";
  out += ".SH SYNOPSIS\n.B hooktool\n\\fIcommand\\fR [\\fIoptions\\fR]\n";
  out += ".SH DESCRIPTION\n"
         "hooktool sends provider\\-shaped, correctly signed webhooks, runs a local inspector that "
         "verifies and captures them, replays captures byte for byte, and grades a handler against "
         "the webhook\\-receiving checklist.\n";
  out += ".SH GLOBAL OPTIONS\n";
  render_options(out, app);
  out += ".SH COMMANDS\n";
  const auto subs = app.get_subcommands([](const CLI::App*) { return true; });
  for (const auto* sub : subs) {
    std::string synopsis = "hooktool " + sub->get_name();
    for (const auto* opt : sub->get_options())
      if (opt->get_positional())
        synopsis += " " + opt->get_name();
    out += ".SS \"" + roff(synopsis) + " [options]\"\n" + roff(sub->get_description()) + "\n";
    for (const auto* opt : sub->get_options())
      if (opt->get_positional())
        out += ".TP\n\\fI" + roff(opt->get_name()) + "\\fR\n" + roff(opt->get_description()) + "\n";
    render_options(out, *sub);
    const auto footer = sub->get_footer();
    if (!footer.empty())
      out += ".PP\n.nf\n" + roff(footer) + "\n.fi\n";
  }
  out += ".SH EXIT STATUS\n"
         ".TP\n0\nSuccess: every delivery got the expected answer; verify: valid.\n"
         ".TP\n1\nA delivery or expectation failed (unexpected status, no answer, not valid, a "
         "check FAILed, a handler was not idempotent).\n"
         ".TP\n2\nUsage or input error: bad flag, unknown provider or event, malformed input, "
         "unreadable file, unusable secret, port in use.\n";
  out += ".SH ENVIRONMENT\n"
         ".TP\nHOOKTOOL_SECRET\nThe secret when neither \\-\\-secret nor \\-\\-secret\\-file is "
         "given.\n"
         ".TP\nHOOKTOOL_TO\nThe target of send, replay and check when \\-\\-to is not given.\n"
         ".TP\nHOOKTOOL_HOST, HOOKTOOL_PORT\nlisten's address and port when \\-\\-host or "
         "\\-\\-port is not given.\n"
         ".TP\nXDG_CONFIG_HOME\nWhere the user config file is looked for (default ~/.config).\n"
         ".TP\nNO_COLOR\nAny value turns colour off.\n"
         ".TP\nCLICOLOR_FORCE\nForces colour when not on a terminal.\n";
  out += ".SH FILES\n"
         ".TP\n\\&.hooktool.toml\nProject config in the working directory: to, [listen] host, "
         "port and forward, [secrets] and [secret_files] per provider. Ignored when another user "
         "owns it or others can write it.\n"
         ".TP\n$XDG_CONFIG_HOME/hooktool/config.toml\nUser config, same keys. Flags beat the "
         "environment, which beats the project file, which beats the user file; "
         "\\fBhooktool config show\\fR prints what is in force. \\-\\-no\\-config reads neither.\n"
         ".PP\nCaptures are JSON Lines, one delivery per line, written with mode 0600; see "
         "the README for the format. \\fBhooktool export\\fR turns them into HAR 1.2.\n";
  out += ".SH EXAMPLES\n.nf\n" + roff(app.get_footer()) + "\n.fi\n";
  return out;
}

} // namespace hooktool::commands
