#include "util/json.hpp"

#include "util/strings.hpp"
#include "util/swar.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace hooktool::util {

std::optional<nlohmann::json> parse_json(std::string_view body) {
  if (util::json_nesting_exceeds(body, kMaxJsonDepth))
    return std::nullopt;
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return std::nullopt;
  return j;
}

namespace {

// Bytes that end a run of plain string characters: '"', '\\', controls, non-ASCII.
constexpr auto kStringStop = [] {
  std::array<bool, 256> stop{};
  for (std::size_t c = 0; c < 256; ++c)
    stop[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
  return stop;
}();

// A validating, non-recursive JSON scanner for json_fields: skips what is not wanted at
// memchr speed, decodes only keys on a wanted path and the values found. It accepts exactly
// what nlohmann::json accepts (RFC 8259, UTF-8 checked in strings) up to kMaxJsonDepth.
class FieldScanner {
public:
  FieldScanner(std::string_view text, const std::vector<std::vector<std::string_view>>& paths)
      : p_(text.data()), end_(text.data() + text.size()), paths_(paths), out_(paths.size()),
        found_(paths.size(), false) {}

  // Scans the document; true when it starts with a valid JSON value (what follows it is not
  // read) or every field was found before the end.
  bool run() {
    skip_ws();
    auto next = Next::value;
    for (;;) {
      switch (next) {
      case Next::value:
        next = value();
        break;
      case Next::after_value:
        next = after_value();
        break;
      case Next::accept:
        return true;
      case Next::reject:
        return false;
      }
    }
  }

  std::vector<std::string> take() { return std::move(out_); }

private:
  // What the scanner reads next: a value, what follows a value, or the verdict.
  enum class Next { value, after_value, accept, reject };
  struct Level {
    bool object;
    bool matches; // this level's key path is a prefix of some wanted path
  };

  Next value() {
    if (p_ >= end_)
      return Next::reject;
    const bool on_path = stack_.empty() || stack_.back().matches;
    const char c = *p_;
    if (c == '{' || c == '[')
      return open(c, on_path);
    return scalar(c, on_path);
  }
  // After '{' or '[': an empty container is a complete value; else its first key or element.
  Next open(char c, bool on_path) {
    if (stack_.size() >= kMaxJsonDepth)
      return Next::reject;
    ++p_;
    stack_.push_back({c == '{', on_path && is_prefix(keys_)});
    skip_ws();
    if (p_ < end_ && *p_ == (c == '{' ? '}' : ']')) {
      ++p_;
      stack_.pop_back();
      return Next::after_value;
    }
    if (c == '{')
      return read_key(keys_, stack_.back().matches) ? Next::value : Next::reject;
    keys_.emplace_back(); // array elements are never on a key path
    stack_.back().matches = false;
    return Next::value;
  }
  Next scalar(char c, bool on_path) {
    std::string text;
    bool scalar_text = false;
    const bool wanted = on_path && wanted_index(keys_) >= 0;
    if (c == '"') {
      ++p_;
      if (!string(wanted ? &text : nullptr))
        return Next::reject;
      scalar_text = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (!number(wanted ? &text : nullptr))
        return Next::reject;
      scalar_text = true;
    } else if (!literal()) {
      return Next::reject;
    }
    if (wanted && found(static_cast<std::size_t>(wanted_index(keys_)), scalar_text, text))
      return Next::accept;
    return Next::after_value;
  }
  // Records wanted field i (its first occurrence); true once every field is found.
  bool found(std::size_t i, bool scalar_text, std::string& text) {
    if (found_[i])
      return false;
    found_[i] = true;
    ++found_count_;
    if (scalar_text)
      out_[i] = std::move(text);
    return found_count_ == paths_.size();
  }
  // After a value: the end of the document, or ',' or the close of the container.
  Next after_value() {
    if (stack_.empty())
      return Next::accept; // like nlohmann's non-strict parse: text after the document is ignored
    skip_ws();
    if (p_ >= end_)
      return Next::reject;
    const char c = *p_++;
    if (c == ',') {
      skip_ws();
      if (stack_.back().object) {
        keys_.pop_back();
        if (!read_key(keys_, stack_.back().matches))
          return Next::reject;
      }
      return Next::value;
    }
    if (c != (stack_.back().object ? '}' : ']'))
      return Next::reject;
    stack_.pop_back();
    keys_.pop_back();
    return Next::after_value;
  }

  // True when keys is a prefix of a wanted path (so deeper keys are worth decoding).
  bool is_prefix(const std::vector<std::string>& keys) const {
    for (const auto& path : paths_) {
      if (path.size() <= keys.size())
        continue;
      bool match = true;
      for (std::size_t d = 0; d < keys.size() && match; ++d)
        match = path[d] == keys[d];
      if (match)
        return true;
    }
    return false;
  }
  // The wanted path equal to keys, or -1.
  [[nodiscard]] int wanted_index(const std::vector<std::string>& keys) const {
    for (std::size_t i = 0; i < paths_.size(); ++i) {
      const auto& path = paths_[i];
      if (path.size() != keys.size())
        continue;
      bool match = true;
      for (std::size_t d = 0; d < keys.size() && match; ++d)
        match = path[d] == keys[d];
      if (match)
        return static_cast<int>(i);
    }
    return -1;
  }
  // '"key"' then ':'; pushes the key (decoded only when it can matter).
  bool read_key(std::vector<std::string>& keys, bool decode) {
    if (p_ >= end_ || *p_ != '"')
      return false;
    ++p_;
    keys.emplace_back();
    if (!string(decode ? &keys.back() : nullptr))
      return false;
    skip_ws();
    if (p_ >= end_ || *p_ != ':')
      return false;
    ++p_;
    skip_ws();
    return true;
  }
  void skip_ws() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
      ++p_;
  }
  bool literal() noexcept {
    for (const std::string_view word : {"true", "false", "null"}) {
      if (static_cast<std::size_t>(end_ - p_) >= word.size() &&
          std::string_view(p_, word.size()) == word) {
        p_ += word.size();
        return true;
      }
    }
    return false;
  }
  // After the opening quote. out (when given) receives the decoded text.
  bool string(std::string* out) {
    for (;;) {
      const char* run = p_;
      bool at_stop = false;
      while (end_ - p_ >= static_cast<std::ptrdiff_t>(swar::kWord)) {
        const auto w = swar::load(p_);
        if (const auto mask = swar::json_special_mask(w) | swar::high_byte(w); mask != 0) {
          p_ += swar::first(mask); // the stop byte itself
          at_stop = true;
          break;
        }
        p_ += swar::kWord;
      }
      if (!at_stop)
        while (p_ < end_ && !kStringStop[static_cast<unsigned char>(*p_)])
          ++p_;
      if (out != nullptr)
        out->append(run, static_cast<std::size_t>(p_ - run));
      if (p_ >= end_)
        return false;
      const auto u = static_cast<unsigned char>(*p_);
      if (u == '"') {
        ++p_;
        return true;
      }
      if (u < 0x20)
        return false;
      if (u >= 0x80) {
        const char* start = p_;
        if (!utf8_sequence())
          return false;
        if (out != nullptr)
          out->append(start, static_cast<std::size_t>(p_ - start));
        continue;
      }
      ++p_; // the backslash
      if (!escape(out))
        return false;
    }
  }
  static char simple_escape(char e) noexcept {
    switch (e) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '/':
      return '/';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return 0;
    }
  }
  // After a backslash in a string.
  bool escape(std::string* out) {
    if (p_ >= end_)
      return false;
    const char e = *p_++;
    if (const char simple = simple_escape(e); simple != 0) {
      if (out != nullptr)
        out->push_back(simple);
      return true;
    }
    return e == 'u' && unicode_escape(out);
  }
  // After "\u": four hex digits, a surrogate pair as two escapes.
  bool unicode_escape(std::string* out) {
    std::uint32_t cp = 0;
    if (!hex4(cp))
      return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
        return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
        return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return false;
    }
    if (out != nullptr)
      util::append_utf8(*out, cp);
    return true;
  }
  bool hex4(std::uint32_t& cp) noexcept {
    if (end_ - p_ < 4)
      return false;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      cp <<= 4;
      if (c >= '0' && c <= '9')
        cp |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        cp |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        cp |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }
  // One well-formed UTF-8 sequence of 2 to 4 bytes (RFC 3629: no overlongs, no surrogates).
  bool utf8_sequence() noexcept {
    const auto b = [this](std::ptrdiff_t i) {
      return static_cast<unsigned char>(p_[i]);
    };
    const auto cont = [&](std::ptrdiff_t i) {
      return i < end_ - p_ && (b(i) & 0xC0) == 0x80;
    };
    const unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF && cont(1)) {
      p_ += 2;
      return true;
    }
    if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
      if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))
        return false;
      p_ += 3;
      return true;
    }
    if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
      if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))
        return false;
      p_ += 4;
      return true;
    }
    return false;
  }
  // One or more digits; false when there is none.
  bool digits() noexcept {
    if (p_ >= end_ || *p_ < '0' || *p_ > '9')
      return false;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
      ++p_;
    return true;
  }
  // A JSON number; out gets its text when it is an integer that fits 64 bits (as nlohmann
  // renders it), nothing for fractions, exponents and larger integers (floats to nlohmann).
  bool number(std::string* out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative)
      ++p_;
    if (p_ < end_ && *p_ == '0')
      ++p_;
    else if (p_ >= end_ || *p_ < '1' || *p_ > '9' || !digits())
      return false;
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (!digits())
        return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-'))
        ++p_;
      if (!digits())
        return false;
    }
    if (out != nullptr && integer)
      integer_text(start + (negative ? 1 : 0), negative, *out);
    return true;
  }
  // The integer's text as nlohmann renders it, when it fits 64 bits.
  void integer_text(const char* first, bool negative, std::string& out) const {
    std::uint64_t magnitude = 0;
    const auto [ptr, ec] = std::from_chars(first, p_, magnitude);
    if (ec != std::errc() || ptr != p_)
      return;
    if (!negative)
      out = std::to_string(magnitude);
    else if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1)
      out = magnitude == 0 ? "0" : "-" + std::to_string(magnitude);
  }

  const char* p_;
  const char* end_;
  const std::vector<std::vector<std::string_view>>& paths_;
  std::vector<std::string> out_;
  std::vector<bool> found_;
  std::size_t found_count_ = 0;
  std::vector<Level> stack_;
  std::vector<std::string> keys_; // the key path of the current value
};

