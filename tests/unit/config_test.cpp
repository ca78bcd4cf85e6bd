#include "core/config.hpp"
#include "util/error.hpp"
#include "util/toml.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using hooktool::Error;
using hooktool::core::Layer;
using hooktool::util::parse_toml;

std::string error_of(std::string_view text) {
  try {
    (void)parse_toml(text, "f.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Toml, ReadsTablesKeysAndEveryValueType) {
  const auto entries = parse_toml("# comment\n"
                                  "to = \"localhost:3000\" # trailing\n"
                                  "\n"
                                  "[listen]\n"
                                  "port = 9_001\n"
                                  "ratio = 0.5\n"
                                  "on = true\n"
                                  "forward = [\n"
                                  "  'a=b',  # first\n"
                                  "  \"c\\u00e9\\\"\",\n"
                                  "]\n"
                                  "[\"secrets\"]\n"
                                  "a.b = -3\n",
                                  "f.toml");
  ASSERT_EQ(entries.size(), 6U);
  EXPECT_EQ(entries[0].path, std::vector<std::string>{"to"});
  EXPECT_EQ(std::get<std::string>(entries[0].value.data), "localhost:3000");
  EXPECT_EQ(entries[0].line, 2U);
  EXPECT_EQ(entries[1].path, (std::vector<std::string>{"listen", "port"}));
  EXPECT_EQ(std::get<std::int64_t>(entries[1].value.data), 9001);
  EXPECT_DOUBLE_EQ(std::get<double>(entries[2].value.data), 0.5);
  EXPECT_TRUE(std::get<bool>(entries[3].value.data));
  const auto& routes = std::get<hooktool::util::TomlValue::Array>(entries[4].value.data);
  ASSERT_EQ(routes.size(), 2U);
  EXPECT_EQ(std::get<std::string>(routes[0].data), "a=b");
  EXPECT_EQ(std::get<std::string>(routes[1].data), "c\xC3\xA9\"");
  EXPECT_EQ(entries[5].path, (std::vector<std::string>{"secrets", "a", "b"}));
  EXPECT_EQ(entries[5].line, 13U);
}

TEST(Toml, AcceptsCrlfAndABom) {
  const auto entries = parse_toml("\xEF\xBB\xBFto = 'x'\r\n[listen]\r\nport = 1\r\n", "f.toml");
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[1].line, 3U);
}

TEST(Toml, RefusesWhatItDoesNotReadWithTheLine) {
  EXPECT_EQ(error_of("a = 1\nb = \"open\n"), "f.toml:2: unterminated string");
  EXPECT_EQ(error_of("a = 1\na = 2\n"), "f.toml:2: key 'a' is defined twice");
  EXPECT_EQ(error_of("[t]\n[t]\n"), "f.toml:2: table [t] is defined twice");
  EXPECT_EQ(error_of("a = localhost\n"),
            "f.toml:1: 'localhost' is not a value (strings need quotes)");
  EXPECT_EQ(error_of("a = 1 2\n"),
            "f.toml:1: unexpected text after the value (a comment starts with '#')");
  EXPECT_EQ(error_of("a\n"), "f.toml:1: expected '=' after the key");
  EXPECT_EQ(error_of("= 1\n"), "f.toml:1: missing key name");
  EXPECT_EQ(error_of("a = \n"), "f.toml:1: missing value");
  EXPECT_EQ(error_of("a = [1, 2\n"), "f.toml:2: unterminated array");
  EXPECT_EQ(error_of("a = \"\\q\"\n"), "f.toml:1: unknown escape '\\q' in a string");
  EXPECT_EQ(error_of("a = \"\\uD800\"\n"), "f.toml:1: \\u escape is not a Unicode scalar value");
  EXPECT_EQ(error_of("a = 99999999999999999999\n"),
            "f.toml:1: integer '99999999999999999999' is out of range");
  EXPECT_EQ(error_of("a = 012\n"), "f.toml:1: '012' is not a value (strings need quotes)");
  EXPECT_NE(error_of("a = {x = 1}\n").find("inline tables are not supported"), std::string::npos);
  EXPECT_NE(error_of("[[t]]\n").find("arrays of tables"), std::string::npos);
  EXPECT_NE(error_of("a = \"\"\"x\"\"\"\n").find("multi-line strings"), std::string::npos);
  EXPECT_EQ(error_of(std::string(40, '[').insert(0, "a = ")), "f.toml:1: arrays nested too deeply");
  EXPECT_EQ(error_of(std::string("a = \"x\x01\"\n")),
            "f.toml:1: control character in a string (escape it)");
}

std::filesystem::path home() {
  return "/home/someone";
}

TEST(ConfigFile, ReadsEverySetting) {
  const auto file =
      hooktool::core::parse_config("to = \":3000/hooks\"\n"
                                   "[listen]\nhost = \"::1\"\nport = 9100\n"
                                   "forward = \"localhost:3000\"\n"
                                   "[secrets]\nstripe = \"whsec_x\"\nsvix = \"whsec_y\"\n"
                                   "[secret_files]\ngithub = \"gh.secret\"\n"
                                   "shopify = \"~/s\"\ntwilio = \"/abs/t\"\n",
                                   "/proj/.hooktool.toml", Layer::project, home());
  ASSERT_TRUE(file.to);
  EXPECT_EQ(file.to->value, ":3000/hooks");
  EXPECT_EQ(file.to->where, "/proj/.hooktool.toml:1");
  EXPECT_EQ(file.listen_host->value, "::1");
  EXPECT_EQ(file.listen_port->value, 9100);
  EXPECT_EQ(file.forward->value, std::vector<std::string>{"localhost:3000"});
  EXPECT_EQ(file.secrets.at("stripe").value, "whsec_x");
  EXPECT_EQ(file.secrets.at("standard").value, "whsec_y"); // svix shares standard's secret
  EXPECT_EQ(file.secret_files.at("github").value, "/proj/gh.secret");
  EXPECT_EQ(file.secret_files.at("shopify").value, "/home/someone/s");
  EXPECT_EQ(file.secret_files.at("twilio").value, "/abs/t");
}

std::string config_error(std::string_view text) {
  try {
    (void)hooktool::core::parse_config(text, "c.toml", Layer::user, home());
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigFile, NamesMistakesWithTheLine) {
  EXPECT_EQ(config_error("[secrets]\nstirpe = \"x\"\n"),
            "c.toml:2: unknown provider 'stirpe' in [secrets] (did you mean 'stripe'?)");
  EXPECT_EQ(config_error("[listen]\nportt = 1\n"),
            "c.toml:2: unknown key 'listen.portt' (did you mean 'port'?)");
  EXPECT_EQ(config_error("[listn]\nport = 1\n"),
            "c.toml:2: unknown table [listn] (did you mean [listen]?)");
  EXPECT_EQ(config_error("too = 'x'\n"), "c.toml:1: unknown key 'too' (did you mean 'to'?)");
  EXPECT_EQ(config_error("to = 3\n"), "c.toml:1: 'to' must be a string, not integer");
  EXPECT_EQ(config_error("[listen]\nport = 70000\n"),
            "c.toml:2: 'listen.port' must be 0..65535, got 70000");
  EXPECT_EQ(config_error("[listen]\nport = \"9000\"\n"),
            "c.toml:2: 'listen.port' must be an integer, not string");
  EXPECT_EQ(config_error("[listen]\nforward = [1]\n"),
            "c.toml:2: 'listen.forward' must list strings, found integer");
  EXPECT_EQ(config_error("[secrets]\nstandard = 'a'\nsvix = 'b'\n"),
            "c.toml:3: a secret for standard is already set in [secrets]");
  EXPECT_EQ(config_error("[secrets]\nstripe = ''\n"), "c.toml:2: 'secrets.stripe' is empty");
  EXPECT_EQ(config_error("secrets = 'x'\n"),
            "c.toml:1: unknown key 'secrets' (write it under [secrets] as KEY = VALUE)");
}

class ConfigFiles : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hooktool-config-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "user");
    paths_.project = dir_ / ".hooktool.toml";
    paths_.user = dir_ / "user" / "config.toml";
    paths_.home = dir_;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static void write(const std::filesystem::path& p, std::string_view text, mode_t mode = 0600) {
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
  }
  std::filesystem::path dir_;
  hooktool::core::ConfigPaths paths_;
};

