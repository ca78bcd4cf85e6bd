// End to end for the body-HMAC providers of issue 14 (square, razorpay, coinbase, typeform,
// intercom, bitbucket, woocommerce, vercel, sentry): every fixture sent by the built binary to
// one `listen` without --provider is detected as its provider, named by its event and verified;
// a wrong secret is invalid; `sign` and `verify` agree offline (Square with the URL); `check`
// grades the test handler for each with no internal error.

#include "background.hpp"
#include "core/fixtures.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "providers/registry.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_providers_hmac {

namespace {

using e2e::Background;
using e2e::Stream;
using json = nlohmann::json;

const std::vector<std::string> kProviders{"square",      "razorpay", "coinbase",
                                          "typeform",    "intercom", "bitbucket",
                                          "woocommerce", "vercel",   "sentry"};

std::string secret_for(const std::string& provider) {
  return "e2e-" + provider + "-secret-0123456789";
}

// The built-in events of a provider, as `hooktool fixtures PROVIDER` lists them.
std::vector<std::string> events_of(const std::string& provider) {
  std::vector<std::string> out;
  for (const auto& f : hooktool::core::FixtureStore({}, {}).list(provider))
    out.push_back(f.event);
  return out;
}

std::vector<std::pair<std::string, std::string>> all_secrets() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : kProviders)
    out.emplace_back(p, secret_for(p));
  return out;
}

e2e::ProcessResult send(const Background& l, const std::string& provider, const std::string& event,
                        const std::string& secret) {
  return e2e::hooktool({"send", provider, event, "--to",
                        "127.0.0.1:" + std::to_string(l.port()) + "/hooks/" + provider, "--secret",
                        secret, "--json", "--expect", "2xx"});
}

} // namespace

TEST(HmacProvidersE2E, EveryFixtureIsDetectedNamedAndVerifiedByListen) {
  e2e::TempDir dir;
  const auto capture = dir.file("captures.jsonl");
  auto listen =
      e2e::start_listen(e2e::secret_flags(all_secrets(), {"--json", "--capture", capture}));
  std::size_t n = 0;
  for (const auto& provider : kProviders) {
    const auto events = events_of(provider);
    ASSERT_FALSE(events.empty()) << provider;
    for (const auto& event : events) {
      SCOPED_TRACE(provider + " " + event);
      const auto r = send(*listen, provider, event, secret_for(provider));
      ASSERT_EQ(r.exit_code, 0) << r.describe();
      const auto rec = e2e::listen_record(*listen, ++n);
      EXPECT_EQ(rec.value("provider", ""), provider);
      EXPECT_EQ(rec.value("event_type", ""), event);
      EXPECT_FALSE(rec.value("event_id", "").empty());
      EXPECT_EQ(rec["verification"].value("status", ""), "valid") << rec.dump();
    }
  }
  // A wrong secret: still detected, and invalid.
  for (const auto& provider : kProviders) {
    SCOPED_TRACE(provider);
    const std::string event(hooktool::providers::make_provider(provider)->default_event());
    const auto r = e2e::hooktool({"send", provider, event, "--to",
                                  "127.0.0.1:" + std::to_string(listen->port()) + "/x", "--secret",
                                  "not-the-secret", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto rec = e2e::listen_record(*listen, ++n);
    EXPECT_EQ(rec.value("provider", ""), provider);
    EXPECT_EQ(rec["verification"].value("status", ""), "invalid") << rec.dump();
  }
  // Everything was captured, one line per delivery.
  std::ifstream in(capture);
  std::size_t lines = 0;
  for (std::string line; std::getline(in, line);)
    lines += line.empty() ? 0 : 1;
  EXPECT_EQ(lines, n);
}

// `sign` prints what `verify` accepts; Square's needs the URL the handler sees, and another URL
// (a trailing slash) is invalid.
TEST(HmacProvidersE2E, SignThenVerifyOffline) {
  e2e::TempDir dir;
  const auto body = dir.write("body.json", R"({"type":"payment.updated","event_id":"e-1",)"
                                           R"("event":{"type":"charge:confirmed","id":"x"}})");
  const std::string url = "https://shop.example/square/webhook";
  for (const auto& provider : kProviders) {
    SCOPED_TRACE(provider);
    std::vector<std::string> sign{"sign", provider, "--secret", "k", "--body", "@" + body};
    if (provider == "square") {
      sign.emplace_back("--url");
      sign.push_back(url);
    }
    const auto s = e2e::hooktool(sign);
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    std::vector<std::string> verify{"verify", provider, "--secret", "k", "--body", "@" + body};
    for (const auto& line : e2e::lines_of(s.out)) {
      verify.emplace_back("--header");
      verify.push_back(line);
    }
    auto ok = verify;
    if (provider == "square") {
      ok.emplace_back("--url");
      ok.push_back(url);
    }
    const auto v = e2e::hooktool(ok);
    EXPECT_EQ(v.exit_code, 0) << v.describe();
    auto wrong = verify;
    wrong[3] = "k2";
    if (provider == "square") {
      wrong.emplace_back("--url");
      wrong.push_back(url);
    }
    EXPECT_EQ(e2e::hooktool(wrong).exit_code, 1);
    if (provider == "square") {
      auto other = verify;
      other.emplace_back("--url");
      other.push_back(url + "/");
      EXPECT_EQ(e2e::hooktool(other).exit_code, 1);
    }
  }
}

// `check` runs its whole battery against the correct test handler for each provider: no
// internal error, every check that applies passes, the timestamp ones are skipped.
TEST(HmacProvidersE2E, CheckGradesTheCorrectHandlerForEachProvider) {
  for (const auto& provider : kProviders) {
    SCOPED_TRACE(provider);
    e2e::TempDir dir;
    const auto state = dir.file("processed.txt");
    Background handler(HOOKTOOL_TEST_HANDLER, {"--mode", "correct", "--provider", provider,
                                               "--secret", secret_for(provider), "--state", state});
    static const std::regex kBanner(R"(handler listening on http://127\.0\.0\.1:([0-9]+))");
    const auto line = handler.wait_for_line(Stream::err, kBanner, std::chrono::seconds(10));
    std::smatch m;
    ASSERT_TRUE(line && std::regex_search(*line, m, kBanner)) << handler.describe();
    const auto r =
        e2e::hooktool({"check", provider, "--to", "127.0.0.1:" + m[1].str() + "/hook", "--secret",
                       secret_for(provider), "--json", "--probe", "cat '" + state + "'"},
                      std::chrono::seconds(60));
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
    std::set<std::string> skipped;
    std::size_t passed = 0;
    for (const auto& text : e2e::lines_of(r.out)) {
      const auto j = json::parse(text, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << text;
      if (j.contains("summary"))
        continue;
      const auto result = j.value("result", "");
      const auto name = j.value("check", "");
      if (result == "SKIP")
        skipped.insert(name);
      else if (result == "PASS")
        ++passed;
      else
        ADD_FAILURE() << name << ": " << text;
    }
    EXPECT_EQ(skipped,
              (std::set<std::string>{"rejects-stale-timestamp", "rejects-future-timestamp"}))
        << "no timestamp is signed; everything else applies";
    EXPECT_GE(passed, 9u);
  }
}

} // namespace e2e_providers_hmac
