#include "commands/common.hpp"
#include "core/settings.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

using namespace hooktool;
using namespace hooktool::commands;

TEST(Secrets, ProviderPrefixSplitsAtFirstEquals) {
  const auto named = core::split_secret("standard=whsec_abc==", "--secret");
  EXPECT_EQ(named.provider, "standard");
  EXPECT_EQ(named.value, "whsec_abc==");
  const auto bare = core::split_secret("c2VjcmV0=", "--secret");
  EXPECT_EQ(bare.provider, "");
  EXPECT_EQ(bare.value, "c2VjcmV0=");
  // An alias names its provider.
  EXPECT_EQ(core::split_secret("standard-webhooks=whsec_x", "--secret").provider, "standard");
}

// A prefix that looks like a provider id but is none is a typo, not part of the secret.
TEST(Secrets, ATypoInTheProviderPrefixIsAUsageErrorWithASuggestion) {
  try {
    (void)core::split_secret("stirpe=abc", "--secret");
    FAIL() << "stirpe=abc was taken as a secret";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("did you mean 'stripe'"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("abc"), std::string::npos) << "echoes the secret";
  }
  // Not a lowercase word before '=': a bare secret.
  EXPECT_EQ(core::split_secret("S3cr=t", "--secret").value, "S3cr=t");
  EXPECT_EQ(core::split_secret("=abc", "--secret").value, "=abc");
}

TEST(Secrets, ResolutionOrder) {
  core::Settings none = core::Settings::without_files({});
  EXPECT_FALSE(none.secret("stripe", {}).has_value());
  EXPECT_EQ(none.secret("stripe", {{"github=g", "stripe=s"}, {}})->value, "s");
  EXPECT_EQ(none.secret("svix", {{"standard=whsec_x"}, {}})->value, "whsec_x");
  EXPECT_EQ(none.secret("stripe", {{"bare"}, {}})->value, "bare");
  EXPECT_THROW((void)none.secret("stripe", {{"github=g"}, {}}), Error);
  core::Environment env;
  env.secret = "from-env";
  const auto with_env = core::Settings::without_files(env);
  EXPECT_EQ(with_env.secret("stripe", {})->source, core::SecretSource::env);
  EXPECT_EQ(with_env.secret("stripe", {{"flag"}, {}})->source, core::SecretSource::flag);
  EXPECT_THROW((void)none.secret("stripe", {{}, {"/nonexistent/secret"}}), Error);
}

// One rule for every command: an empty variable counts as unset (replay used to differ).
TEST(Secrets, AnEmptyEnvironmentVariableIsUnset) {
  ::setenv("HOOKTOOL_SECRET", "", 1);
  const auto env = core::Environment::from_process();
  ::unsetenv("HOOKTOOL_SECRET");
  EXPECT_FALSE(env.secret.has_value());
  EXPECT_FALSE(core::Settings::without_files(env).any_secret({}));
}

TEST(Secrets, ListenSecretsOneBareAtMostAndFamiliesMerged) {
  const auto none = core::Settings::without_files({});
  const auto set = none.secrets({{"stripe=s", "svix=whsec_x", "bare"}, {}});
  EXPECT_EQ(set.by_family.at("stripe"), "s");
  EXPECT_EQ(set.by_family.at("standard"), "whsec_x");
  EXPECT_EQ(set.bare, "bare");
  EXPECT_THROW((void)none.secrets({{"a", "b"}, {}}), Error);
  EXPECT_THROW((void)none.secrets({{"stripe="}, {}}), Error);
}

TEST(Secrets, RedactionNeverShowsTheWholeSecret) {
  const std::string s = "whsec_0123456789abcdef0123";
  EXPECT_EQ(redact(s).find(s), std::string::npos);
  EXPECT_EQ(redact("abc").find("abc"), std::string::npos);
}

TEST(Expect, ClassesAndCodes) {
  EXPECT_TRUE(parse_expect("2xx").matches(204));
  EXPECT_FALSE(parse_expect("2xx").matches(302));
  EXPECT_TRUE(parse_expect("4XX").matches(401));
  EXPECT_TRUE(parse_expect("200,202").matches(202));
  EXPECT_FALSE(parse_expect("200,202").matches(201));
  EXPECT_EQ(parse_expect("200,202").describe(), "200 or 202");
  for (const char* bad : {"", "abc", "2x", "6xx", "99", "200,", "1000"})
    EXPECT_THROW((void)parse_expect(bad), Error) << bad;
}

TEST(Headers, ParseHeaderLines) {
  const auto hs = parse_headers({"X-A: 1", "X-B:two words ", "X-Empty:"});
  ASSERT_EQ(hs.size(), 3u);
  EXPECT_EQ(hs[1].value, "two words");
  EXPECT_EQ(hs[2].value, "");
  EXPECT_THROW((void)parse_headers({"no colon"}), Error);
  EXPECT_THROW((void)parse_headers({": novalue"}), Error);
  EXPECT_THROW((void)parse_headers({"Bad Name: x"}), Error);
}

