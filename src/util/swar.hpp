#pragma once
// Eight bytes at a time (SWAR, "SIMD within a register"): the scanners of text that is mostly
// plain (JSON bodies, capture lines) test a whole word for the bytes they stop at, and go byte by
// byte only around those. Each test is exact for the word: non-zero when some byte matches.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hooktool::util::swar {

inline constexpr std::size_t kWord = sizeof(std::uint64_t);
inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// The word at p (any alignment).
inline std::uint64_t load(const char* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Some byte is zero.
constexpr std::uint64_t zero_byte(std::uint64_t v) noexcept {
  return (v - kOnes) & ~v & kHighs;
}
// Some byte equals b.
constexpr std::uint64_t byte_equal(std::uint64_t v, unsigned char b) noexcept {
  return zero_byte(v ^ (kOnes * b));
}
// Some byte is below n (n at most 0x80).
constexpr std::uint64_t byte_below(std::uint64_t v, unsigned char n) noexcept {
  return (v - kOnes * n) & ~v & kHighs;
}
// Some byte is 0x80 or above (not ASCII).
constexpr std::uint64_t high_byte(std::uint64_t v) noexcept {
  return v & kHighs;
}

// The bytes a JSON string cannot hold as they are: a control byte, '"' or '\\'. As a mask:
// exact for the first such byte (a borrow may mark bytes after it too), so first() finds it.
constexpr std::uint64_t json_special_mask(std::uint64_t v) noexcept {
  return byte_below(v, 0x20) | byte_equal(v, '"') | byte_equal(v, '\\');
}
constexpr bool json_special(std::uint64_t v) noexcept {
  return json_special_mask(v) != 0;
}

// The index (0-7, in memory order) of the first byte a non-zero mask above marks.
constexpr std::size_t first(std::uint64_t mask) noexcept {
  if constexpr (std::endian::native == std::endian::little)
    return static_cast<std::size_t>(std::countr_zero(mask)) / 8;
  else
    return static_cast<std::size_t>(std::countl_zero(mask)) / 8;
}

} // namespace hooktool::util::swar
