// Help that teaches: examples in every --help, suggestions for typos, library versions.
#include "process.hpp"

#include <gtest/gtest.h>

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
  for (const auto* r : {&provider, &event, &check, &command})
    EXPECT_EQ(e2e::lines_of(r->err).size(), 1u) << "one line: " << r->err;
}