TEST(Generic, FlagsValidate) {
  GenericFlags f;
  EXPECT_NO_THROW((void)to_config(f));
  f.algo = "md5";
  EXPECT_THROW((void)to_config(f), Error);
  f = {};
  f.encoding = "base32";
  EXPECT_THROW((void)to_config(f), Error);
  f = {};
  f.sign = "everything";
  EXPECT_THROW((void)to_config(f), Error);
}

TEST(Util, Utf8Validation) {
  EXPECT_TRUE(util::is_valid_utf8("caf\xC3\xA9 \xE2\x98\x95"));
  EXPECT_FALSE(util::is_valid_utf8("\xC3"));
  EXPECT_FALSE(util::is_valid_utf8("\xC0\xAF"));     // overlong
  EXPECT_FALSE(util::is_valid_utf8("\xED\xA0\x80")); // surrogate
  EXPECT_FALSE(util::is_valid_utf8("\xFF"));
}

TEST(Util, FormCoding) {
  EXPECT_EQ(util::form_decode("a+b%2Bc%zz%4"), "a b+c%zz%4");
  EXPECT_EQ(util::form_encode("a b+é"), "a+b%2B%C3%A9");
}

TEST(Util, Durations) {
  EXPECT_EQ(util::parse_duration_ms("500ms"), 500);
  EXPECT_EQ(util::parse_duration_ms("1.5"), 1500);
  EXPECT_EQ(util::parse_duration_ms("2m"), 120000);
  EXPECT_FALSE(util::parse_duration_ms("xyz").has_value());
  EXPECT_FALSE(util::parse_duration_ms("-1s").has_value());
}

TEST(Util, Rfc3339) {
  EXPECT_EQ(util::parse_rfc3339("2025-11-25T10:08:46.123Z"), 1764065326123);
  EXPECT_EQ(util::parse_rfc3339("2025-11-25T11:08:46+01:00"), 1764065326000);
  EXPECT_FALSE(util::parse_rfc3339("2025-13-25T10:08:46Z").has_value());
  EXPECT_FALSE(util::parse_rfc3339("2025-11-25").has_value());
  EXPECT_EQ(util::format_rfc3339(1764065326123, util::Precision::millis),
            "2025-11-25T10:08:46.123Z");
}

TEST(Util, Rfc3339FormatsEveryPrecisionAndTheEdges) {
  EXPECT_EQ(util::format_rfc3339(1764065326123, util::Precision::seconds), "2025-11-25T10:08:46Z");
  EXPECT_EQ(util::format_rfc3339(1764065326007, util::Precision::micros),
            "2025-11-25T10:08:46.007000Z");
  EXPECT_EQ(util::format_rfc3339(0, util::Precision::millis), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(util::format_rfc3339(-1, util::Precision::millis), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(util::format_rfc3339(-62135596800000, util::Precision::seconds),
            "0001-01-01T00:00:00Z");
  EXPECT_EQ(util::format_rfc3339(253402300800000, util::Precision::seconds),
            "10000-01-01T00:00:00Z")
      << "a five-digit year is written as printf writes it";
  EXPECT_EQ(util::format_rfc3339(253402300800042, util::Precision::millis),
            "10000-01-01T00:00:00.042Z");
}

TEST(Util, JsonNestingLimit) {
  EXPECT_FALSE(util::json_nesting_exceeds(R"({"a":[1,{"b":2}]})", 3));
  EXPECT_TRUE(util::json_nesting_exceeds(R"({"a":[1,{"b":2}]})", 2));
  EXPECT_FALSE(util::json_nesting_exceeds(R"({"a":"[[[[[[\"[[["})", 1)) << "brackets in strings";
  EXPECT_TRUE(util::json_nesting_exceeds(std::string(100000, '['), 256));
}

TEST(Util, DidYouMean) {
  const std::vector<std::string> providers{"stripe", "github", "shopify", "standard"};
  EXPECT_EQ(util::closest("strpe", providers), "stripe");
  EXPECT_EQ(util::closest("gihtub", providers), "github");
  EXPECT_EQ(util::closest("stripe", providers), "") << "an exact match is not a suggestion";
  EXPECT_EQ(util::closest("paypal", providers), "") << "too far to be a typo";
  EXPECT_EQ(util::closest("ab", providers), "");
  EXPECT_EQ(util::did_you_mean("shopfy", providers), " (did you mean 'shopify'?)");
  EXPECT_EQ(util::did_you_mean("zzz", providers), "");
  // An adjacent transposition is one typo, so short words get suggestions too.
  const std::vector<std::string> commands{"send", "sign", "listen", "replay", "check"};
  EXPECT_EQ(util::closest("sned", commands), "send");
  EXPECT_EQ(util::closest("lsiten", commands), "listen");
  EXPECT_EQ(util::closest("chekc", commands), "check");
  EXPECT_EQ(util::closest("snde", commands), "") << "two edits in four letters is not a typo";
}
