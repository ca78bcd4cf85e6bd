#include "listen/duplicates.hpp"

#include "crypto/crypto.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace hooktool::listen {

namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int b) noexcept {
  return std::rotl(x, b);
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;
  void round() noexcept {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) noexcept {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

std::uint64_t load_le(const unsigned char* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace

std::array<std::uint64_t, 2> siphash128(const std::array<std::uint64_t, 2>& key,
                                        std::initializer_list<std::string_view> parts) noexcept {
  SipState s{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
             key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
  s.v1 ^= 0xee; // 128-bit output
  std::array<unsigned char, 8> block{};
  std::size_t filled = 0;
  std::uint64_t total = 0;
  for (const auto part : parts) {
    total += part.size();
    for (const char c : part) {
      block[filled++] = static_cast<unsigned char>(c);
      if (filled == block.size()) {
        s.absorb(load_le(block.data()));
        filled = 0;
      }
    }
  }
  std::uint64_t last = total << 56;
  for (std::size_t i = 0; i < filled; ++i)
    last |= static_cast<std::uint64_t>(block[i]) << (8 * i);
  s.absorb(last);
  s.v2 ^= 0xee;
  for (int i = 0; i < 4; ++i)
    s.round();
  const std::uint64_t first = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  s.v1 ^= 0xdd;
  for (int i = 0; i < 4; ++i)
    s.round();
  return {first, s.v0 ^ s.v1 ^ s.v2 ^ s.v3};
}

namespace {

constexpr std::string_view capture_prefix = "cap_";
constexpr std::string_view base62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::size_t capture_digits = 20;

int base62_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'Z')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 36;
  return -1;
}

// "cap_" and 20 base-62 digits as 20 six-bit values in 15 bytes; false for any other id.
bool pack_capture_id(std::string_view id, std::array<std::uint8_t, 15>& out) noexcept {
  if (id.size() != capture_prefix.size() + capture_digits || !id.starts_with(capture_prefix))
    return false;
  out.fill(0);
  for (std::size_t i = 0; i < capture_digits; ++i) {
    const int v = base62_value(id[capture_prefix.size() + i]);
    if (v < 0)
      return false;
    const std::size_t bit = i * 6;
    const unsigned wide = static_cast<unsigned>(v) << (bit % 8); // spans at most two bytes
    out[bit / 8] = static_cast<std::uint8_t>(out[bit / 8] | (wide & 0xff));
    if (bit / 8 + 1 < out.size())
      out[bit / 8 + 1] = static_cast<std::uint8_t>(out[bit / 8 + 1] | (wide >> 8));
  }
  return true;
}

std::string unpack_capture_id(const std::array<std::uint8_t, 15>& in) {
  std::string out(capture_prefix);
  for (std::size_t i = 0; i < capture_digits; ++i) {
    const std::size_t bit = i * 6;
    unsigned wide = in[bit / 8];
    if (bit / 8 + 1 < in.size())
      wide |= static_cast<unsigned>(in[bit / 8 + 1]) << 8;
    out += base62[(wide >> (bit % 8)) & 0x3f];
  }
  return out;
}

} // namespace

DuplicateTracker::DuplicateTracker() : slots_(1024, 0) {
  const auto bytes = crypto::random_bytes(16);
  std::memcpy(hash_key_.data(), bytes.data(), 16);
}

std::size_t DuplicateTracker::size() const {
  const std::lock_guard lock(mutex_);
  return size_;
}

std::size_t DuplicateTracker::find_slot(const Key& key) const noexcept {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = key[0] & mask;; i = (i + 1) & mask) { // the index is never full
    const auto slot = slots_[i];
    if (slot == 0 || entry(slot - 1).key == key)
      return i;
  }
}

void DuplicateTracker::grow_index() {
  std::vector<std::uint32_t> old(slots_.size() * 2, 0);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const auto slot : old) {
    if (slot == 0)
      continue;
    std::size_t i = entry(slot - 1).key[0] & mask;
    while (slots_[i] != 0)
      i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

std::string DuplicateTracker::first_id(std::uint32_t index) const {
  const auto& e = entry(index);
  if (e.first_id_kind == 0)
    return unpack_capture_id(e.first_id);
  return odd_ids_.at(index);
}

std::optional<core::DuplicateInfo> DuplicateTracker::observe(const core::CaptureRecord& record) {
  if (record.event_id.empty())
    return std::nullopt;
  // Keyed with a per-run random key, 128 bits: two different ids share an entry with a
  // probability of about n²/2¹²⁹, and no sender can aim for it.
  const auto hash = siphash128(hash_key_, {record.provider, "\x1f", record.event_id});
  const Key key{static_cast<std::uint32_t>(hash[0]), static_cast<std::uint32_t>(hash[0] >> 32),
                static_cast<std::uint32_t>(hash[1]), static_cast<std::uint32_t>(hash[1] >> 32)};
  const std::lock_guard lock(mutex_);
  const auto at = find_slot(key);
  if (const auto slot = slots_[at]; slot != 0) {
    auto& e = entry(slot - 1);
    ++e.count;
    const auto first_seen = static_cast<std::int64_t>(
        (static_cast<std::uint64_t>(e.first_seen_ms[1]) << 32) | e.first_seen_ms[0]);
    return core::DuplicateInfo{static_cast<int>(e.count), first_id(slot - 1), first_seen};
  }
  if (size_ % chunk_entries == 0)
    chunks_.push_back(std::make_unique<Entry[]>(chunk_entries)); // NOLINT(*-avoid-c-arrays)
  const std::uint32_t index = size_++;
  auto& e = entry(index);
  e.key = key;
  e.count = 1;
  const auto ms = static_cast<std::uint64_t>(record.received_at_ms);
  e.first_seen_ms = {static_cast<std::uint32_t>(ms), static_cast<std::uint32_t>(ms >> 32)};
  if (!pack_capture_id(record.id, e.first_id)) {
    e.first_id_kind = 1;
    odd_ids_.emplace(index, record.id);
  }
  slots_[at] = index + 1;
  if (std::size_t{size_} * 5 > slots_.size() * 4) // at most 4/5 full
    grow_index();
  return std::nullopt;
}

} // namespace hooktool::listen
