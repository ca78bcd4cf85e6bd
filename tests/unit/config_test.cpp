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

TEST(Toml, RefusesInvalidTomlWithLineAndColumn) {
  EXPECT_EQ(error_of("a = 1\nb = \"open\n"),
            "f.toml:2:10: unescaped control characters other than TAB (U+0009) are explicitly "
            "prohibited (in string)");
  EXPECT_EQ(error_of("a = 1\na = 2\n"),
            "f.toml:2:5: cannot redefine existing integer 'a' (in key-value pair)");
  EXPECT_EQ(error_of("[t]\n[t]\n"),
            "f.toml:2:1: cannot redefine existing table 't' (in table header)");
  EXPECT_EQ(error_of("a = localhost\n"),
            "f.toml:1:5: not a TOML value (strings need quotes: KEY = \"VALUE\")");
  EXPECT_EQ(error_of("a = 1 2\n"),
            "f.toml:1:7: expected a comment or whitespace (in key-value pair)");
  EXPECT_EQ(error_of("a\n"), "f.toml:1:2: expected '=' (in key-value pair)");
  EXPECT_EQ(error_of("a = \n"), "f.toml:1:5: expected value (in key-value pair)");
  EXPECT_EQ(error_of("a = [1, 2\n"), "f.toml:1:11: encountered end-of-file (in array)");
  EXPECT_EQ(error_of("a = \"\\q\"\n"), "f.toml:1:7: unknown escape sequence '\\q' (in string)");
  EXPECT_EQ(error_of("a = 99999999999999999999\n"),
            "f.toml:1:25: decimal integer is not representable in 64 bits");
  EXPECT_EQ(error_of("a = 012\n"),
            "f.toml:1:8: leading zeroes are prohibited (in decimal integer)");
  EXPECT_NE(error_of(std::string(1000, '[').insert(0, "a = ")).find("maximum nested value depth"),
            std::string::npos);
  EXPECT_EQ(error_of("a = \"\xff\"\n").rfind("f.toml:1:", 0), 0U);
}

TEST(Toml, AcceptsWhatTheOldSubsetRefused) {
  const auto entries = parse_toml("to = \"\"\"\nlocalhost:3000\"\"\"\n"
                                  "when = 1979-05-27T07:32:00Z\n"
                                  "listen = { port = 9000, host = '::1' }\n"
                                  "[secrets]\n"
                                  "stripe = '''whsec_'x'''' # literal, multi-line form\n"
                                  "[[arr]]\nk = 1\n"
                                  "[empty]\n",
                                  "f.toml");
  ASSERT_EQ(entries.size(), 7U);
  EXPECT_EQ(entries[0].path, std::vector<std::string>{"to"});
  EXPECT_EQ(std::get<std::string>(entries[0].value.data), "localhost:3000");
  EXPECT_EQ(entries[1].value.type_name(), "date-time");
  EXPECT_EQ(entries[1].line, 3U);
  EXPECT_EQ(entries[2].path, (std::vector<std::string>{"listen", "port"}));
  EXPECT_EQ(entries[2].line, 4U);
  EXPECT_EQ(entries[3].path, (std::vector<std::string>{"listen", "host"}));
  EXPECT_EQ(std::get<std::string>(entries[4].value.data), "whsec_'x'");
  EXPECT_EQ(entries[5].path, std::vector<std::string>{"arr"});
  EXPECT_EQ(entries[5].value.type_name(), "array");
  EXPECT_TRUE(std::get<hooktool::util::TomlValue::Array>(entries[5].value.data).at(0).is_table());
  EXPECT_EQ(entries[6].path, std::vector<std::string>{"empty"});
  EXPECT_TRUE(entries[6].value.is_table());
}

// What an error quotes: never a value (an unquoted secret), at most 60 characters of a key.
TEST(Toml, ErrorsNeverEchoValuesOrLongKeys) {
  for (const char* text :
       {"stripe = LEAK\n", "stripe = LEAK LEAK\n", "stripe = tLEAK\n", "stripe = 1LEAK\n",
        "stripe = \"x\" LEAK\n", "stripe = 123LEAK\n", "stripe = [LEAK]\n", "stripe = {LEAK}\n"}) {
    SCOPED_TRACE(text);
    const auto e = error_of(text);
    EXPECT_EQ(e.find("LEAK"), std::string::npos) << e;
    EXPECT_EQ(e.find("'L"), std::string::npos) << e;
    EXPECT_EQ(e.rfind("f.toml:1:", 0), 0U) << e;
  }
  EXPECT_EQ(error_of("stripe = 12345678901234567890123\n").find("1234"), std::string::npos);

  const std::string key(10U << 20U, 'k');
  EXPECT_EQ(error_of(key + " = 1\n" + key + " = 2\n"),
            "f.toml:2:" + std::to_string(key.size() + 4) + ": cannot redefine existing integer '" +
                std::string(60, 'k') + "…' (in key-value pair)");
  const auto value = error_of("a = \"" + std::string(10U << 20U, 'v') + "\n");
  EXPECT_LT(value.size(), 200U);
  EXPECT_EQ(value.find("vvv"), std::string::npos);
}

