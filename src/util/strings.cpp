#include "util/strings.hpp"

#include "util/swar.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fnmatch.h>
#include <new>

namespace hooktool::util {

namespace {
char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
} // namespace

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i]))
      return false;
  return true;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool parse_int64(std::string_view s, long long& out) noexcept {
  if (s.empty())
    return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc() && ptr == end;
}

bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t i = 0;
  const auto n = s.size();
  while (i < n) {
    // ASCII fast path, sixteen then eight bytes at a time.
    while (i + swar::kBlock <= n && swar::high_or_del_block(s.data() + i) == 0)
      i += swar::kBlock;
    while (i + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ULL) != 0)
        break;
      i += 8;
    }
    if (i >= n)
      break;
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned int cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > n)
      return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    // Reject overlong forms, surrogates and code points past U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string form_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string form_encode(std::string_view s) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '*') {
      out.push_back(c);
    } else if (u == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(digits[u >> 4]);
      out.push_back(digits[u & 0x0F]);
    }
  }
  return out;
}

bool json_nesting_exceeds(std::string_view text, std::size_t limit) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit)
        return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

namespace {

// Edit distance counting an adjacent transposition as one edit ("sned" is one from "send"):
// the optimal string alignment distance, over three rows.
std::size_t typo_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

} // namespace

std::string closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& c : candidates) {
    // The length difference bounds the distance from below: a name far longer or shorter than
    // the candidate is no typo of it (and a 10 MiB name costs nothing).
    if (name.size() > c.size() + 2 || c.size() > name.size() + 2)
      continue;
    const auto distance = typo_distance(name, c);
    if (distance < best_distance) {
      best_distance = distance;
      best = c;
    }
  }
  if (best_distance == 0 || best_distance > 2 ||
      best_distance * 2 >= std::max<std::size_t>(name.size(), 1))
    return {};
  return best;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  const auto c = closest(name, candidates);
  return c.empty() ? std::string() : " (did you mean '" + c + "'?)";
}

namespace {

// DEL or any byte of 0x80 and up: where json_for_terminal looks closer.
bool maybe_terminal_special(std::uint64_t v) noexcept {
  return (swar::high_byte(v) | swar::byte_equal(v, 0x7F)) != 0;
}

} // namespace

namespace {

// Writes the escape for c (a byte append_json_escaped stops at) at out; returns its length.
std::size_t json_escape(unsigned char c, char* out) noexcept {
  static constexpr char hex[] = "0123456789abcdef";
  out[0] = '\\';
  switch (c) {
  case '"':
  case '\\':
    out[1] = static_cast<char>(c);
    return 2;
  case '\n':
    out[1] = 'n';
    return 2;
  case '\r':
    out[1] = 'r';
    return 2;
  case '\t':
    out[1] = 't';
    return 2;
  default:
    out[1] = 'u';
    out[2] = '0';
    out[3] = '0';
    out[4] = hex[c >> 4];
    out[5] = hex[c & 0x0F];
    return 6;
  }
}

} // namespace

void append_json_escaped(std::string& out, std::string_view s) {
  // A JSON body inside a capture line has a quote every few bytes. The output goes through a
  // buffer on the stack (two appends to the string per quote were most of the cost of writing
  // a capture line); the input is read 16 bytes at a time, and within a block the plain bytes
  // between the bytes to escape are copied as runs.
  constexpr std::size_t kBlock = swar::kBlock;
  std::array<char, 4096> buf; // NOLINT(cppcoreguidelines-pro-type-member-init): written first
  std::size_t n = 0;
  const char* p = s.data();
  const char* const end = p + s.size();
  while (end - p >= static_cast<std::ptrdiff_t>(kBlock)) {
    if (n + kBlock * 6 > buf.size()) {
      out.append(buf.data(), n);
      n = 0;
    }
    auto mask = swar::json_special_block(p);
    std::size_t from = 0;
    while (mask != 0) {
      const auto at = static_cast<std::size_t>(std::countr_zero(mask));
      std::memcpy(buf.data() + n, p + from, at - from);
      n += at - from;
      n += json_escape(static_cast<unsigned char>(p[at]), buf.data() + n);
      from = at + 1;
      mask &= mask - 1;
    }
    std::memcpy(buf.data() + n, p + from, kBlock - from);
    n += kBlock - from;
    p += kBlock;
  }
  for (; p < end; ++p) {
    if (n + 6 > buf.size()) {
      out.append(buf.data(), n);
      n = 0;
    }
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\')
      buf[n++] = static_cast<char>(c);
    else
      n += json_escape(c, buf.data() + n);
  }
  out.append(buf.data(), n);
}