// Whether needle occurs in haystack. glibc's memmem was 16 % of listen's CPU on 6 KB bodies;
// this tests 16 positions at once for the needle's first and last byte (SSE2, every x86-64)
// and compares only where both match.
bool contains(std::string_view haystack, std::string_view needle) noexcept {
  const std::size_t n = needle.size();
  if (n == 0)
    return true;
  if (haystack.size() < n)
    return false;
  const char* h = haystack.data();
  const std::size_t last = haystack.size() - n; // the last position needle may start at
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i first_byte = _mm_set1_epi8(needle.front());
  const __m128i last_byte = _mm_set1_epi8(needle.back());
  for (; i + 16 <= last + 1; i += 16) {
    const auto* a = reinterpret_cast<const __m128i*>(h + i);
    const auto* b = reinterpret_cast<const __m128i*>(h + i + n - 1);
    auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_loadu_si128(a), first_byte),
                                        _mm_cmpeq_epi8(_mm_loadu_si128(b), last_byte))));
    while (mask != 0) {
      const auto at = i + static_cast<std::size_t>(std::countr_zero(mask));
      if (std::memcmp(h + at + 1, needle.data() + 1, n - 1) == 0)
        return true;
      mask &= mask - 1;
    }
  }
#endif
  for (; i <= last; ++i)
    if (h[i] == needle.front() && std::memcmp(h + i + 1, needle.data() + 1, n - 1) == 0)
      return true;
  return false;
}

