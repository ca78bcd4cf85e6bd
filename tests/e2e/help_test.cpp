// Help that teaches: examples in every --help, suggestions for typos, library versions.
#include "process.hpp"

#include <gtest/gtest.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_help {

TEST(Help, EverySubcommandHelpEndsWithExamples) {
  const auto& subs = e2e::hooktool_subcommands();
  ASSERT_GE(subs.size(), 7u);
  for (const auto& sub : subs) {
    const auto r = e2e::hooktool({sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub;
    const auto at = r.out.find("Examples:");
    ASSERT_NE(at, std::string::npos) << sub << ":\n" << r.out;
    EXPECT_NE(r.out.find("hooktool " + sub, at), std::string::npos)
        << "[" << sub << "]: examples use it";
  }
  EXPECT_NE(e2e::hooktool({"--help"}).out.find("Examples:"), std::string::npos);
}

TEST(Help, VersionNamesTheLibraries) {
  const auto r = e2e::hooktool({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("hooktool ", 0), 0u) << r.out;
  for (const auto* lib : {"libcurl ", "OpenSSL ", "cpp-httplib ", "nlohmann/json ", "CLI11 "})
    EXPECT_NE(r.out.find(lib), std::string::npos) << lib << " in " << r.out;
}

TEST(Help, TyposGetASuggestion) {
  const auto provider = e2e::hooktool({"send", "strpe", "invoice.paid", "--to", "127.0.0.1:1"});
  EXPECT_EQ(provider.exit_code, 2);
  EXPECT_NE(provider.err.find("did you mean 'stripe'?"), std::string::npos) << provider.err;
  const auto event = e2e::hooktool({"send", "stripe", "invoice.payed", "--to", "127.0.0.1:1"});
  EXPECT_EQ(event.exit_code, 2);
  EXPECT_NE(event.err.find("did you mean 'invoice.paid'?"), std::string::npos) << event.err;
  const auto check = e2e::hooktool(
      {"check", "stripe", "--to", "127.0.0.1:1", "--secret", "x", "--only", "accepts-vaild"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("did you mean 'accepts-valid'?"), std::string::npos) << check.err;
  const auto command = e2e::hooktool({"--no-color", "repaly", "x.jsonl"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_EQ(command.err,
            "hooktool: unknown command 'repaly' (did you mean 'replay'?) (see hooktool --help)\n");
  const auto sned = e2e::hooktool({"--no-color", "sned", "stripe"});
  EXPECT_EQ(sned.err,
            "hooktool: unknown command 'sned' (did you mean 'send'?) (see hooktool --help)\n");
  for (const auto* r : {&provider, &event, &check, &command})
    EXPECT_EQ(e2e::lines_of(r->err).size(), 1u) << "one line: " << r->err;
}

// Errors about the command line itself, in hooktool's words: one line, exit 2, no CLI11
// phrasing ("Value abc not in range", "1 required TEXT missing", reversed extras).
TEST(Help, CommandLineErrorsInHooktoolsWords) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"listen", "--port", "abc"},
       "hooktool: --port: abc is not a whole number from 0 to 65535 (see hooktool listen "
       "--help)\n"},
      {{"send", "stripe", "--to", ":1", "--count", "0"},
       "hooktool: --count: 0 is out of range: at least 1 (see hooktool send --help)\n"},
      {{"send", "stripe", "--to", ":1", "--count", "1e3"},
       "hooktool: --count: 1e3 is not a whole number at least 1 (see hooktool send --help)\n"},
      {{"listen", "--fail-rate", "2"},
       "hooktool: --fail-rate: 2 is out of range: from 0 to 1 (see hooktool listen --help)\n"},
      {{"send", "stripe", "--to", ":1", "--rate", "-1"},
       "hooktool: --rate: -1 is out of range: from 0.001 to 10000000 (see hooktool send --help)\n"},
      {{"listen", "--port"},
       "hooktool: --port needs a value (INT:0-65535) (see hooktool listen --help)\n"},
      {{"listen", "extra1", "extra2"},
       "hooktool: unexpected argument 'extra1' (and 1 more) (see hooktool listen --help)\n"},
      {{"sign", "github", "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ", "--body", "{}"},
       "hooktool: unexpected argument 'whse…' (33 characters) (see hooktool sign --help)\n"},
      {{"listen", "--forwrd-to", "x"},
       "hooktool: unknown option --forwrd-to for hooktool listen (did you mean '--forward-to'?)\n"},
      {{"send", "--bogus"}, "hooktool: unknown option --bogus for hooktool send\n"},
      {{"--colr", "send", "stripe"},
       "hooktool: unknown option --colr for hooktool (did you mean '--color'?)\n"},
      {{"completion", "tcsh"},
       "hooktool: shell: 'tcsh' is not one of bash, zsh, fish (see hooktool completion --help)\n"},
  };
  for (const auto& c : cases) {
    auto args = c.args;
    args.insert(args.begin(), "--no-color");
    const auto r = e2e::hooktool(args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << r.err;
    EXPECT_EQ(r.err, c.expected);
  }
}

// What the pre-parse check must let through: values that start with '-', attached values,
// bundled short flags, options after the command's positionals.
TEST(Help, OptionValuesThatLookLikeOptionsAreNotUnknownOptions) {
  const auto set = e2e::hooktool({"send", "stripe", "invoice.paid", "--to", ":1", "--dry-run",
                                  "--set", "data.object.amount_due=-1", "--secret", "-x-"});
  EXPECT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("\"amount_due\": -1"), std::string::npos) << set.out;
  const auto attached = e2e::hooktool({"send", "stripe", "invoice.paid", "--to=:1", "--dry-run"});
  EXPECT_EQ(attached.exit_code, 0) << attached.err;
}

TEST(Help, HelpNamesRangesPlainly) {
  for (const auto* sub : {"send", "listen", "replay", "check"}) {
    const auto r = e2e::hooktool({sub, "--help"});
    EXPECT_EQ(r.out.find("1099511627776"), std::string::npos) << sub << ":\n" << r.out;
    EXPECT_EQ(r.out.find("INT:INT"), std::string::npos) << sub << ":\n" << r.out;
  }
  EXPECT_NE(e2e::hooktool({"listen", "--help"}).out.find("INT:0-65535"), std::string::npos);
  EXPECT_NE(e2e::hooktool({"send", "--help"}).out.find("INT:>=1"), std::string::npos);
}

TEST(Help, HelpCommandShowsACommandsHelp) {
  const auto direct = e2e::hooktool({"listen", "--help"});
  const auto via_help = e2e::hooktool({"help", "listen"});
  EXPECT_EQ(via_help.exit_code, 0) << via_help.err;
  EXPECT_EQ(via_help.out, direct.out);
  const auto top = e2e::hooktool({"help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_EQ(top.out, e2e::hooktool({"--help"}).out);
  const auto typo = e2e::hooktool({"--no-color", "help", "sned"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_EQ(
      typo.err,
      "hooktool: no command 'sned' in hooktool (did you mean 'send'?) (see hooktool --help)\n");
}

} // namespace e2e_help
