// The load engine's latency histogram: exact where it says, bounded error elsewhere.
#include "net/load_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

using hooktool::net::LatencyHistogram;

TEST(LoadHistogram, EmptyReportsZero) {
  const LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.percentile(0.5), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(LoadHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v)
    h.record(v);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.percentile(0.5), 50);
  EXPECT_EQ(h.percentile(0.9), 90);
  EXPECT_EQ(h.percentile(0.99), 99);
  EXPECT_EQ(h.percentile(1.0), 100);
  EXPECT_EQ(h.percentile(0.0), 1);
  EXPECT_EQ(h.min(), 1);
}

TEST(LoadHistogram, BucketsTileTheRangeWithoutGaps) {
  // Each bucket starts right after the previous one ends, and index_of agrees at both ends.
  for (std::size_t i = 1; i < 3000; ++i) {
    const auto low = LatencyHistogram::highest_in(i - 1) + 1;
    EXPECT_EQ(LatencyHistogram::index_of(low), i) << i;
    EXPECT_EQ(LatencyHistogram::index_of(LatencyHistogram::highest_in(i)), i) << i;
  }
}

TEST(LoadHistogram, PercentilesWithinRelativeErrorOfExact) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(7.0, 1.5); // ~1 ms median, long tail
  std::vector<std::int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::int64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (const double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto rank =
        static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
    const auto exact = static_cast<double>(values[rank]);
    const auto got = static_cast<double>(h.percentile(q));
    EXPECT_GE(got, exact) << q;
    EXPECT_LE(got, exact * (1.0 + 1.0 / 128) + 1) << q;
  }
  EXPECT_EQ(h.percentile(1.0), values.back()) << "max is exact";
}

TEST(LoadHistogram, HugeAndNegativeValuesStayInRange) {
  LatencyHistogram h;
  h.record(-5);
  h.record(std::int64_t{1} << 61);
  h.record(INT64_MAX);
  EXPECT_EQ(h.count(), 3);
  EXPECT_EQ(h.percentile(0.0), 0);
  EXPECT_EQ(h.max(), INT64_MAX);
}

TEST(LoadHistogram, MergeAddsCounts) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.record(10);
  b.record(20);
  b.record(30);
  a.merge(b);
  EXPECT_EQ(a.count(), 3);
  EXPECT_EQ(a.percentile(0.5), 20);
  EXPECT_EQ(a.max(), 30);
  EXPECT_EQ(a.min(), 10);
}
