// The development secret (#13): send and listen with no secret at all verify each other, the
// secret is kept 0600 in the state directory, `hooktool secret` shows and rotates it, and a
// mismatch with it is never called invalid. Every hooktool a test starts shares that test
// process's own HOOKTOOL_STATE_DIR (process.hpp).

#include "listen_fixture.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_dev_secret {

namespace {

using e2e::listen_record;
namespace fs = std::filesystem;

std::string at(const e2e::Background& l) {
  return "127.0.0.1:" + std::to_string(l.port()) + "/hook";
}

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Each test has a state directory of its own (the suite also runs as one process).
class DevSecret : public ::testing::Test {
protected:
  e2e::TempDir state;

  [[nodiscard]] fs::path secrets_dir() const { return state.path() / "secrets"; }
  e2e::ProcessResult hooktool(const std::vector<std::string>& args) const {
    e2e::ProcessOptions opts;
    opts.env["HOOKTOOL_STATE_DIR"] = state.path().string();
    return e2e::hooktool(args, opts);
  }
  std::unique_ptr<e2e::Background> start_listen(const std::vector<std::string>& args) const {
    e2e::BackgroundOptions opts;
    opts.env["HOOKTOOL_STATE_DIR"] = state.path().string();
    return e2e::start_listen(args, opts);
  }
};

TEST_F(DevSecret, SendToListenWithNoSecretVerifiesValid) {
  auto l = start_listen({"--json"});
  const auto first = hooktool({"send", "stripe", "invoice.paid", "--to", at(*l)});
  ASSERT_EQ(first.exit_code, 0) << first.describe();
  EXPECT_NE(first.err.find("made the development secret for stripe"), std::string::npos)
      << first.describe();
  auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  EXPECT_NE(rec["verification"]["reason"].get<std::string>().find("development secret"),
            std::string::npos)
      << rec.dump();
  // Kept, private, and said only once.
  EXPECT_EQ(mode_of(secrets_dir()), 0700u);
  EXPECT_EQ(mode_of(secrets_dir() / "stripe"), 0600u);
  const auto second = hooktool({"send", "stripe", "customer.created", "--to", at(*l)});
  ASSERT_EQ(second.exit_code, 0) << second.describe();
  EXPECT_EQ(second.err.find("development secret"), std::string::npos) << second.describe();
  rec = listen_record(*l, 2);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
}

TEST_F(DevSecret, KeyPairSchemeVerifiesWithTheDerivedPublicKey) {
  auto l = start_listen({"--json"});
  const auto s = hooktool({"send", "discord", "application_command", "--to", at(*l)});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_NE(s.err.find("the public key"), std::string::npos) << s.describe();
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["provider"], "discord") << rec.dump();
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
}

