#include "net/load_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hooktool::net {

std::size_t LatencyHistogram::index_of(std::int64_t us) noexcept {
  const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(us, 0));
  if (v < static_cast<std::uint64_t>(2 * kSub))
    return static_cast<std::size_t>(v);
  // v >> shift lies in [kSub, 2·kSub): the top kSubBits+1 bits pick the sub-bucket.
  const int shift = static_cast<int>(std::bit_width(v)) - (kSubBits + 1);
  const auto top = v >> shift;
  return static_cast<std::size_t>(2 * kSub + static_cast<std::int64_t>(shift - 1) * kSub +
                                  static_cast<std::int64_t>(top) - kSub);
}

std::int64_t LatencyHistogram::highest_in(std::size_t index) noexcept {
  const auto i = static_cast<std::int64_t>(index);
  if (i < 2 * kSub)
    return i;
  const std::int64_t shift = (i - 2 * kSub) / kSub + 1;
  const std::int64_t top = (i - 2 * kSub) % kSub + kSub;
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(std::int64_t us) noexcept {
  us = std::max<std::int64_t>(us, 0);
  ++buckets_[std::min(index_of(us), kBuckets - 1)];
  min_ = count_ == 0 ? us : std::min(min_, us);
  max_ = std::max(max_, us);
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  if (other.count_ == 0)
    return;
  for (std::size_t i = 0; i < kBuckets; ++i)
    buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
}

std::int64_t LatencyHistogram::percentile(double q) const noexcept {
  if (count_ == 0)
    return 0;
  const auto rank = static_cast<std::int64_t>(
      std::clamp(std::ceil(q * static_cast<double>(count_)), 1.0, static_cast<double>(count_)));
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= rank)
      return std::clamp(highest_in(i), min_, max_);
  }
  return max_;
}

} // namespace hooktool::net