TEST(Toml, QuoteCappedCutsOnACharacterBoundary) {
  using hooktool::util::quote_capped;
  EXPECT_EQ(quote_capped("short"), "short");
  EXPECT_EQ(quote_capped(std::string(59, 'a') + "\xC3\xA9zz"), std::string(59, 'a') + "…");
  EXPECT_EQ(quote_capped("a\x1b[2Jb"), "a\\x1B[2Jb");
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
  EXPECT_EQ(config_error("[lisen]\n"), "c.toml:1: unknown table [lisen] (did you mean [listen]?)");
  EXPECT_EQ(config_error("listen = { portt = 1 }\n"),
            "c.toml:1: unknown key 'listen.portt' (did you mean 'port'?)");
  EXPECT_EQ(config_error("[[listen]]\nport = 1\n"),
            "c.toml:1: unknown key 'listen' (write it under [listen] as KEY = VALUE)");
  EXPECT_EQ(config_error("to = 1979-05-27\n"), "c.toml:1: 'to' must be a string, not date");
}

TEST(ConfigFile, ReadsTheTomlTheOldReaderRefused) {
  const auto file = hooktool::core::parse_config(
      "to = \"\"\"\n:3000/hooks\"\"\"\n"
      "listen = { port = 9100, forward = [\n  'localhost:3000', # billing\n] }\n"
      "secrets.stripe = 'whsec_x'\n"
      "[secret_files]\n",
      "/proj/.hooktool.toml", Layer::project, home());
  EXPECT_EQ(file.to->value, ":3000/hooks");
  EXPECT_EQ(file.to->where, "/proj/.hooktool.toml:1");
  EXPECT_EQ(file.listen_port->value, 9100);
  EXPECT_EQ(file.listen_port->where, "/proj/.hooktool.toml:3");
  EXPECT_EQ(file.forward->value, std::vector<std::string>{"localhost:3000"});
  EXPECT_EQ(file.secrets.at("stripe").value, "whsec_x");
}

TEST(ConfigFile, MistakesNeverEchoSecretsOrLongNames) {
  const auto leak = config_error("[secrets]\nstripe = whsec_LEAK\n");
  EXPECT_EQ(leak.find("LEAK"), std::string::npos) << leak;
  EXPECT_EQ(leak.rfind("c.toml:2:", 0), 0U) << leak;
  const std::string name(10U << 20U, 'p');
  for (const auto& text : {"[secrets]\n" + name + " = 'x'\n", "[listen]\n" + name + " = 1\n",
                           "[" + name + "]\nk = 1\n", name + " = 1\n"}) {
    const auto e = config_error(text);
    EXPECT_LT(e.size(), 200U) << e.substr(0, 200);
    EXPECT_NE(e.find("ppp…"), std::string::npos) << e.substr(0, 200);
  }
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

std::string secret_file_error(const std::filesystem::path& path) {
  try {
    (void)hooktool::core::read_secret_file(path, "--secret-file");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), hooktool::ExitCode::usage);
    return e.what();
  }
  return "no error";
}

TEST_F(ConfigFiles, SecretFilesMustBeSmallRegularFiles) {
  // Each of these hung (a FIFO with no writer, /dev/zero) or read without bound before.
  const auto fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(secret_file_error(fifo),
            "--secret-file: secret file " + fifo.string() + ": is a FIFO, not a regular file");
  EXPECT_EQ(secret_file_error("/dev/zero"),
            "--secret-file: secret file /dev/zero: is a character device, not a regular file");
  EXPECT_EQ(secret_file_error(dir_),
            "--secret-file: secret file " + dir_.string() + ": is a directory, not a regular file");
  const auto big = dir_ / "big";
  write(big, std::string(hooktool::core::kMaxSecretFileBytes + 1, 'S'));
  EXPECT_EQ(secret_file_error(big),
            "--secret-file: secret file " + big.string() + ": is larger than 64 KiB");
  EXPECT_EQ(secret_file_error(dir_ / "missing").rfind("--secret-file: secret file ", 0), 0U);

  const auto at_limit = dir_ / "at_limit";
  write(at_limit, std::string(hooktool::core::kMaxSecretFileBytes - 1, 'S') + "\n");
  EXPECT_EQ(hooktool::core::read_secret_file(at_limit, "x").size(),
            hooktool::core::kMaxSecretFileBytes - 1);
  // A link is followed: what counts is the file it names.
  write(dir_ / "real", "s3cret\n");
  std::filesystem::create_symlink(dir_ / "real", dir_ / "link");
  EXPECT_EQ(hooktool::core::read_secret_file(dir_ / "link", "x"), "s3cret");
  std::filesystem::create_symlink("/dev/zero", dir_ / "zero-link");
  EXPECT_NE(secret_file_error(dir_ / "zero-link").find("is a character device"), std::string::npos);
}

TEST_F(ConfigFiles, ConfigSecretFilesGetTheSameChecksWithTheirPlace) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  write(paths_.project, "[secret_files]\nstripe = 'fifo'\n");
  const auto config = hooktool::core::load_config(paths_);
  try {
    (void)config.secret("stripe");
    FAIL() << "a FIFO must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), paths_.project.string() + ":2: secret file " +
                                         (dir_ / "fifo").string() +
                                         ": is a FIFO, not a regular file");
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