// Whether the body may hold key as an object key. A key is its bytes between quotes, unless it
// is written with escapes: with no "\u" in the body (and, for a key holding '/', no "\/") the
// only other escapes stand for characters that no wanted key holds, so a key that does not
// occur in the body as it is cannot be in it.
bool may_hold_key(std::string_view body, std::string_view key) noexcept {
  if (contains(body, key))
    return true;
  if (key.find_first_of("\"\\\b\f\n\r\t") != std::string_view::npos)
    return true; // such a key is never asked for; no shortcut for it
  if (contains(body, "\\u"))
    return true;
  return key.find('/') != std::string_view::npos && contains(body, "\\/");
}

} // namespace

std::vector<std::string> json_fields(std::string_view body,
                                     const std::vector<std::vector<std::string_view>>& paths) {
  // A field that is absent is the costly case: the whole document is scanned to be sure. When
  // no wanted path's keys all occur in the body, the answer is known without scanning (every
  // field empty, which is also the answer for a body that is not JSON).
  const bool any_possible = std::any_of(paths.begin(), paths.end(), [&](const auto& path) {
    return std::all_of(path.begin(), path.end(),
                       [&](std::string_view key) { return may_hold_key(body, key); });
  });
  if (!any_possible)
    return std::vector<std::string>(paths.size());
  FieldScanner scanner(body, paths);
  if (!scanner.run())
    return std::vector<std::string>(paths.size());
  return scanner.take();
}

std::string json_text(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object())
    return {};
  const auto it = j.find(key);
  if (it == j.end())
    return {};
  if (it->is_string())
    return it->get<std::string>();
  if (it->is_number_integer())
    return it->dump();
  return {};
}

} // namespace hooktool::util