bool is_tchar(unsigned char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return c != 0 &&
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_http_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
  // fnmatch reads C strings: a NUL inside either would silently cut it short.
  if (pattern.find('\0') != std::string_view::npos || text.find('\0') != std::string_view::npos)
    return false;
  try {
    return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), FNM_NOESCAPE) == 0;
  } catch (const std::bad_alloc&) {
    return false;
  }
}

namespace {

// Length of the well-formed UTF-8 sequence at s[i] and its code point; 0 when it is not one
// (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short).
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t n = 0;
  std::uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size())
    return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

// Appends the visible form of a byte a terminal must not see: "\\xHH".
void append_byte_escape(std::string& out, unsigned char b) {
  static constexpr char hex[] = "0123456789ABCDEF";
  out += "\\x";
  out += hex[b >> 4];
  out += hex[b & 0x0F];
}

// The one terminal-safe copy. Shown escaped, never passed on raw: C0 controls (but those in
// `keep`) and DEL as "\xHH", C1 controls encoded as UTF-8 (U+0080-U+009F) as "\u00HH", and
// every byte that is not part of well-formed UTF-8 (raw 0x80-0x9F, Latin-1, cut sequences) as
// "\xHH". '\r' is dropped when drop_cr. Nothing a terminal acts on survives.
std::string safe_for_terminal(std::string_view s, std::string_view keep, bool drop_cr) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F) { // the common case: printable ASCII
      out += s[i++];
      continue;
    }
    if (drop_cr && b == '\r') {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const auto n = utf8_at(s, i, cp);
    if (n == 0 || cp < 0x20 || cp == 0x7F) {
      if (n != 0 && keep.find(static_cast<char>(cp)) != std::string_view::npos)
        out += s[i];
      else
        append_byte_escape(out, b);
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9F) {
      out += "\\u00";
      out += "0123456789ABCDEF"[cp >> 4];
      out += "0123456789ABCDEF"[cp & 0x0F];
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

} // namespace

std::string printable(std::string_view s) {
  return safe_for_terminal(s, "\t", false);
}

std::string printable_text(std::string_view s) {
  return safe_for_terminal(s, "\n\t", true);
}

std::string capped(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes)
    return printable(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut; // do not split a UTF-8 sequence
  return printable(s.substr(0, cut)) + "…";
}

std::string json_for_terminal(std::string json) {
  // Serialisers escape C0 controls in strings but copy DEL and U+0080-U+009F (C2 80-C2 9F) as
  // they are; these bytes occur only inside strings, where a \u escape is the same character.
  const auto at = [&json](std::size_t i) {
    return static_cast<unsigned char>(json[i]);
  };
  const auto special = [&](std::size_t i) {
    return at(i) == 0x7F || (at(i) == 0xC2 && i + 1 < json.size() && (at(i + 1) & 0xE0) == 0x80);
  };
  std::size_t i = 0;
  for (;; ++i) { // to the first byte to escape; usually none, and the copy is not made
    while (i + swar::kBlock <= json.size() && swar::high_or_del_block(json.data() + i) == 0)
      i += swar::kBlock;
    while (i + swar::kWord <= json.size() && !maybe_terminal_special(swar::load(json.data() + i)))
      i += swar::kWord;
    if (i >= json.size())
      return json;
    if (special(i))
      break;
  }
  std::string out = json.substr(0, i);
  for (; i < json.size(); ++i) {
    if (!special(i)) {
      out += json[i];
      continue;
    }
    const unsigned char c = at(i) == 0x7F ? 0x7F : at(++i);
    out += "\\u00";
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 0x0F];
  }
  return out;
}

std::size_t display_width(std::string_view s) noexcept {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const auto n = utf8_at(s, i, cp);
    i += n == 0 ? 1 : n;
    // East Asian wide and fullwidth forms take two columns (the common ranges).
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
                      (cp >= 0x20000 && cp <= 0x3FFFD);
    const bool combining = (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F);
    width += combining ? 0 : (wide ? 2 : 1);
  }
  return width;
}

std::string fit_width(std::string_view s, std::size_t max) {
  if (display_width(s) <= max)
    return std::string(s);
  std::string out;
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    auto n = utf8_at(s, i, cp);
    n = n == 0 ? 1 : n;
    const auto w = display_width(s.substr(i, n));
    if (width + w + 1 > max)
      break;
    out.append(s.substr(i, n));
    width += w;
    i += n;
  }
  return out + "…";
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

} // namespace hooktool::util
