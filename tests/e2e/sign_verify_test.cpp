// End-to-end tests for `hooktool sign`, `hooktool verify`, `hooktool fixtures` and
// `--version`, with expected signatures computed here with OpenSSL.

#include "process.hpp"
#include "providers/registry.hpp"
#include "reference_crypto.hpp"
#include "util/version.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_sign_verify {

namespace {

namespace fs = std::filesystem;

// Expected signatures come from the independent reference (OpenSSL), never from src/.
std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  return e2e::ref::hex(e2e::ref::hmac_sha256(key, data));
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

class SignVerify : public testing::Test {
protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "hooktool-e2e-sv-XXXXXX").string();
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    body_path_ = dir_ / "body.json";
    std::ofstream(body_path_, std::ios::binary) << kBody;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static constexpr std::string_view kBody = "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":"
                                            "\"invoice.paid\",\"note\":\"caf\xc3\xa9\"}\n";
  static constexpr long long kTs = 1700000000;
  const std::string secret_ = "whsec_x";

  [[nodiscard]] std::string body_arg() const { return "@" + body_path_.string(); }
  [[nodiscard]] std::string expected_header() const {
    const auto ts = std::to_string(kTs);
    return "Stripe-Signature: t=" + ts +
           ",v1=" + hmac_sha256_hex(secret_, ts + "." + std::string(kBody));
  }

  fs::path dir_;
  fs::path body_path_;
};

TEST_F(SignVerify, StripeSignPrintsIndependentlyComputedHeader) {
  const auto r = e2e::hooktool({"sign", "stripe", "--secret", secret_, "--body", body_arg(),
                                "--timestamp", std::to_string(kTs)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, expected_header() + "\n");
}

TEST_F(SignVerify, StripeSignWithBodyFromStdin) {
  e2e::ProcessOptions opts;
  opts.stdin_text = std::string(kBody);
  const auto r = e2e::hooktool(
      {"sign", "stripe", "--secret", secret_, "--body", "-", "--timestamp", std::to_string(kTs)},
      opts);
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, expected_header() + "\n");
}

TEST_F(SignVerify, StripeVerifyValid) {
  const auto header = expected_header();
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", header, "--body",
                                body_arg(), "--now", std::to_string(kTs + 10)});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "valid")) << r.describe();
  EXPECT_FALSE(contains(r.out, "invalid")) << r.describe();
}

TEST_F(SignVerify, StripeVerifyRoundTripsSignOutput) {
  const auto s = e2e::hooktool({"sign", "stripe", "--secret", secret_, "--body", body_arg(),
                                "--timestamp", std::to_string(kTs)});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  auto header = s.out;
  while (!header.empty() && header.back() == '\n')
    header.pop_back();
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "--header", header,
                                "--body", body_arg(), "--now", std::to_string(kTs + 299)});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
}

TEST_F(SignVerify, StripeVerifyWrongSecretIsInvalid) {
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", "whsec_y", "-H", expected_header(),
                                "--body", body_arg(), "--now", std::to_string(kTs + 10)});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out, "invalid")) << r.describe();
  EXPECT_FALSE(r.err.empty()) << "no reason on stderr";
  EXPECT_TRUE(contains(r.err, "invalid")) << r.err;
}

TEST_F(SignVerify, StripeVerifyAlteredBodyIsInvalid) {
  const auto other = dir_ / "other.json";
  std::string altered(kBody);
  altered[altered.size() - 3] = 'X';
  std::ofstream(other, std::ios::binary) << altered;
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", expected_header(),
                                "--body", "@" + other.string(), "--now", std::to_string(kTs + 10)});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_FALSE(r.err.empty());
}

TEST_F(SignVerify, StripeVerifyOutsideWindowIsExpired) {
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", expected_header(),
                                "--body", body_arg(), "--now", "1700009999"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out + r.err, "expired")) << r.describe();
  // --tolerance 0 turns the window off.
  const auto off = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", expected_header(),
                                  "--body", body_arg(), "--now", "1700009999", "--tolerance", "0"});
  EXPECT_EQ(off.exit_code, 0) << off.describe();
  // The window boundary: 300 s old passes, 301 s old does not.
  const auto edge = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", expected_header(),
                                   "--body", body_arg(), "--now", std::to_string(kTs + 300)});
  EXPECT_EQ(edge.exit_code, 0) << edge.describe();
  const auto past = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", expected_header(),
                                   "--body", body_arg(), "--now", std::to_string(kTs + 301)});
  EXPECT_EQ(past.exit_code, 1) << past.describe();
}

TEST_F(SignVerify, StripeVerifyFutureTimestampPasses) {
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", expected_header(),
                                "--body", body_arg(), "--now", std::to_string(kTs - 3600)});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
}

TEST_F(SignVerify, StripeVerifyAnyOfSeveralV1) {
  const auto ts = std::to_string(kTs);
  const auto good = hmac_sha256_hex(secret_, ts + "." + std::string(kBody));
  const auto header = "Stripe-Signature: t=" + ts + ",v1=" + std::string(64, '0') + ",v1=" + good;
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H", header, "--body",
                                body_arg(), "--now", std::to_string(kTs)});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
}

