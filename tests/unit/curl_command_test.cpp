#include "ui/curl_command.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

using namespace hooktool;
using namespace std::string_literals;

TEST(CurlCommand, ShellQuoting) {
  EXPECT_EQ(util::shell_quote("a b"), "'a b'");
  EXPECT_EQ(util::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(ui::shell_word("$(id) `id` it's"), "'$(id) `id` it'\\''s'");
  EXPECT_EQ(ui::shell_word("caf\xC3\xA9"), "'caf\xC3\xA9'") << "valid UTF-8 stays readable";
  EXPECT_EQ(ui::shell_word("a\x1b[31m"), "\"$(printf 'a\\033[31m')\"");
  EXPECT_EQ(ui::shell_word("a\nb"), "\"$(printf 'a\\012b')\"");
}

TEST(CurlCommand, PrintfFormatEscapesEveryByteATerminalOrPrintfWouldActOn) {
  EXPECT_EQ(ui::printf_format("a'b\\c%d\nd\te"), "a\\047b\\\\c%%d\\012d\\011e");
  EXPECT_EQ(ui::printf_format("-n"), "\\055n") << "a leading '-' is not an option";
  EXPECT_EQ(ui::printf_format("a-n"), "a-n");
  EXPECT_EQ(ui::printf_format("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(ui::printf_format(std::string("\xff\x01\x00\x7f", 4)), "\\377\\001\\000\\177");
  EXPECT_EQ(ui::printf_format("\xC2\x9B"), "\\302\\233") << "C1 control encoded as UTF-8";
  EXPECT_EQ(ui::printf_format("\x9B"), "\\233") << "raw C1 byte";
  for (int b = 0; b < 256; ++b) {
    const auto f = ui::printf_format(std::string(1, static_cast<char>(b)));
    EXPECT_EQ(util::printable(f), f) << b << ": the format itself holds no control byte";
    EXPECT_EQ(f.find('\''), std::string::npos) << b;
  }
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
  EXPECT_EQ(cmd.rfind("printf '{\"a\":\"it\\047s\"}' |\ncurl ", 0), 0u) << cmd;
  EXPECT_NE(cmd.find("--data-binary @-\n"), std::string::npos) << cmd;
  EXPECT_NE(ui::to_curl(req, "/tmp/body.bin").find("--data-binary @'/tmp/body.bin'"),
            std::string::npos);
}

TEST(CurlCommand, ABodyStartingWithAtIsNotAFileName) {
  model::HttpRequest req;
  req.url = "http://x/";
  req.body = "@/etc/passwd";
  const auto cmd = ui::to_curl(req, "");
  EXPECT_EQ(cmd.find("--data-binary '@"), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("printf '@/etc/passwd' |"), std::string::npos) << cmd;
}

TEST(CurlCommand, AHeaderNamedLikeAFileIsLeftOutWithANote) {
  model::HttpRequest req;
  req.url = "http://x/";
  req.headers = {{"@/etc/passwd", "x"}, {"X-Ok", "1"}};
  const auto cmd = ui::to_curl(req, "");
  EXPECT_EQ(cmd.find("-H '@"), std::string::npos) << cmd;
  EXPECT_EQ(cmd.rfind("# a header named '@/etc/passwd' is left out", 0), 0u) << cmd;
  EXPECT_NE(cmd.find("-H 'X-Ok: 1'"), std::string::npos) << cmd;
}

TEST(CurlCommand, TheTextHoldsNoControlByte) {
  model::HttpRequest req;
  req.method = "POST";
  req.url = "http://x/\x1b]0;t\x07";
  req.headers = {{"X-A", "v\xC2\x9B"
                         "31m\x9B\xff"}};
  req.body = "line\n\x1b[2J\x7f\x00end"s;
  const auto cmd = ui::to_curl(req, "");
  for (const char c : cmd) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '\n' || (u >= 0x20 && u != 0x7F)) << int(u) << " in\n" << cmd;
  }
  EXPECT_EQ(util::printable_text(cmd), cmd);
}

TEST(CurlCommand, SuppressesCurlsDefaultContentType) {
  model::HttpRequest req;
  req.url = "http://x/";
  req.body = "a=1";
  EXPECT_NE(ui::to_curl(req, "").find("-H 'Content-Type:'"), std::string::npos);
}
