// The one terminal-escaping function: nothing a terminal acts on survives, text does.
#include "util/strings.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

namespace {

using hooktool::util::capped;
using hooktool::util::display_width;
using hooktool::util::fit_width;
using hooktool::util::json_for_terminal;
using hooktool::util::printable;
using hooktool::util::printable_text;

// True when the text holds a byte a terminal could act on: C0 (tab and line feed aside, when
// allowed), DEL, a raw C1 byte, U+0080-U+009F, or anything that is not well-formed UTF-8.
bool has_terminal_control(std::string_view s, bool allow_lines) {
  if (!hooktool::util::is_valid_utf8(s))
    return true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == '\t' || (allow_lines && b == '\n'))
      continue;
    if (b < 0x20 || b == 0x7F)
      return true;
    if (b == 0xC2 && i + 1 < s.size() && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0x80)
      return true;
  }
  return false;
}

TEST(Printable, EveryByteAloneIsShownSafely) {
  for (int b = 0; b < 256; ++b) {
    const std::string one(1, static_cast<char>(b));
    const auto shown = printable(one);
    SCOPED_TRACE(b);
    EXPECT_FALSE(has_terminal_control(shown, false));
    if (b >= 0x20 && b < 0x7F) {
      EXPECT_EQ(shown, one) << "printable ASCII is kept";
    } else if (b == '\t') {
      EXPECT_EQ(shown, "\t");
    } else {
      char want[8];
      std::snprintf(want, sizeof want, "\\x%02X", b);
      EXPECT_EQ(shown, want) << "C0, DEL and every byte that is not UTF-8 alone: \\xHH";
    }
  }
}

TEST(Printable, EveryEncodedCOneControlIsShownAsItsCodePoint) {
  for (int cp = 0x80; cp <= 0x9F; ++cp) {
    const std::string encoded{'\xC2', static_cast<char>(cp)};
    char want[8];
    std::snprintf(want, sizeof want, "\\u00%02X", cp);
    EXPECT_EQ(printable(encoded), want) << cp;
    EXPECT_EQ(printable_text(encoded), want) << cp;
  }
}

TEST(Printable, CZeroControlsAndDelAreEscaped) {
  EXPECT_EQ(printable("a\x1b[31mb\x07\x7f"), "a\\x1B[31mb\\x07\\x7F");
  EXPECT_EQ(printable("tab\tkept"), "tab\tkept");
  EXPECT_EQ(printable("line\nbreak\r"), "line\\x0Abreak\\x0D");
  EXPECT_EQ(printable(std::string("nul\0.", 5)), "nul\\x00.");
}

TEST(Printable, COneControlsRawAndEncodedAreEscaped) {
  // A raw 0x9B is CSI on an 8-bit terminal; U+009B (C2 9B) is the same control in UTF-8.
  EXPECT_EQ(printable("x\x9b"
                      "31my"),
            "x\\x9B31my");
  EXPECT_EQ(printable("x\xc2\x9b"
                      "31my"),
            "x\\u009B31my");
  EXPECT_EQ(printable("\xc2\x80\xc2\x9f"), "\\u0080\\u009F");
}

TEST(Printable, Utf8TextIsKeptAndBrokenSequencesAreEscaped) {
  EXPECT_EQ(printable("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80"),
            "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80");
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0"); // U+00A0, the first character after C1
  EXPECT_EQ(printable("cut \xe6\x97"), "cut \\xE6\\x97");
  EXPECT_EQ(printable("\xc0\xaf"), "\\xC0\\xAF");                   // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xED\\xA0\\x80");          // a surrogate
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80"); // past U+10FFFF
  EXPECT_EQ(printable("\xff latin-1 \xe9"), "\\xFF latin-1 \\xE9");
}

TEST(Printable, IsIdempotent) {
  // Messages are escaped where they are built and again where they are printed.
  const std::string hostile = "a\x1b]0;title\x07\xc2\x9b\x9b\xff\r\n\x7f";
  EXPECT_EQ(printable(printable(hostile)), printable(hostile));
}

TEST(PrintableText, KeepsLineBreaksAndTabsDropsCarriageReturns) {
  EXPECT_EQ(printable_text("a\r\nb\tc\x1b\xc2\x9b"), "a\nb\tc\\x1B\\u009B");
  for (int b = 0; b < 256; ++b)
    EXPECT_FALSE(has_terminal_control(printable_text(std::string(1, static_cast<char>(b))), true))
        << b;
}

