// replay's idempotency verdict: status codes and the probe decide, response bodies do not.
#include "core/replay.hpp"

#include <gtest/gtest.h>

namespace {

using hooktool::core::judge_copies;
using hooktool::core::status_counts;

TEST(StatusCounts, SummarisesInOrderOfFirstAppearance) {
  EXPECT_EQ(status_counts({200}), "200");
  EXPECT_EQ(status_counts(std::vector<int>(1000, 200)), "200 ×1000");
  EXPECT_EQ(status_counts({200, 409, 409, 409, 409}), "200 ×1, 409 ×4");
  EXPECT_EQ(status_counts({500, 200, 0, 500}), "500 ×2, 200 ×1, ERR ×1");
}

TEST(JudgeCopies, TwoXxThenFiveXxIsNotIdempotent) {
  const auto v = judge_copies({200, 500, 200}, std::nullopt, std::nullopt);
  EXPECT_FALSE(v.idempotent);
  EXPECT_NE(v.issue.find("2xx and another 5xx"), std::string::npos);
  EXPECT_NE(v.compared.find("200 ×2, 500 ×1"), std::string::npos);
  EXPECT_NE(v.compared.find("side effects not compared"), std::string::npos);
}

TEST(JudgeCopies, ConflictForCopiesIsADuplicateAnswer) {
  const auto v = judge_copies({200, 409}, 3.0, 4.0);
  EXPECT_TRUE(v.idempotent);
  EXPECT_NE(v.note.find("409"), std::string::npos);
  EXPECT_NE(v.compared.find("probe (3 -> 4)"), std::string::npos);
}

TEST(JudgeCopies, OtherFourXxPassesWithANote) {
  const auto v = judge_copies({200, 400}, std::nullopt, std::nullopt);
  EXPECT_TRUE(v.idempotent);
  EXPECT_NE(v.note.find("non-2xx"), std::string::npos);
}

TEST(JudgeCopies, ProbeGrowthOverOneDeliveryIsNotIdempotent) {
  EXPECT_TRUE(judge_copies({200, 200, 200}, 10.0, 11.0).idempotent);
  EXPECT_TRUE(judge_copies({200, 200, 200}, 10.0, 10.0).idempotent); // processed before
  const auto v = judge_copies({200, 200, 200, 200, 200}, 10.0, 15.0);
  EXPECT_FALSE(v.idempotent);
  EXPECT_NE(v.issue.find("grew by 5"), std::string::npos);
}

TEST(JudgeCopies, TransportErrorsAreNotAVerdict) {
  const auto v = judge_copies({200, 0}, std::nullopt, std::nullopt);
  EXPECT_TRUE(v.idempotent); // a delivery failure, reported as such by the caller
}

} // namespace
