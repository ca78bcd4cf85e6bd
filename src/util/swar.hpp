#pragma once
// Eight bytes at a time (SWAR, "SIMD within a register"): the scanners of text that is mostly
// plain (JSON bodies, capture lines) test a whole word for the bytes they stop at, and go byte by
// byte only around those. Each test is exact for the word: non-zero when some byte matches.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The index (0-7, in memory order) of the first byte a non-zero mask above marks.
constexpr std::size_t first(std::uint64_t mask) noexcept {
  if constexpr (std::endian::native == std::endian::little)
    return static_cast<std::size_t>(std::countr_zero(mask)) / 8;
  else
    return static_cast<std::size_t>(std::countl_zero(mask)) / 8;
}

// Sixteen bytes at p at once (SSE2, on every x86-64; a byte loop elsewhere): bit i of the
// result is set when byte i is one the scanner stops at. Exact for every byte, unlike the word
// masks above.
inline constexpr std::size_t kBlock = 16;

// '"', '\\' or a control byte (below 0x20).
inline std::uint32_t json_special_block(const char* p) noexcept {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i control =
      _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f)); // v <= 0x1f
  const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  const __m128i backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  return static_cast<std::uint32_t>(
      _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))));
#else
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\')
      mask |= 1u << i;
  }
  return mask;
#endif
}

// DEL or any byte of 0x80 and up.
inline std::uint32_t high_or_del_block(const char* p) noexcept {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return static_cast<std::uint32_t>(_mm_movemask_epi8(v) |
                                    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f))));
#else
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < kBlock; ++i)
    if (static_cast<unsigned char>(p[i]) >= 0x7f)
      mask |= 1u << i;
  return mask;
#endif
}

} // namespace hooktool::util::swar
