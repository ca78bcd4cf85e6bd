// util::glob_match (fnmatch(3) with FNM_NOESCAPE): the event filters of replay, export and
// listen's --forward-to.
#include "util/strings.hpp"

#include <gtest/gtest.h>
#include <string>

using hooktool::util::glob_match;

TEST(Glob, StarAndQuestionMarkMatchAnyBytes) {
  EXPECT_TRUE(glob_match("invoice.*", "invoice.paid"));
  EXPECT_TRUE(glob_match("invoice.*", "invoice."));
  EXPECT_FALSE(glob_match("invoice.*", "invoice"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("*.paid", "invoice.paid"));
  EXPECT_TRUE(glob_match("in*ce.*d", "invoice.paid"));
  EXPECT_TRUE(glob_match("invoice.pai?", "invoice.paid"));
  EXPECT_FALSE(glob_match("invoice.pai?", "invoice.pai"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbZZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYYbZZ"));
  EXPECT_TRUE(glob_match("?", "\xC3")); // one byte, not one character
}

TEST(Glob, SlashesAndLeadingDotsAreOrdinary) {
  // Shopify topics hold '/': no FNM_PATHNAME. A leading '.' is matched by '*': no FNM_PERIOD.
  EXPECT_TRUE(glob_match("orders/*", "orders/create"));
  EXPECT_TRUE(glob_match("*", "orders/create"));
  EXPECT_TRUE(glob_match("*create", ".hidden/create"));
  EXPECT_TRUE(glob_match("?orders", "/orders"));
}

TEST(Glob, CaseCountsAndBackslashIsLiteral) {
  EXPECT_FALSE(glob_match("Invoice.*", "invoice.paid"));
  EXPECT_TRUE(glob_match("a\\*", "a\\xyz")); // FNM_NOESCAPE: '\' does not quote '*'
  EXPECT_FALSE(glob_match("a\\*", "a*"));
}

TEST(Glob, BracketsAreSets) {
  EXPECT_TRUE(glob_match("invoice.[pv]aid", "invoice.paid"));
  EXPECT_FALSE(glob_match("invoice.[!p]aid", "invoice.paid"));
  EXPECT_TRUE(glob_match("v[0-9]", "v7"));
  EXPECT_TRUE(glob_match("a[", "a[")); // an unclosed '[' is itself
}

TEST(Glob, NulBytesMatchNothing) {
  const std::string text("invoice\0.paid", 13);
  EXPECT_FALSE(glob_match("invoice", text)); // fnmatch would stop at the NUL
  EXPECT_FALSE(glob_match("*", text));
  EXPECT_FALSE(glob_match(std::string("a\0b", 3), "a"));
}
