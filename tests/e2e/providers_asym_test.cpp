// End to end for the asymmetric schemes (discord, sendgrid, Standard Webhooks v1a) and the
// Standard Webhooks flavours (openai, resend, clerk): every fixture sent by the built binary
// to `listen` with no --provider is detected, read back and verified; `check` runs for each.

#include "background.hpp"
#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_providers_asym {

namespace {

using e2e::Background;
using e2e::json_lines;
using e2e::listen_record;
using e2e::start_listen;
using e2e::TempDir;
using json = nlohmann::json;

const std::string kDiscordSeed = "67fff88884726008e9d5384b4058397e167b178c4937dba42dfdd0c9f53c5fed";
const std::string kDiscordPublic =
    "7e1aca23cc5425a11b5ec211eccd297eec998cd70fc338b21a5def47d7e32c22";
const std::string kSendgridPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQhtkBnXa+BjQ1KQJ\n"
    "bgfORep6727Wy87TG1tdiLuBeSahRANCAASFD1OB2x6J+H8O2RWqO0EudzMHy5YG\n"
    "bHVKJ6hKvnYjhRC7p8bOC3xbjLa2isDY77zp1pqE/czpw0KuP4dR7Esa\n"
    "-----END PRIVATE KEY-----\n";
const std::string kSendgridPublic =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhQ9Tgdseifh/DtkVqjtBLnczB8uWBmx1SieoSr52I4UQu6fGzgt8W4y2"
    "torA2O+86daahP3M6cNCrj+HUexLGg==";
const std::string kWhsk = "whsk_gdPx3g7KCbJTVegvsg91aexlDEpHweMCXdrKh1EC+nSRF2kd/4HFb9kEN7PO/"
                          "oOSHyWxHyp+VfX+s7zfj4vg+A==";
const std::string kWhpk = "whpk_kRdpHf+BxW/ZBDezzv6Dkh8lsR8qflX1/rO834+L4Pg=";
const std::string kOpenai = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwLMsFQfmeW9Q=";
const std::string kSvix = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

std::string addr(const Background& l) {
  return "http://127.0.0.1:" + std::to_string(l.port()) + "/hook";
}

std::string str(const json& j) {
  return j.is_string() ? j.get<std::string>() : "";
}

// The events `hooktool fixtures PROVIDER --json` lists.
std::vector<std::string> events_of(const std::string& provider) {
  const auto r = e2e::hooktool({"fixtures", provider, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::vector<std::string> out;
  for (const auto& j : json_lines(r.out))
    out.push_back(j.value("event", ""));
  return out;
}

struct Case {
  std::string provider;         // what send signs as
  std::vector<std::string> key; // send's key flags
  std::string listen_secret;    // listen's --secret
  std::string detected;         // what listen must say with no --provider
};

void expect_every_fixture_valid(const Case& c) {
  SCOPED_TRACE(c.provider);
  auto l = start_listen({"--json", "--secret", c.listen_secret});
  std::size_t n = 0;
  const auto events = events_of(c.provider);
  ASSERT_GE(events.size(), 4u);
  for (const auto& event : events) {
    SCOPED_TRACE(event);
    std::vector<std::string> argv{"send", c.provider, event, "--to", addr(*l), "--json"};
    argv.insert(argv.end(), c.key.begin(), c.key.end());
    const auto s = e2e::hooktool(argv);
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(str(rec["provider"]), c.detected) << rec.dump();
    EXPECT_EQ(str(rec["event_type"]), event) << rec.dump();
    EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  }
}

} // namespace

TEST(AsymE2E, DiscordFixturesAreDetectedAndVerifyWithThePublicKey) {
  expect_every_fixture_valid(
      {"discord", {"--secret", kDiscordSeed}, "discord=" + kDiscordPublic, "discord"});
}

TEST(AsymE2E, SendgridFixturesSignedFromAPemFileVerifyWithTheDashboardKey) {
  const TempDir dir;
  const auto pem = dir.write("sendgrid.pem", kSendgridPem);
  expect_every_fixture_valid(
      {"sendgrid", {"--secret-file", pem}, "sendgrid=" + kSendgridPublic, "sendgrid"});
}

TEST(AsymE2E, StandardV1aSignedWithWhskVerifiesWithWhpk) {
  expect_every_fixture_valid({"standard", {"--secret", kWhsk}, "standard=" + kWhpk, "standard"});
}

TEST(AsymE2E, OpenaiFixturesAreDetectedAsOpenai) {
  expect_every_fixture_valid({"openai", {"--secret", kOpenai}, "openai=" + kOpenai, "openai"});
}

// Resend and Clerk deliver through Svix: their headers are Svix's. Holding only a Svix secret,
// listen says svix (and verifies with it).
TEST(AsymE2E, ResendAndClerkDeliveriesAreDetectedAsSvix) {
  expect_every_fixture_valid({"resend", {"--secret", kSvix}, "svix=" + kSvix, "svix"});
  expect_every_fixture_valid({"clerk", {"--secret", kSvix}, "svix=" + kSvix, "svix"});
}

// Holding their own secrets (or none), listen tells them apart without --provider: by the
// secret it holds, else by the body's shape.
TEST(AsymE2E, ResendAndClerkAreDetectedByTheirSecretsAndBodies) {
  expect_every_fixture_valid({"resend", {"--secret", kSvix}, "resend=" + kSvix, "resend"});
  expect_every_fixture_valid({"clerk", {"--secret", kSvix}, "clerk=" + kSvix, "clerk"});
  auto l = start_listen({"--json", "--secret", "resend=" + kSvix, "--secret", "clerk=" + kSvix});
  std::size_t n = 0;
  for (const auto& [provider, event] : std::vector<std::pair<std::string, std::string>>{
           {"resend", "email.bounced"}, {"clerk", "session.ended"}}) {
    const auto s = e2e::hooktool({"send", provider, event, "--to", addr(*l), "--secret", kSvix});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(str(rec["provider"]), provider) << rec.dump();
    EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  }
}

TEST(AsymE2E, ListenProviderNamesResendAndClerk) {
  for (const std::string provider : {"resend", "clerk"}) {
    SCOPED_TRACE(provider);
    auto l = start_listen({"--json", "--provider", provider, "--secret", provider + "=" + kSvix});
    const auto event = provider == "resend" ? "email.delivered" : "user.created";
    const auto s = e2e::hooktool({"send", provider, event, "--to", addr(*l), "--secret", kSvix});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    const auto rec = listen_record(*l, 1);
    EXPECT_EQ(str(rec["provider"]), provider) << rec.dump();
    EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  }
}

TEST(AsymE2E, WrongPublicKeyIsInvalid) {
  auto l = start_listen({"--json", "--secret",
                         "discord=" + std::string(64, 'a') /* not the key's public half */,
                         "--secret", "sendgrid=" + kSendgridPublic});
  ASSERT_EQ(e2e::hooktool({"send", "discord", "application_command", "--to", addr(*l), "--secret",
                           kDiscordSeed})
                .exit_code,
            0);
  EXPECT_EQ(listen_record(*l, 1)["verification"]["status"], "invalid");
  ASSERT_EQ(
      e2e::hooktool({"send", "sendgrid", "delivered", "--to", addr(*l), "--secret", kSendgridPem,
                     "--tamper", "body", "--expect", "2xx"}) // listen answers 200
          .exit_code,
      0);
  EXPECT_EQ(listen_record(*l, 2)["verification"]["status"], "invalid");
}

TEST(AsymE2E, SignThenVerifyOffline) {
  const std::string body = R"({"type":2,"id":"1"})";
  const auto signed_ = e2e::hooktool(
      {"sign", "discord", "--secret", kDiscordSeed, "--body", body, "--timestamp", "1764065326"});
  ASSERT_EQ(signed_.exit_code, 0) << signed_.describe();
  std::vector<std::string> argv{"verify", "discord", "--secret", kDiscordPublic, "--body", body};
  for (const auto& line : e2e::lines_of(signed_.out)) {
    argv.emplace_back("-H");
    argv.push_back(line);
  }
  const auto v = e2e::hooktool(argv);
  EXPECT_EQ(v.exit_code, 0) << v.describe();
}

// Issue 14: Discord's private key as 64 hex characters or a PEM file via --secret-file; both
// sign the same bytes (Ed25519 is deterministic) and verify with the 64-hex Public Key.
TEST(AsymE2E, DiscordSignsFromAPemFileAsFromTheHexSeed) {
  const TempDir dir;
  const auto pem =
      dir.write("discord.pem",
                hooktool::crypto::ed25519_seed_to_pem(*hooktool::crypto::from_hex(kDiscordSeed)));
  const std::string body = R"({"type":2,"id":"1"})";
  const std::vector<std::string> common{"sign", "discord",     "--body",
                                        body,   "--timestamp", "1764065326"};
  auto from_hex = common;
  from_hex.insert(from_hex.end(), {"--secret", kDiscordSeed});
  auto from_pem = common;
  from_pem.insert(from_pem.end(), {"--secret-file", pem});
  const auto a = e2e::hooktool(from_hex);
  const auto b = e2e::hooktool(from_pem);
  ASSERT_EQ(b.exit_code, 0) << b.describe();
  EXPECT_EQ(b.out, a.out);
  std::vector<std::string> argv{"verify", "discord", "--secret", kDiscordPublic, "--body", body};
  for (const auto& line : e2e::lines_of(b.out))
    argv.insert(argv.end(), {"-H", line});
  const auto v = e2e::hooktool(argv);
  EXPECT_EQ(v.exit_code, 0) << v.describe();
}

TEST(AsymE2E, CheckRunsForEachProviderWithoutAnInternalError) {
  const TempDir dir;
  const auto pem = dir.write("sendgrid.pem", kSendgridPem);
  struct C {
    std::string provider;
    std::vector<std::string> key;
    std::string listen_secret;
  };
  const std::vector<C> cases{
      {"discord", {"--secret", kDiscordSeed}, "discord=" + kDiscordPublic},
      {"sendgrid", {"--secret-file", pem}, "sendgrid=" + kSendgridPublic},
      {"openai", {"--secret", kOpenai}, "openai=" + kOpenai},
      {"resend", {"--secret", kSvix}, "resend=" + kSvix},
      {"clerk", {"--secret", kSvix}, "clerk=" + kSvix},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.provider);
    auto l = start_listen({"-q", "--provider", c.provider, "--secret", c.listen_secret});
    std::vector<std::string> argv{"check", c.provider, "--to", addr(*l), "--json"};
    argv.insert(argv.end(), c.key.begin(), c.key.end());
    const auto r = e2e::hooktool(argv, std::chrono::seconds(60));
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.describe();
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
    EXPECT_FALSE(json_lines(r.out).empty()) << r.describe();
  }
}

TEST(KeygenE2E, NewPairsSignAndVerifyEndToEnd) {
  const TempDir dir;
  // discord: the key pair as JSON.
  const auto k = e2e::hooktool({"keygen", "discord", "--json"});
  ASSERT_EQ(k.exit_code, 0) << k.describe();
  const auto pair = json::parse(k.out);
  const auto priv = pair.value("private_key", "");
  const auto pub = pair.value("public_key", "");
  EXPECT_EQ(priv.size(), 64u);
  EXPECT_EQ(pub.size(), 64u);
  // sendgrid: the private key written to a file, the public key printed.
  const auto pem = dir.file("sg.pem");
  const auto g = e2e::hooktool({"keygen", "sendgrid", "--out", pem});
  ASSERT_EQ(g.exit_code, 0) << g.describe();
  const auto sg_pub = e2e::lines_of(g.out).at(0);
  EXPECT_EQ(g.out.find("PRIVATE KEY"), std::string::npos) << "the private key went to --out";

  auto l = start_listen({"--json", "--secret", "discord=" + pub, "--secret", "sendgrid=" + sg_pub});
  ASSERT_EQ(
      e2e::hooktool({"send", "discord", "application_command", "--to", addr(*l), "--secret", priv})
          .exit_code,
      0);
  const auto d = listen_record(*l, 1);
  EXPECT_EQ(str(d["provider"]), "discord");
  EXPECT_EQ(d["verification"]["status"], "valid") << d.dump();
  ASSERT_EQ(
      e2e::hooktool({"send", "sendgrid", "open", "--to", addr(*l), "--secret-file", pem}).exit_code,
      0);
  const auto s = listen_record(*l, 2);
  EXPECT_EQ(str(s["provider"]), "sendgrid");
  EXPECT_EQ(s["verification"]["status"], "valid") << s.dump();
  // The private key is never echoed by listen.
  EXPECT_EQ((l->out() + l->err()).find(priv), std::string::npos);
}

// standard: a v1a pair in the spec's formats, a whsk_ secret key and a whpk_ public key; svix
// (HMAC only) has no pair.
TEST(KeygenE2E, StandardV1aPairSignsAndVerifies) {
  const auto k = e2e::hooktool({"keygen", "standard", "--json"});
  ASSERT_EQ(k.exit_code, 0) << k.describe();
  const auto pair = json::parse(k.out);
  const auto priv = pair.value("private_key", "");
  const auto pub = pair.value("public_key", "");
  ASSERT_EQ(priv.rfind("whsk_", 0), 0u) << priv;
  ASSERT_EQ(pub.rfind("whpk_", 0), 0u) << pub;
  EXPECT_EQ(e2e::ref::b64decode(priv.substr(5)).size(), 64u) << "seed + public key";
  EXPECT_EQ(e2e::ref::b64decode(pub.substr(5)), e2e::ref::b64decode(priv.substr(5)).substr(32));
  auto l = start_listen({"--json", "--secret", "standard=" + pub});
  const auto s =
      e2e::hooktool({"send", "standard", "user.created", "--to", addr(*l), "--secret", priv});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  EXPECT_EQ(e2e::hooktool({"keygen", "svix"}).exit_code, 2);
}

TEST(KeygenE2E, SymmetricProvidersAreAUsageError) {
  const auto r = e2e::hooktool({"keygen", "stripe"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("shared secret"), std::string::npos) << r.describe();
  EXPECT_EQ(e2e::hooktool({"keygen", "nosuch"}).exit_code, 2);
}

} // namespace e2e_providers_asym