TEST_F(ConfigFiles, ProjectBeatsUserSettingBySetting) {
  write(paths_.project, "to = ':1/p'\n[secrets]\nstripe = 'whsec_project'\n");
  write(paths_.user, "to = ':2/u'\n[listen]\nport = 9200\n[secrets]\nstripe = 'whsec_user'\n"
                     "github = 'gh_user'\n");
  const auto config = hooktool::core::load_config(paths_);
  EXPECT_TRUE(config.warnings.empty());
  EXPECT_EQ(config.to()->value, ":1/p");
  EXPECT_EQ(config.to()->layer, Layer::project);
  EXPECT_EQ(config.listen_port()->value, 9200);
  EXPECT_EQ(config.listen_port()->layer, Layer::user);
  EXPECT_EQ(config.secret("stripe")->value, "whsec_project");
  EXPECT_EQ(config.secret("github")->value, "gh_user");
  EXPECT_FALSE(config.secret("shopify"));
  EXPECT_EQ(config.secret_families(), (std::vector<std::string>{"stripe", "github"}));
}

TEST_F(ConfigFiles, MissingFilesAreNoConfig) {
  const auto config = hooktool::core::load_config(paths_);
  EXPECT_FALSE(config.project);
  EXPECT_FALSE(config.user);
  EXPECT_EQ(config.to(), nullptr);
}

