#pragma once

#include "core/capture.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hooktool::listen {

// SipHash-2-4 with a 128-bit output (Aumasson and Bernstein's reference, `outlen` 16) of the
// bytes of parts, one after the other, under a 16-byte key.
std::array<std::uint64_t, 2> siphash128(const std::array<std::uint64_t, 2>& key,
                                        std::initializer_list<std::string_view> parts) noexcept;

// Remembers provider event ids seen in this run, to flag redeliveries. Every id is remembered
// for the whole run (nothing is evicted), so each costs as little as it can: one 44-byte entry
// (a 16-byte keyed hash of provider and id, the first sighting's time and capture id packed
// in 15 bytes, the count) in chunks that never move, and a 4-byte slot in an open-addressing
// index at most 4/5 full. 50,000 ids: 2.4 MiB, where a hash map of nodes took 4.6 MiB.
class DuplicateTracker {
public:
  DuplicateTracker();
  // Records one sighting; returns what to flag when the id was seen before.
  std::optional<core::DuplicateInfo> observe(const core::CaptureRecord& record);
  // Distinct ids remembered.
  [[nodiscard]] std::size_t size() const;

  static constexpr std::size_t chunk_entries = 1024;

private:
  using Key = std::array<std::uint32_t, 4>;
  struct Entry {
    Key key{};
    std::array<std::uint32_t, 2> first_seen_ms{}; // low, high: keeps the entry 4-aligned
    std::uint32_t count = 0;
    // The first capture id: "cap_" and 20 base-62 characters (core::new_capture_id) as 20
    // six-bit digits; any other id is kept in odd_ids_ (first_id_kind 1).
    std::array<std::uint8_t, 15> first_id{};
    std::uint8_t first_id_kind = 0;
  };
  static_assert(sizeof(Entry) == 44);

  [[nodiscard]] Entry& entry(std::uint32_t index) const noexcept {
    return chunks_[index / chunk_entries][index % chunk_entries];
  }
  // The slot holding key, or the empty slot where it goes.
  [[nodiscard]] std::size_t find_slot(const Key& key) const noexcept;
  void grow_index();
  [[nodiscard]] std::string first_id(std::uint32_t index) const;

  std::array<std::uint64_t, 2> hash_key_{}; // random per run: ids cannot be chosen to collide
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry[]>> chunks_; // NOLINT(*-avoid-c-arrays): fixed blocks
  std::uint32_t size_ = 0;
  std::vector<std::uint32_t> slots_; // entry index + 1; 0: empty. Power-of-two size.
  std::unordered_map<std::uint32_t, std::string> odd_ids_; // entry index -> capture id
};

} // namespace hooktool::listen
