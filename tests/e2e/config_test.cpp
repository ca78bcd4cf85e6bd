// Config files end to end: .hooktool.toml in the working directory and the user's
// $XDG_CONFIG_HOME/hooktool/config.toml feed send, listen and replay, with flags beating the
// environment, which beats the project file, which beats the user file.

#include "background.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_config {

namespace {

using namespace std::chrono_literals;
using e2e::Background;
using e2e::BackgroundOptions;
using e2e::hooktool;
using e2e::ProcessOptions;
using e2e::Receiver;
using e2e::start_listen;
using e2e::Stream;
using e2e::TempDir;

const std::string kStripe = "whsec_configtestsecret0123456789";
const std::string kGithub = "gh-config-secret";

// A project directory and a user config directory, with the options that make a child use them.
struct ConfigDirs {
  TempDir dir;
  std::string project() const { return dir.file("project"); }
  std::string user_file() const { return dir.file("xdg/hooktool/config.toml"); }
  ConfigDirs() {
    std::filesystem::create_directories(project());
    std::filesystem::create_directories(dir.file("xdg/hooktool"));
  }
  void write_project(const std::string& text, mode_t mode = 0600) const {
    const auto p = project() + "/.hooktool.toml";
    e2e::write_file(p, text);
    ::chmod(p.c_str(), mode);
  }
  void write_user(const std::string& text) const {
    e2e::write_file(user_file(), text);
    ::chmod(user_file().c_str(), 0600);
  }
  template <class Options> Options options(std::map<std::string, std::string> env = {}) const {
    Options o;
    o.cwd = project();
    o.env["XDG_CONFIG_HOME"] = dir.file("xdg");
    for (auto& [k, v] : env)
      o.env[k] = v;
    return o;
  }
  e2e::ProcessResult run(const std::vector<std::string>& args,
                         std::map<std::string, std::string> env = {}) const {
    return hooktool(args, options<ProcessOptions>(std::move(env)));
  }
};

// The target line of `send --dry-run`: "POST http://… HTTP/1.1".
std::string dry_run_target(const ConfigDirs& s, std::vector<std::string> extra,
                           std::map<std::string, std::string> env = {}) {
  std::vector<std::string> args{"send", "github", "ping", "--dry-run", "--secret", "x"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = s.run(args, std::move(env));
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = e2e::lines_of(r.out);
  return lines.empty() ? "" : lines.front();
}

TEST(ConfigE2E, TargetPrecedenceIsFlagThenEnvThenProjectThenUser) {
  ConfigDirs s;
  s.write_user("to = \"127.0.0.1:1/user\"\n");
  EXPECT_EQ(dry_run_target(s, {}), "POST http://127.0.0.1:1/user HTTP/1.1");
  s.write_project("to = \"127.0.0.1:2/project\"\n");
  EXPECT_EQ(dry_run_target(s, {}), "POST http://127.0.0.1:2/project HTTP/1.1");
  EXPECT_EQ(dry_run_target(s, {}, {{"HOOKTOOL_TO", "127.0.0.1:3/env"}}),
            "POST http://127.0.0.1:3/env HTTP/1.1");
  EXPECT_EQ(dry_run_target(s, {"--to", "127.0.0.1:4/flag"}, {{"HOOKTOOL_TO", "127.0.0.1:3/env"}}),
            "POST http://127.0.0.1:4/flag HTTP/1.1");
  // --no-config leaves only flags and the environment.
  const auto r = s.run({"--no-config", "send", "github", "ping", "--dry-run", "--secret", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("send needs --to URL"), std::string::npos) << r.err;
}

TEST(ConfigE2E, SendUsesTheProjectTargetAndSecretAndTheDeliveryVerifies) {
  ConfigDirs s;
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe});
  s.write_project("to = \"127.0.0.1:" + std::to_string(l->port()) +
                  "/billing\"\n[secrets]\nstripe = \"" + kStripe + "\"\n");
  const auto r = s.run({"send", "stripe", "invoice.paid", "--expect", "2xx"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err.find("generated"), std::string::npos) << "no generated secret: " << r.err;
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["path"], "/billing");
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
}

TEST(ConfigE2E, UserSecretFileIsUsedAndAFlagSecretWins) {
  ConfigDirs s;
  e2e::write_file(s.dir.file("xdg/hooktool/github.secret"), kGithub + "\n");
  s.write_user("[secret_files]\ngithub = \"github.secret\"\n");
  auto l = start_listen({"--json", "--secret", "github=" + kGithub});
  const auto to = "127.0.0.1:" + std::to_string(l->port());
  auto r = s.run({"send", "github", "push", "--to", to});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(e2e::listen_record(*l, 1)["verification"]["status"], "valid");
  r = s.run({"send", "github", "push", "--to", to, "--secret", "other"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(e2e::listen_record(*l, 2)["verification"]["status"], "invalid");
  r = s.run({"send", "github", "push", "--to", to}, {{"HOOKTOOL_SECRET", "from-env"}});
  EXPECT_EQ(e2e::listen_record(*l, 3)["verification"]["status"], "invalid")
      << "the environment beats the config file";
}

TEST(ConfigE2E, ListenTakesPortSecretsAndForwardRoutesFromTheConfig) {
  ConfigDirs s;
  Receiver handler({202});
  const int port = e2e::free_port();
  ASSERT_GT(port, 0);
  s.write_project("[listen]\nport = " + std::to_string(port) +
                  "\nforward = [\"github:*=127.0.0.1:" + std::to_string(handler.port()) +
                  "/gh\"]\n[secrets]\ngithub = \"" + kGithub + "\"\n");
  Background l(e2e::kHooktool, {"listen", "--json"}, s.options<BackgroundOptions>());
  ASSERT_EQ(l.wait_port(10s), port) << l.describe();
  const auto r = hooktool({"send", "github", "push", "--to", "127.0.0.1:" + std::to_string(port),
                           "--secret", kGithub, "--expect", "202"});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << l.describe();
  const auto rec = e2e::listen_record(l, 1);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  ASSERT_TRUE(handler.wait_for(1, 5s));
  EXPECT_EQ(handler.requests().at(0).path, "/gh");
}

TEST(ConfigE2E, ListenPortFlagBeatsEnvironmentBeatsConfig) {
  ConfigDirs s;
  s.write_project("[listen]\nport = 1\n"); // would need root: never used below
  Background l(e2e::kHooktool, {"listen", "--port", "0"},
               s.options<BackgroundOptions>({{"HOOKTOOL_PORT", "2"}}));
  EXPECT_GT(l.wait_port(10s), 2) << l.describe();
  const int port = e2e::free_port();
  Background env(e2e::kHooktool, {"listen"},
                 s.options<BackgroundOptions>({{"HOOKTOOL_PORT", std::to_string(port)}}));
  EXPECT_EQ(env.wait_port(10s), port) << env.describe();
  const auto bad = s.run({"listen"}, {{"HOOKTOOL_PORT", "http"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("HOOKTOOL_PORT: expected a port 0..65535, got 'http'"), std::string::npos)
      << bad.err;
}

TEST(ConfigE2E, ShowListsEachSettingWithItsSourceAndRedactsSecrets) {
  ConfigDirs s;
  s.write_project("to = \":3000/hooks\"\n[secrets]\nstripe = \"" + kStripe + "\"\n");
  s.write_user("[listen]\nport = 9123\n[secrets]\nstripe = \"whsec_usersecretshadowed\"\n"
               "github = \"" +
               kGithub + "\"\n");
  const auto r = s.run({"config", "show", "--json"}, {{"HOOKTOOL_HOST", "::1"}});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.find(kStripe), std::string::npos) << "secret printed in full: " << r.out;
  EXPECT_EQ(r.out.find(kGithub), std::string::npos) << "secret printed in full: " << r.out;
  const auto j = nlohmann::json::parse(r.out);
  const auto& set = j["settings"];
  EXPECT_EQ(set["to"]["value"], ":3000/hooks");
  EXPECT_EQ(set["to"]["source"], "project");
  EXPECT_EQ(set["to"]["where"], ".hooktool.toml:1");
  EXPECT_EQ(set["listen.port"]["value"], 9123);
  EXPECT_EQ(set["listen.port"]["source"], "user");
  EXPECT_EQ(set["listen.host"]["value"], "::1");
  EXPECT_EQ(set["listen.host"]["source"], "env");
  EXPECT_EQ(set["secret stripe"]["source"], "project");
  EXPECT_EQ(set["secret github"]["source"], "user");
  EXPECT_EQ(j["files"]["project"]["state"], "read");
  EXPECT_EQ(j["files"]["user"]["state"], "read");

  const auto text = s.run({"config", "show"});
  ASSERT_EQ(text.exit_code, 0) << text.describe();
  EXPECT_NE(text.out.find("secret stripe"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find(kStripe), std::string::npos) << text.out;
}

TEST(ConfigE2E, BrokenConfigIsOneLineWithFileAndLineAndNoConfigSkipsIt) {
  ConfigDirs s;
  s.write_project("to = \":3000\"\n[listen]\nprot = 9000\n");
  const auto r = s.run({"send", "github", "ping", "--dry-run", "--secret", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.err,
            "hooktool: .hooktool.toml:3: unknown key 'listen.prot' (did you mean 'port'?)\n");
  // --version and --help read no config file.
  EXPECT_EQ(s.run({"--version"}).exit_code, 0);
  EXPECT_EQ(s.run({"send", "--help"}).exit_code, 0);
  const auto skipped =
      s.run({"--no-config", "send", "github", "ping", "--dry-run", "--secret", "x", "--to", ":1"});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.describe();

  s.write_project("to = \"ftp://x\"\n");
  const auto bad_to = s.run({"send", "github", "ping", "--dry-run", "--secret", "x"});
  EXPECT_EQ(bad_to.exit_code, 2);
  EXPECT_EQ(bad_to.err.rfind("hooktool: .hooktool.toml:1: to: ", 0), 0U) << bad_to.err;
}

TEST(ConfigE2E, ValidTomlTheOldReaderRefusedIsRead) {
  ConfigDirs s;
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe});
  s.write_project("to = \"\"\"\n127.0.0.1:" + std::to_string(l->port()) +
                  "/billing\"\"\"\nlisten = { port = 9100 }\nsecrets = { stripe = '''" + kStripe +
                  "''' }\n");
  const auto r = s.run({"send", "stripe", "invoice.paid", "--expect", "2xx"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["path"], "/billing");
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
}

TEST(ConfigE2E, ConfigErrorsNeverEchoASecretOrALongKey) {
  ConfigDirs s;
  s.write_project("[secrets]\nstripe = whsec_LEAKED\n");
  auto r = s.run({"send", "stripe", "invoice.paid", "--dry-run", "--to", ":1"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.err, "hooktool: .hooktool.toml:2:10: not a TOML value (strings need quotes: KEY = "
                   "\"VALUE\")\n");
  const std::string key(10U << 20U, 'k');
  s.write_project(key + " = 1\n");
  r = s.run({"send", "stripe", "invoice.paid", "--dry-run", "--to", ":1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "hooktool: .hooktool.toml:1: unknown key '" + std::string(60, 'k') + "…'\n");
}

TEST(ConfigE2E, SecretFilesThatAreNotSmallRegularFilesAreRefusedAtOnce) {
  ConfigDirs s;
  const auto fifo = s.dir.file("secret.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& [path, kind] : std::vector<std::pair<std::string, std::string>>{
           {fifo, "is a FIFO"}, {"/dev/zero", "is a character device"}}) {
    // Each of these hung before (the harness's timeout bounds the run).
    auto r = s.run({"send", "github", "ping", "--dry-run", "--to", ":1", "--secret-file", path});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(r.err, "hooktool: --secret-file: secret file " + path + ": " + kind +
                         ", not a regular file\n");
    s.write_user("[secret_files]\ngithub = \"" + path + "\"\n");
    r = s.run({"send", "github", "ping", "--dry-run", "--to", ":1"});
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_EQ(r.err, "hooktool: " + s.user_file() + ":2: secret file " + path + ": " + kind +
                         ", not a regular file\n");
  }
  const auto big = s.dir.file("big.secret");
  e2e::write_file(big, std::string(100 * 1024, 'S'));
  const auto r =
      s.run({"listen", "--port", "0", "--count", "1", "--secret-file", big, "--timeout", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.err, "hooktool: --secret-file: secret file " + big + ": is larger than 64 KiB\n");
}

TEST(ConfigE2E, AProjectFileOthersCanWriteIsIgnoredWithAWarning) {
  ConfigDirs s;
  s.write_project("to = \"127.0.0.1:9/evil\"\n", 0666);
  const auto r = s.run({"send", "github", "ping", "--dry-run", "--secret", "x"});
  EXPECT_EQ(r.exit_code, 2) << "the ignored file must not supply --to: " << r.describe();
  EXPECT_NE(r.err.find("ignored: writable by other users"), std::string::npos) << r.err;
}

TEST(ConfigE2E, ReplayResignsWithTheConfigSecret) {
  ConfigDirs s;
  TempDir dir;
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe});
  const auto saved = dir.file("sent.jsonl");
  const auto to = "127.0.0.1:" + std::to_string(l->port());
  auto r = hooktool(
      {"send", "stripe", "invoice.paid", "--to", to, "--secret", "whsec_wrong", "--save", saved});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(e2e::listen_record(*l, 1)["verification"]["status"], "invalid");
  s.write_project("to = \"" + to + "\"\n[secrets]\nstripe = \"" + kStripe + "\"\n");
  r = s.run({"replay", saved, "--resign"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(e2e::listen_record(*l, 2)["verification"]["status"], "valid");
}

} // namespace

} // namespace e2e_config