TEST_F(ConfigFiles, SecretFilesAreReadWhenAskedFor) {
  write(dir_ / "gh.secret", "s3cret\n");
  write(paths_.project, "[secret_files]\ngithub = 'gh.secret'\nstripe = 'missing.secret'\n");
  const auto config = hooktool::core::load_config(paths_);
  EXPECT_EQ(config.secret("github")->value, "s3cret");
  try {
    (void)config.secret("stripe");
    FAIL() << "a missing secret file must be an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(".hooktool.toml:3: secret file"), std::string::npos)
        << e.what();
  }
}

TEST_F(ConfigFiles, AProjectFileOthersCanWriteIsIgnored) {
  write(paths_.project, "to = ':1/evil'\n", 0666);
  const auto config = hooktool::core::load_config(paths_);
  EXPECT_FALSE(config.project);
  ASSERT_EQ(config.warnings.size(), 1U);
  EXPECT_NE(config.warnings[0].find("writable by other users"), std::string::npos);
}

TEST_F(ConfigFiles, SecretsReadableByOthersAreWarnedAbout) {
  write(paths_.user, "[secrets]\nstripe = 'whsec_x'\n", 0644);
  const auto config = hooktool::core::load_config(paths_);
  ASSERT_TRUE(config.user);
  ASSERT_EQ(config.warnings.size(), 1U);
  EXPECT_NE(config.warnings[0].find("chmod 600"), std::string::npos);
  // Without secrets a readable file is fine.
  write(paths_.user, "to = ':3000'\n", 0644);
  EXPECT_TRUE(hooktool::core::load_config(paths_).warnings.empty());
}

TEST_F(ConfigFiles, ParseErrorsNameTheFile) {
  write(paths_.user, "[listen]\nport = 'x'\n");
  try {
    (void)hooktool::core::load_config(paths_);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              paths_.user.string() + ":2: 'listen.port' must be an integer, not string");
  }
}

} // namespace
