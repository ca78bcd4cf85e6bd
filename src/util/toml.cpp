#include "util/toml.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <cctype>
#include <charconv>
#include <set>

namespace hooktool::util {

std::string_view TomlValue::type_name() const noexcept {
  static constexpr std::string_view names[] = {"string", "integer", "float", "boolean", "array"};
  return names[data.index()];
}

std::string toml_key_name(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& part : path) {
    if (!out.empty())
      out += '.';
    out += part;
  }
  return out;
}

namespace {

constexpr std::size_t kMaxArrayDepth = 32;

bool is_bare_key_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

class Parser {
public:
  Parser(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}

  std::vector<TomlEntry> run() {
    std::vector<std::string> table;
    while (pos_ < text_.size()) {
      skip_blank();
      if (at_end_of_line()) {
        end_line();
        continue;
      }
      if (peek() == '[') {
        ++pos_;
        if (peek() == '[')
          fail("arrays of tables ([[…]]) are not supported in hooktool config files");
        skip_spaces();
        table = key_path(']');
        expect(']', "expected ']' to close the table name");
        const auto name = toml_key_name(table);
        if (!tables_.insert(name).second)
          fail("table [" + name + "] is defined twice");
        if (keys_.contains(name))
          fail("[" + name + "] is already a key");
      } else {
        const std::size_t line = line_;
        auto path = table;
        for (auto& part : key_path('='))
          path.push_back(std::move(part));
        expect('=', "expected '=' after the key");
        skip_spaces();
        TomlValue value = parse_value(0);
        const auto name = toml_key_name(path);
        if (!keys_.insert(name).second || tables_.contains(name))
          fail("key '" + name + "' is defined twice");
        entries_.push_back({std::move(path), std::move(value), line});
      }
      skip_spaces();
      if (!at_end_of_line())
        fail("unexpected text after the value (a comment starts with '#')");
      end_line();
    }
    return std::move(entries_);
  }

private:
  [[noreturn]] void fail(const std::string& why) const {
    throw usage_error(std::string(origin_) + ":" + std::to_string(line_) + ": " + why);
  }
  [[nodiscard]] char peek() const noexcept { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_spaces() noexcept {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t'))
      ++pos_;
  }
  // Spaces and a comment.
  void skip_blank() {
    skip_spaces();
    if (peek() == '#') {
      while (pos_ < text_.size() && text_[pos_] != '\n') {
        const auto c = static_cast<unsigned char>(text_[pos_]);
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
          fail("control character in a comment");
        ++pos_;
      }
    }
  }
  [[nodiscard]] bool at_end_of_line() {
    skip_blank();
    return pos_ >= text_.size() || text_[pos_] == '\n' ||
           (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
  }
  void end_line() {
    if (peek() == '\r')
      ++pos_;
    if (peek() == '\n') {
      ++pos_;
      ++line_;
    }
  }
  void expect(char c, const std::string& why) {
    skip_spaces();
    if (peek() != c)
      fail(why);
    ++pos_;
  }

  // key, "quoted key" or dotted parts, up to (not including) the terminator.
  std::vector<std::string> key_path(char terminator) {
    std::vector<std::string> parts;
    for (;;) {
      skip_spaces();
      const char c = peek();
      if (c == '"') {
        ++pos_;
        parts.push_back(basic_string());
      } else if (c == '\'') {
        ++pos_;
        parts.push_back(literal_string());
      } else {
        const auto start = pos_;
        while (pos_ < text_.size() && is_bare_key_char(text_[pos_]))
          ++pos_;
        if (pos_ == start)
          fail(c == terminator || c == '\0' || c == '\n'
                   ? "missing key name"
                   : std::string("unexpected '") + c + "' in a key (quote it)");
        parts.emplace_back(text_.substr(start, pos_ - start));
      }
      skip_spaces();
      if (peek() != '.')
        return parts;
      ++pos_;
    }
  }

  // After the opening quote.
  std::string basic_string() {
    std::string out;
    for (;;) {
      if (pos_ >= text_.size() || text_[pos_] == '\n')
        fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"')
        return out;
      if (c == '\\') {
        const char e = peek();
        ++pos_;
        switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'e':
          out += '\x1b';
          break;
        case 'u':
        case 'U':
          out_unicode(out, e == 'u' ? 4 : 8);
          break;
        default:
          fail(std::string("unknown escape '\\") + e + "' in a string");
        }
        continue;
      }
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F)
        fail("control character in a string (escape it)");
      out += c;
    }
  }
  void out_unicode(std::string& out, std::size_t digits) {
    if (pos_ + digits > text_.size())
      fail("short \\u escape");
    std::uint32_t cp = 0;
    const auto* first = text_.data() + pos_;
    const auto [ptr, ec] = std::from_chars(first, first + digits, cp, 16);
    if (ec != std::errc() || ptr != first + digits)
      fail("bad \\u escape");
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      fail("\\u escape is not a Unicode scalar value");
    pos_ += digits;
    util::append_utf8(out, cp);
  }
  std::string literal_string() {
    const auto start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '\'' && text_[pos_] != '\n')
      ++pos_;
    if (peek() != '\'')
      fail("unterminated string");
    std::string out(text_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }

  TomlValue parse_value(std::size_t depth) {
    const char c = peek();
    if (c == '"' || c == '\'') {
      if (text_.substr(pos_, 3) == "\"\"\"" || text_.substr(pos_, 3) == "'''")
        fail("multi-line strings are not supported in hooktool config files");
      ++pos_;
      return {c == '"' ? basic_string() : literal_string()};
    }
    if (c == '[')
      return array(depth);
    if (c == '{')
      fail("inline tables are not supported in hooktool config files: use a [table]");
    const auto start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ']' && text_[pos_] != '#' &&
           text_[pos_] != '\n' && text_[pos_] != ' ' && text_[pos_] != '\t' && text_[pos_] != '\r')
      ++pos_;
    const auto word = text_.substr(start, pos_ - start);
    if (word.empty())
      fail("missing value");
    if (word == "true")
      return {true};
    if (word == "false")
      return {false};
    return number(word);
  }

  TomlValue number(std::string_view word) {
    std::string digits;
    bool is_float = false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      const char c = word[i];
      if (c == '_') {
        const bool between = i > 0 && i + 1 < word.size() &&
                             std::isdigit(static_cast<unsigned char>(word[i - 1])) != 0 &&
                             std::isdigit(static_cast<unsigned char>(word[i + 1])) != 0;
        if (!between)
          fail("'" + std::string(word) + "' is not a value (strings need quotes)");
        continue;
      }
      if (c == '.' || c == 'e' || c == 'E')
        is_float = true;
      digits += c;
    }
    const auto* first = digits.data();
    const auto* last = digits.data() + digits.size();
    if (!digits.empty() && digits.front() == '+')
      ++first;
    if (is_float) {
      double d = 0;
      const auto [ptr, ec] = std::from_chars(first, last, d);
      if (ec == std::errc() && ptr == last && first != last)
        return {d};
    } else {
      std::int64_t n = 0;
      const auto [ptr, ec] = std::from_chars(first, last, n);
      if (ec == std::errc::result_out_of_range)
        fail("integer '" + std::string(word) + "' is out of range");
      const bool leading_zero = (last - first > 1 && *first == '0') ||
                                (last - first > 2 && *first == '-' && first[1] == '0');
      if (ec == std::errc() && ptr == last && first != last && !leading_zero)
        return {n};
    }
    fail("'" + std::string(word) + "' is not a value (strings need quotes)");
  }

  TomlValue array(std::size_t depth) {
    if (depth >= kMaxArrayDepth)
      fail("arrays nested too deeply");
    ++pos_; // '['
    TomlValue::Array items;
    for (;;) {
      skip_array_space();
      if (peek() == ']') {
        ++pos_;
        return {std::move(items)};
      }
      if (pos_ >= text_.size())
        fail("unterminated array");
      items.push_back(parse_value(depth + 1));
      skip_array_space();
      if (pos_ >= text_.size())
        fail("unterminated array");
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ']')
        fail("expected ',' or ']' in an array");
    }
  }
  // Inside an array, newlines and comments are whitespace.
  void skip_array_space() {
    for (;;) {
      skip_blank();
      if (peek() == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')
        ++pos_;
      if (peek() != '\n')
        return;
      ++pos_;
      ++line_;
    }
  }

  std::string_view text_;
  std::string_view origin_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::set<std::string> tables_;
  std::set<std::string> keys_;
  std::vector<TomlEntry> entries_;
};

} // namespace

std::vector<TomlEntry> parse_toml(std::string_view text, std::string_view origin) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    text.remove_prefix(3);
  return Parser(text, origin).run();
}

} // namespace hooktool::util
