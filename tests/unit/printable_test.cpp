// The one terminal-escaping function: nothing a terminal acts on survives, text does.
#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace {

using hooktool::util::display_width;
using hooktool::util::fit_width;
using hooktool::util::printable;
using hooktool::util::printable_text;

TEST(Printable, CZeroControlsAndDelBecomeQuestionMarks) {
  EXPECT_EQ(printable("a\x1b[31mb\x07\x7f"), "a?[31mb??");
  EXPECT_EQ(printable("tab\tkept"), "tab\tkept");
  EXPECT_EQ(printable("line\nbreak\r"), "line?break?");
}

TEST(Printable, COneControlsRawAndEncodedBecomeQuestionMarks) {
  // A raw 0x9B is CSI on an 8-bit terminal; U+009B (C2 9B) is the same control in UTF-8.
  EXPECT_EQ(printable("x\x9b"
                      "31my"),
            "x?31my");
  EXPECT_EQ(printable("x\xc2\x9b"
                      "31my"),
            "x?31my");
  EXPECT_EQ(printable("\xc2\x80\xc2\x9f"), "??");
}

TEST(Printable, Utf8TextIsKeptAndBrokenSequencesAreNot) {
  EXPECT_EQ(printable("h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80"),
            "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80");
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0"); // U+00A0, the first character after C1
  EXPECT_EQ(printable("cut \xe6\x97"), "cut ??");
  EXPECT_EQ(printable("\xc0\xaf"), "??");      // overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "???"); // a surrogate
  EXPECT_EQ(printable("\xff latin-1 \xe9"), "? latin-1 ?");
}

TEST(PrintableText, KeepsLineBreaksAndTabsDropsCarriageReturns) {
  EXPECT_EQ(printable_text("a\r\nb\tc\x1b\xc2\x9b"), "a\nb\tc??");
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
