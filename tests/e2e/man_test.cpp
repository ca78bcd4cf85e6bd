// hooktool(1) is generated from the CLI definitions; check it covers every flag and renders.
#include "process.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <set>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_man {

namespace {

std::string roff_flag(const std::string& flag) {
  std::string out;
  for (const char c : flag)
    out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

} // namespace

TEST(ManPage, CoversEverySubcommandAndFlag) {
  const auto man = e2e::hooktool({"--man"});
  ASSERT_EQ(man.exit_code, 0) << man.describe();
  EXPECT_EQ(man.out.rfind(".TH HOOKTOOL 1", 0), 0u);
  const auto& subs = e2e::hooktool_subcommands();
  ASSERT_GE(subs.size(), 7u);
  std::size_t total_flags = 0; // some subcommands (completion) take none but --help
  for (const auto& sub : subs) {
    EXPECT_NE(man.out.find(".SS \"hooktool " + sub), std::string::npos) << sub;
    const auto flags = e2e::long_flags_in_help(e2e::hooktool({sub, "--help"}).out);
    total_flags += flags.size();
    for (const auto& flag : flags)
      EXPECT_NE(man.out.find(roff_flag("--" + flag)), std::string::npos) << sub << " --" << flag;
  }
  EXPECT_GE(total_flags, 20u) << "the help parser found no flags";
  for (const auto* section : {".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH EXAMPLES"})
    EXPECT_NE(man.out.find(section), std::string::npos) << section;
}

TEST(ManPage, RendersWithoutGroffWarnings) {
  if (!std::filesystem::exists("/usr/bin/groff"))
    GTEST_SKIP() << "groff is not installed";
  const auto man = e2e::hooktool({"--man"});
  e2e::ProcessOptions opts;
  opts.stdin_text = man.out;
  const auto r = e2e::run_process("/usr/bin/groff", {"-man", "-ww", "-z"}, opts);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "") << "groff warnings:\n" << r.err;
}

} // namespace e2e_man