TEST_F(SignVerify, StripeVerifyJsonVerdict) {
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", "whsec_y", "-H", expected_header(),
                                "--body", body_arg(), "--now", std::to_string(kTs + 10), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j.value("status", ""), "invalid");
  EXPECT_FALSE(j.value("reason", "").empty());
}

TEST_F(SignVerify, VerifyMissingSignatureHeaderIsUnsigned) {
  const auto r = e2e::hooktool({"verify", "stripe", "--secret", secret_, "-H",
                                "Content-Type: application/json", "--body", body_arg()});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_TRUE(contains(r.out + r.err, "unsigned")) << r.describe();
}

TEST(GithubVerify, DocumentedExamplePair) {
  const std::string secret = "It's a Secret to Everybody";
  const std::string sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  // The oracle agrees with GitHub's documentation.
  ASSERT_EQ("sha256=" + hmac_sha256_hex(secret, "Hello, World!"), sig);
  const auto r = e2e::hooktool({"verify", "github", "--secret", secret, "-H",
                                "X-Hub-Signature-256: " + sig, "--body", "Hello, World!"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "valid")) << r.describe();

  const auto bad = e2e::hooktool({"verify", "github", "--secret", secret, "-H",
                                  "X-Hub-Signature-256: " + sig, "--body", "Hello, World?"});
  EXPECT_EQ(bad.exit_code, 1) << bad.describe();
  EXPECT_FALSE(bad.err.empty());
}

TEST(GithubSign, MatchesDocumentedSignature) {
  const auto r = e2e::hooktool(
      {"sign", "github", "--secret", "It's a Secret to Everybody", "--body", "Hello, World!"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out,
                       "X-Hub-Signature-256: "
                       "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n"))
      << r.out;
}

TEST(SignErrors, UsageErrorsExit2WithOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"sign", "nope", "--secret", "s", "--body", "x"},
      {"sign", "stripe", "--body", "x"},                            // no secret
      {"sign", "standard", "--secret", "whsec_***", "--body", "x"}, // not base64
      {"sign", "twilio", "--secret", "t", "--body", "a=b"},         // twilio needs --url
      {"verify", "stripe", "--secret", "s", "--body", "x"},         // -H is required
      {"verify", "stripe", "--secret", "s", "-H", "NoColon", "--body", "x"},
      {"verify", "stripe", "--secret", "s", "-H", "Stripe-Signature: t=1,v1=00", "--body",
       "@/nonexistent/body"},
  };
  for (const auto& args : cases) {
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    SCOPED_TRACE(joined);
    const auto r = e2e::hooktool(args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.describe();
  }
}

// verify has no --public-url (listen does): a URL-signing scheme without --url is a usage
// error naming the flag verify has, not a plain "invalid".
TEST(VerifyErrors, UrlSigningProviderWithoutUrlAsksForUrl) {
  for (const std::string provider : {"twilio", "square", "hubspot"}) {
    SCOPED_TRACE(provider);
    const auto r =
        e2e::hooktool({"verify", provider, "--secret", "0123456789abcdef0123456789abcdef", "-H",
                       "X-Twilio-Signature: abc", "--body", "a=b"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find("needs --url"), std::string::npos) << r.describe();
    EXPECT_EQ(r.err.find("--public-url"), std::string::npos) << r.describe();
  }
}

TEST(Fixtures, ListsEveryRegisteredProvider) {
  const auto r = e2e::hooktool({"fixtures"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  for (const char* p :
       {"stripe", "github", "shopify", "twilio", "slack", "standard", "svix", "generic"})
    EXPECT_TRUE(contains(r.out, std::string(p) + "\n") || contains(r.out, std::string(p) + "  "))
        << p << " missing from\n"
        << r.out;
  EXPECT_TRUE(contains(r.out, "invoice.paid")) << r.out;

  const auto j = e2e::hooktool({"fixtures", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.describe();
  std::set<std::string> providers;
  for (const auto& line : e2e::lines_of(j.out)) {
    const auto obj = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(obj.is_discarded()) << line;
    providers.insert(obj.value("provider", ""));
  }
  const auto ids = hooktool::providers::provider_ids();
  EXPECT_EQ(providers, std::set<std::string>(ids.begin(), ids.end()));
}

TEST(Fixtures, SingleProviderAndUnknownProvider) {
  const auto r = e2e::hooktool({"fixtures", "github", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = e2e::lines_of(r.out);
  EXPECT_GE(lines.size(), 6u);
  for (const auto& line : lines)
    EXPECT_TRUE(contains(line, "\"provider\":\"github\"")) << line;
  const auto bad = e2e::hooktool({"fixtures", "nope"});
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.describe();
}

TEST(Version, PrintsVersionAndExits0) {
  const auto r = e2e::hooktool({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(contains(r.out, "hooktool")) << r.describe();
  EXPECT_TRUE(contains(r.out, std::string(hooktool::util::version()))) << r.describe();
}

TEST(Usage, NoSubcommandIsUsageError) {
  const auto r = e2e::hooktool({});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_FALSE(r.err.empty());
}

} // namespace

} // namespace e2e_sign_verify
