#pragma once
// Latency histogram for load runs, HdrHistogram-style: exact below 256 µs, then 128 linear
// sub-buckets per power of two (relative error under 0.8 %), fixed size (about 60 KiB), so
// recording a request never allocates and memory stays flat however long the run.

#include <array>
#include <cstdint>

namespace hooktool::net {

class LatencyHistogram {
public:
  // Records one latency in microseconds (negative values count as 0).
  void record(std::int64_t us) noexcept;
  // Adds every value recorded by other.
  void merge(const LatencyHistogram& other) noexcept;
  [[nodiscard]] std::int64_t count() const noexcept { return count_; }
  [[nodiscard]] std::int64_t max() const noexcept { return max_; }
  [[nodiscard]] std::int64_t min() const noexcept { return count_ > 0 ? min_ : 0; }
  // The value at quantile q in [0, 1]: the highest value of the bucket holding the
  // ceil(q·count)-th smallest recording, never above max(); 0 when nothing was recorded.
  [[nodiscard]] std::int64_t percentile(double q) const noexcept;

  static constexpr int kSubBits = 7;
  static constexpr std::int64_t kSub = std::int64_t{1} << kSubBits; // 128
  // Bucket index of a value, and the highest value a bucket holds (exposed for the tests).
  [[nodiscard]] static std::size_t index_of(std::int64_t us) noexcept;
  [[nodiscard]] static std::int64_t highest_in(std::size_t index) noexcept;

private:
  static constexpr int kMaxShift = 62 - kSubBits;
  static constexpr std::size_t kBuckets = 2 * kSub + static_cast<std::size_t>(kMaxShift) * kSub;
  std::array<std::int64_t, kBuckets> buckets_{};
  std::int64_t count_ = 0;
  std::int64_t max_ = 0;
  std::int64_t min_ = 0;
};

} // namespace hooktool::net
