#include "util/json.hpp"

#include "util/strings.hpp"

#include <array>
#include <charconv>
#include <cstdint>

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
    struct Level {
      bool object;
      bool matches; // this level's key path is a prefix of some wanted path
    };
    std::vector<Level> stack;
    std::vector<std::string> keys; // the key path of the current value
    bool expect_value = true;
    skip_ws();
    for (;;) {
      if (expect_value) {
        if (p_ >= end_)
          return false;
        const bool on_path = stack.empty() || stack.back().matches;
        const char c = *p_;
        if (c == '{' || c == '[') {
          if (stack.size() >= kMaxJsonDepth)
            return false;
          ++p_;
          stack.push_back({c == '{', on_path && is_prefix(keys)});
          skip_ws();
          if (p_ < end_ && *p_ == (c == '{' ? '}' : ']')) {
            ++p_; // empty container: a complete value, handled below like any other
            stack.pop_back();
          } else {
            if (c == '{') {
              if (!read_key(keys, stack.back().matches))
                return false;
            } else {
              keys.emplace_back(); // array elements are never on a key path
              stack.back().matches = false;
            }
            continue;
          }
        } else {
          std::string value;
          bool scalar_text = false;
          const bool wanted = on_path && wanted_index(keys) >= 0;
          if (c == '"') {
            ++p_;
            if (!string(wanted ? &value : nullptr))
              return false;
            scalar_text = true;
          } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!number(wanted ? &value : nullptr))
              return false;
            scalar_text = true;
          } else if (!literal()) {
            return false;
          }
          if (wanted) {
            const auto i = static_cast<std::size_t>(wanted_index(keys));
            if (!found_[i]) {
              found_[i] = true;
              ++found_count_;
              if (scalar_text)
                out_[i] = std::move(value);
              if (found_count_ == paths_.size())
                return true;
            }
          }
        }
      }
      // After a value: the end of the document, or ',' or the close of the container (each
      // sets expect_value for the next turn).
      if (stack.empty())
        return true; // like nlohmann's non-strict parse: text after the document is ignored
      skip_ws();
      if (p_ >= end_)
        return false;
      const char c = *p_++;
      if (c == ',') {
        skip_ws();
        if (stack.back().object) {
          keys.pop_back();
          if (!read_key(keys, stack.back().matches))
            return false;
        }
        expect_value = true;
      } else if (c == (stack.back().object ? '}' : ']')) {
        stack.pop_back();
        keys.pop_back();
        expect_value = false;
      } else {
        return false;
      }
    }
  }

  std::vector<std::string> take() { return std::move(out_); }

private:
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
      while (p_ < end_ && !kStringStop[static_cast<unsigned char>(*p_)])
        ++p_;
      if (out != nullptr)
        out->append(run, p_);
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
          out->append(start, p_);
        continue;
      }
      // Escape.
      if (++p_ >= end_)
        return false;
      const char e = *p_++;
      char simple = 0;
      switch (e) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u': {
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
        continue;
      }
      default:
        return false;
      }
      if (out != nullptr)
        out->push_back(simple);
    }
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
  // A JSON number; out gets its text when it is an integer that fits 64 bits (as nlohmann
  // renders it), nothing for fractions, exponents and larger integers (floats to nlohmann).
  bool number(std::string* out) {
    const char* start = p_;
    bool negative = false;
    if (*p_ == '-') {
      negative = true;
      ++p_;
    }
    if (p_ >= end_)
      return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
        ++p_;
    } else {
      return false;
    }
    bool integer = true;
    if (p_ < end_ && *p_ == '.') {
      integer = false;
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9')
        return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
        ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      integer = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-'))
        ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9')
        return false;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
        ++p_;
    }
    if (out != nullptr && integer) {
      const auto* digits = start + (negative ? 1 : 0);
      std::uint64_t magnitude = 0;
      const auto [ptr, ec] = std::from_chars(digits, p_, magnitude);
      if (ec == std::errc() && ptr == p_) {
        if (!negative)
          *out = std::to_string(magnitude);
        else if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1)
          *out = magnitude == 0 ? "0" : "-" + std::to_string(magnitude);
      }
    }
    return true;
  }

  const char* p_;
  const char* end_;
  const std::vector<std::vector<std::string_view>>& paths_;
  std::vector<std::string> out_;
  std::vector<bool> found_;
  std::size_t found_count_ = 0;
};

} // namespace

std::vector<std::string> json_fields(std::string_view body,
                                     const std::vector<std::vector<std::string_view>>& paths) {
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
