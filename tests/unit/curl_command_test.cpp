#include "ui/curl_command.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

using namespace hooktool;

TEST(CurlCommand, ShellQuoting) {
  EXPECT_EQ(util::shell_quote("a b"), "'a b'");
  EXPECT_EQ(util::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(ui::ansi_c_quote("a'b\\c\nd\te"), "$'a\\'b\\\\c\\nd\\te'");
  EXPECT_EQ(ui::ansi_c_quote("caf\xC3\xA9"), "$'caf\xC3\xA9'") << "valid UTF-8 stays readable";
  EXPECT_EQ(ui::ansi_c_quote(std::string("\xff\x01", 2)), "$'\\xFF\\x01'");
}

TEST(CurlCommand, CarriesMethodUrlHeadersAndBody) {
  model::HttpRequest req;
  req.method = "PUT";
  req.url = "http://localhost:3000/x?a=1";
  req.headers = {{"Content-Type", "application/json"}, {"X-Empty", ""}};
  req.body = R"({"a":"it's"})";
  const auto cmd = ui::to_curl(req, "");
  EXPECT_NE(cmd.find("-X 'PUT' 'http://localhost:3000/x?a=1'"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("-H 'Content-Type: application/json'"), std::string::npos);
  EXPECT_NE(cmd.find("-H 'X-Empty;'"), std::string::npos);
  EXPECT_NE(cmd.find("--data-binary $'{\"a\":\"it\\'s\"}'"), std::string::npos) << cmd;
  EXPECT_NE(ui::to_curl(req, "/tmp/body.bin").find("--data-binary @'/tmp/body.bin'"),
            std::string::npos);
}

TEST(CurlCommand, SuppressesCurlsDefaultContentType) {
  model::HttpRequest req;
  req.url = "http://x/";
  req.body = "a=1";
  EXPECT_NE(ui::to_curl(req, "").find("-H 'Content-Type:'"), std::string::npos);
}
