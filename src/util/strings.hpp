#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::util {

// ASCII lower-casing (header names, hex).
std::string to_lower(std::string_view s);
// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b) noexcept;
// The value of a hexadecimal digit (either case); -1 for any other character.
int hex_value(char c) noexcept;
// Strips ASCII whitespace at both ends.
std::string_view trim(std::string_view s) noexcept;
// Splits at every occurrence of sep; empty fields are kept.
std::vector<std::string_view> split(std::string_view s, char sep);
// True when s starts with prefix.
inline bool starts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.substr(0, prefix.size()) == prefix;
}
// Parses a whole decimal integer (optional leading '-'); false on anything else.
bool parse_int64(std::string_view s, long long& out) noexcept;
// True when the bytes are well-formed UTF-8.
bool is_valid_utf8(std::string_view s) noexcept;
// Percent-decodes a form component ('+' is a space); invalid escapes are kept literally.
std::string form_decode(std::string_view s);
// Percent-encodes for application/x-www-form-urlencoded ('+' for space).
std::string form_encode(std::string_view s);
// True when JSON text nests arrays/objects deeper than limit (brackets inside strings don't
// count). Checked before parsing untrusted bodies: JSON libraries recurse per level.
bool json_nesting_exceeds(std::string_view text, std::size_t limit) noexcept;
// The candidate closest to name by edit distance, when it is close enough to be a typo
// (at most 2 edits, and fewer than half the name); empty otherwise.
std::string closest(std::string_view name, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" for closest(name, candidates), or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);
// Shell-style match of the whole text against pattern, by fnmatch(3) with FNM_NOESCAPE only:
// '*' any run of bytes ('/' and a leading '.' included: no FNM_PATHNAME, no FNM_PERIOD), '?'
// any one byte, '[abc]', '[a-z]' and '[!a]' a set; '\\' is an ordinary character (no escapes),
// case counts. A pattern or text holding a NUL byte matches nothing.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;
// Appends s escaped for the inside of a JSON string ('"', '\\', control characters; other
// bytes copied as they are, so s should be UTF-8), without the surrounding quotes.
void append_json_escaped(std::string& out, std::string_view s);
// RFC 9110 §5.6.2 tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~" (header names, methods, codings).
bool is_tchar(unsigned char c) noexcept;
// A non-empty run of tchar: an HTTP token.
bool is_http_token(std::string_view s) noexcept;
// Appends a Unicode scalar value (at most U+10FFFF, not a surrogate) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
// Quotes text for a POSIX shell: 'text', embedded single quotes escaped.
std::string shell_quote(std::string_view text);
// The one terminal-escaping function every printer uses (listen, replay, check, export, verify,
// sign, every error that quotes user or wire data). What a terminal could act on is shown
// escaped, never passed on raw: C0 controls but tab, and DEL, as "\xHH"; C1 controls encoded
// as UTF-8 (U+0080-U+009F) as "\u00HH"; every byte outside well-formed UTF-8 (raw 0x80-0x9F,
// Latin-1, cut or overlong sequences, surrogates) as "\xHH". Other UTF-8 text is kept.
std::string printable(std::string_view s);
// Like printable, but keeps line breaks and tabs (multi-line text); drops '\r'.
std::string printable_text(std::string_view s);
// printable of at most max_bytes of s (never splitting a UTF-8 sequence), "…" when cut: how an
// error quotes a value a user or a sender gave.
std::string capped(std::string_view s, std::size_t max_bytes = 80);
// JSON text from a serialiser with DEL and U+0080-U+009F written as \u escapes (the same JSON
// value), so a JSON printer puts no control byte on a terminal either.
std::string json_for_terminal(std::string json);
// Terminal columns the UTF-8 text takes (wide East Asian forms 2, combining marks 0).
std::size_t display_width(std::string_view s) noexcept;
// s cut to at most max columns, ending in "…" when cut.
std::string fit_width(std::string_view s, std::size_t max);

} // namespace hooktool::util