TEST_F(DevSecret, SecretCommandShowsWhatSendSignsWithAndRotateReplacesIt) {
  const auto shown = hooktool({"secret", "github", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.describe();
  const auto j = nlohmann::json::parse(shown.out);
  const std::string secret = j.at("secret");
  EXPECT_EQ(j.at("file"), (secrets_dir() / "github").string());
  EXPECT_TRUE(j.at("created").get<bool>());
  // A handler configured with the shown secret accepts what send signs.
  auto l = start_listen({"--json", "--secret", "github=" + secret});
  ASSERT_EQ(hooktool({"send", "github", "push", "--to", at(*l)}).exit_code, 0);
  EXPECT_EQ(listen_record(*l, 1)["verification"]["status"], "valid");
  // After a rotation send signs with the new secret, which the old one does not verify.
  const auto rotated = hooktool({"secret", "github", "--rotate", "--json"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.describe();
  const std::string fresh = nlohmann::json::parse(rotated.out).at("secret");
  EXPECT_NE(fresh, secret);
  ASSERT_EQ(hooktool({"send", "github", "push", "--to", at(*l)}).exit_code, 0);
  EXPECT_EQ(listen_record(*l, 2)["verification"]["status"], "invalid");
  // The listing names the family and its file, never the secret.
  const auto listing = hooktool({"secret"});
  ASSERT_EQ(listing.exit_code, 0) << listing.describe();
  EXPECT_NE(listing.out.find("github"), std::string::npos) << listing.describe();
  EXPECT_EQ(listing.out.find(fresh), std::string::npos) << listing.describe();
}

TEST_F(DevSecret, ARotationIsSeenByARunningListen) {
  auto l = start_listen({"--json"});
  ASSERT_EQ(hooktool({"send", "shopify", "orders/create", "--to", at(*l)}).exit_code, 0);
  EXPECT_EQ(listen_record(*l, 1)["verification"]["status"], "valid");
  ASSERT_EQ(hooktool({"secret", "shopify", "--rotate"}).exit_code, 0);
  ASSERT_EQ(hooktool({"send", "shopify", "orders/create", "--to", at(*l)}).exit_code, 0);
  EXPECT_EQ(listen_record(*l, 2)["verification"]["status"], "valid");
}

TEST_F(DevSecret, AnotherSecretsDeliveryIsUnverifiedNotInvalid) {
  ASSERT_EQ(hooktool({"secret", "stripe"}).exit_code, 0); // a development secret exists
  auto l = start_listen({"--json"});
  // Signed with a real secret listen was not given: the development secret cannot judge it.
  const auto s =
      hooktool({"send", "stripe", "invoice.paid", "--to", at(*l), "--secret", "whsec_production"});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "unverified") << rec.dump();
  EXPECT_NE(
      rec["verification"]["reason"].get<std::string>().find("development secret does not match"),
      std::string::npos)
      << rec.dump();
}

TEST_F(DevSecret, ASymbolicLinkIsNotFollowed) {
  fs::create_directories(secrets_dir());
  ::chmod(secrets_dir().c_str(), 0700);
  const auto target = state.path() / "elsewhere";
  fs::create_symlink(target, secrets_dir() / "stripe");
  const auto s = hooktool({"send", "stripe", "invoice.paid", "--to", "127.0.0.1:9", "--dry-run"});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_NE(s.err.find("symbolic link"), std::string::npos) << s.describe();
  EXPECT_FALSE(fs::exists(target)) << "followed the link";
  const auto shown = hooktool({"secret", "stripe"});
  EXPECT_EQ(shown.exit_code, 2) << shown.describe();
  EXPECT_NE(shown.err.find("symbolic link"), std::string::npos) << shown.describe();
}

TEST_F(DevSecret, CheckUsesAnExistingDevelopmentSecretAndNamesItOtherwise) {
  const auto none = hooktool({"check", "slack", "--to", "127.0.0.1:9"});
  EXPECT_EQ(none.exit_code, 2) << none.describe();
  EXPECT_NE(none.err.find("hooktool secret slack"), std::string::npos) << none.describe();
  ASSERT_EQ(hooktool({"secret", "slack"}).exit_code, 0);
  const auto with = hooktool({"check", "slack", "--to", "127.0.0.1:9"});
  EXPECT_NE(with.err.find("checking with the development secret"), std::string::npos)
      << with.describe();
}

TEST_F(DevSecret, UnknownProviderAndRotateWithoutProviderAreUsageErrors) {
  const auto typo = hooktool({"secret", "stirpe"});
  EXPECT_EQ(typo.exit_code, 2) << typo.describe();
  EXPECT_NE(typo.err.find("stripe"), std::string::npos) << typo.describe();
  EXPECT_EQ(hooktool({"secret", "--rotate"}).exit_code, 2);
  const auto empty = hooktool({"secret"});
  EXPECT_EQ(empty.exit_code, 0) << empty.describe();
  EXPECT_NE(empty.err.find("no development secret yet"), std::string::npos) << empty.describe();
}

} // namespace

} // namespace e2e_dev_secret
