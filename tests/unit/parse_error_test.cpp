// The command-line parser's messages, made safe: no value is echoed (it may be a secret).
#include "commands/parse_error.hpp"

#include <gtest/gtest.h>

namespace {

using hooktool::commands::safe_parse_message;

TEST(ParseError, AMisspeltFlagIsNamedAndItsValueIsNot) {
  EXPECT_EQ(safe_parse_message("The following arguments were not expected: whsec_SECRET --secrt"),
            "unknown option --secrt (1 argument more, not shown)");
  EXPECT_EQ(safe_parse_message("The following argument was not expected: --secrte=whsec_SECRET"),
            "unknown option --secrte");
  EXPECT_EQ(safe_parse_message("The following argument was not expected: whsec_SECRET\n"),
            "1 argument not expected (not shown: it may be a secret)");
}

TEST(ParseError, OtherMessagesAreEscapedAndCapped) {
  EXPECT_EQ(safe_parse_message("--times: Value \x1b[2J not in range"),
            "--times: Value \\x1B[2J not in range");
  const auto long_one = safe_parse_message("--port: " + std::string(100000, 'x'));
  EXPECT_LE(long_one.size(), 203u);
  EXPECT_TRUE(long_one.ends_with("…"));
  EXPECT_EQ(
      safe_parse_message("The following argument was not expected: --" + std::string(1000, 'a'))
          .size(),
      std::string("unknown option ").size() + 40 + 3);
}

} // namespace