TEST(Capped, CutsLongValuesWithAnEllipsisAndNeverSplitsACharacter) {
  EXPECT_EQ(capped("short"), "short");
  EXPECT_EQ(capped(std::string(100, 'a')), std::string(80, 'a') + "…");
  EXPECT_EQ(capped(std::string(79, 'a') + "\xc3\xa9" + "zz"), std::string(79, 'a') + "…");
  EXPECT_EQ(capped("a\x1b", 10), "a\\x1B");
  EXPECT_EQ(capped(std::string(10u << 20, 'k'), 80).size(), 80u + 3u) << "a 10 MB value";
}

TEST(JsonForTerminal, EscapesDelAndCOneInsideStringsKeepingTheValue) {
  EXPECT_EQ(json_for_terminal("{\"a\":\"x\x7fy\xc2\x9bz\xc2\xa0\"}"),
            "{\"a\":\"x\\u007fy\\u009bz\xc2\xa0\"}");
  EXPECT_EQ(json_for_terminal("{\"plain\":\"\xc3\xa9\"}"), "{\"plain\":\"\xc3\xa9\"}");
  EXPECT_EQ(json_for_terminal(""), "");
}

// Both scanners skip plain text a word (8 bytes) at a time: a byte to escape must be caught at
// every offset of a word and in a tail shorter than one.
TEST(JsonForTerminal, EscapesAtEveryOffsetOfAWord) {
  for (std::size_t len = 0; len <= 20; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (const std::string special : {"\x7f", "\xc2\x85", "\xc2\x9f"}) {
        std::string text(len, 'a');
        text.insert(at, special);
        const auto json = nlohmann::json(text).dump();
        const auto out = json_for_terminal(json);
        EXPECT_FALSE(has_terminal_control(out, false)) << len << " " << at;
        EXPECT_EQ(nlohmann::json::parse(out), text) << len << " " << at;
      }
      const auto plain = nlohmann::json(std::string(len, 'a') + "\xc3\xa9").dump();
      EXPECT_EQ(json_for_terminal(plain), plain);
    }
  }
}

TEST(AppendJsonEscaped, EscapesAtEveryOffsetOfAWordAndRoundTrips) {
  for (std::size_t len = 0; len <= 20; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (const std::string& special :
           {std::string(1, '\0'), std::string("\x01"), std::string("\x1f"), std::string("\""),
            std::string("\\"), std::string("\n"), std::string("\xc3\xa9")}) {
        std::string text(len, 'b');
        text.insert(at, special);
        std::string out = "\"";
        hooktool::util::append_json_escaped(out, text);
        out += '"';
        ASSERT_EQ(nlohmann::json::parse(out), text) << len << " " << at << " " << out;
      }
    }
  }
}

// Bodies are dense with quotes: several bytes to escape in one word, runs of every length
// between. The output is what nlohmann writes (the alphabet has no \b or \f, which it writes
// as short escapes).
TEST(AppendJsonEscaped, AgreesWithNlohmannOnTextDenseWithSpecialBytes) {
  const std::vector<std::string> alphabet{
      "a",       "b", "\"", "\\", "\n", "\t", "\r", "\x01", "\x1f", " ", std::string(1, '\0'),
      "\xc3\xa9"};
  std::mt19937 rng(20261202);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const auto len = rng() % 40;
    while (text.size() < len)
      text += alphabet[rng() % alphabet.size()];
    std::string out = "\"";
    hooktool::util::append_json_escaped(out, text);
    out += '"';
    ASSERT_EQ(out, nlohmann::json(text).dump()) << round;
  }
}

TEST(DisplayWidth, CountsTerminalCellsNotBytes) {
  EXPECT_EQ(display_width("abc"), 3U);
  EXPECT_EQ(display_width("h\xc3\xa9llo"), 5U);             // é is one cell, two bytes
  EXPECT_EQ(display_width("\xe6\x97\xa5\xe6\x9c\xac"), 4U); // two wide characters
  EXPECT_EQ(display_width("e\xcc\x81"), 1U);                // e + combining acute
}

TEST(FitWidth, CutsToTheWidthWithAnEllipsis) {
  EXPECT_EQ(fit_width("short", 10), "short");
  EXPECT_EQ(fit_width("abcdefghij", 5), "abcd…");
  EXPECT_EQ(display_width(fit_width("\xe6\x97\xa5\xe6\x9c\xac\xe6\x97\xa5", 4)), 3U); // 日 + …
}

} // namespace
