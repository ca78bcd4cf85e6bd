#include "core/tamper.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

namespace hooktool::core {

namespace {

// A scalar value in the body that the drill may change.
struct Leaf {
  std::string path;
  std::string key;
  std::size_t begin = 0; // first byte of the value (inside the quotes for strings)
  std::size_t end = 0;   // one past the last byte
  bool is_string = false;
  int depth = 0; // 1: a member of the top-level object
};

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Collects the scalar leaves of a JSON text with their byte ranges and paths. Keys are taken
// raw (without unescaping), which is what the scoring below needs. Stops at the first error.
class LeafScanner {
public:
  explicit LeafScanner(std::string_view text) : s_(text) {}

  std::optional<std::vector<Leaf>> scan() {
    skip_ws();
    if (!value("", "", 0))
      return std::nullopt;
    skip_ws();
    if (i_ != s_.size())
      return std::nullopt;
    return std::move(leaves_);
  }

private:
  static constexpr int kMaxDepth = 256;

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }

  bool string_token(std::size_t& begin, std::size_t& end) {
    if (i_ >= s_.size() || s_[i_] != '"')
      return false;
    begin = ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\')
        ++i_;
      ++i_;
    }
    if (i_ >= s_.size())
      return false;
    end = i_++;
    return true;
  }

  bool object(const std::string& path, int depth) {
    ++i_;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    while (true) {
      std::size_t kb = 0;
      std::size_t ke = 0;
      skip_ws();
      if (!string_token(kb, ke))
        return false;
      const std::string key(s_.substr(kb, ke - kb));
      skip_ws();
      if (i_ >= s_.size() || s_[i_++] != ':')
        return false;
      skip_ws();
      if (!value(path.empty() ? key : path + "." + key, key, depth + 1))
        return false;
      skip_ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return true;
      }
      return false;
    }
  }

  bool array(const std::string& path, const std::string& key, int depth) {
    ++i_;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    for (std::size_t n = 0;; ++n) {
      skip_ws();
      if (!value(path + "[" + std::to_string(n) + "]", key, depth + 1))
        return false;
      skip_ws();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return true;
      }
      return false;
    }
  }

  bool value(const std::string& path, const std::string& key, int depth) {
    if (i_ >= s_.size() || depth > kMaxDepth)
      return false;
    const char c = s_[i_];
    if (c == '{')
      return object(path, depth);
    if (c == '[')
      return array(path, key, depth);
    Leaf leaf{path, key, i_, i_, c == '"', depth};
    if (c == '"') {
      if (!string_token(leaf.begin, leaf.end))
        return false;
    } else {
      while (i_ < s_.size() && s_[i_] != ',' && s_[i_] != '}' && s_[i_] != ']' && s_[i_] != ' ' &&
             s_[i_] != '\n' && s_[i_] != '\r' && s_[i_] != '\t')
        ++i_;
      leaf.end = i_;
      if (leaf.end == leaf.begin)
        return false;
    }
    leaves_.push_back(std::move(leaf));
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<Leaf> leaves_;
};

// Field names handlers route, deduplicate or authenticate on: never the drill's target.
bool is_routing_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static constexpr std::array<std::string_view, 9> exact{
      "id", "object", "api_version", "livemode", "kind", "state", "version", "uid", "guid"};
  if (std::find(exact.begin(), exact.end(), key) != exact.end())
    return true;
  static constexpr std::array<std::string_view, 15> parts{
      "type",   "event", "topic", "action",  "status",  "sign",  "hmac", "token",
      "secret", "time",  "date",  "created", "updated", "nonce", "hash"};
  for (const auto part : parts)
    if (key.find(part) != std::string::npos)
      return true;
  return key.size() > 2 && (key.ends_with("id") || key.ends_with("_at") || key.ends_with("ts"));
}

// Names of values a drill should prefer: plainly content, never routing.
bool is_content_key(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static constexpr std::array<std::string_view, 14> parts{
      "description", "amount", "name",    "email",   "text",  "title", "body",
      "message",     "note",   "comment", "summary", "label", "line1", "city"};
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return key.find(p) != std::string::npos; });
}

int score(const Leaf& leaf) {
  int s = leaf.depth >= 2 ? 4 : 0;
  if (is_content_key(leaf.key))
    s += 2;
  if (leaf.is_string)
    s += 1;
  return s;
}

// The byte to change inside a leaf: for strings the first letter or digit outside an escape
// sequence, for numbers the last digit of the integer part (never making a leading zero).
std::optional<std::size_t> byte_in(std::string_view body, const Leaf& leaf) {
  if (leaf.is_string) {
    for (std::size_t i = leaf.begin; i < leaf.end; ++i) {
      if (body[i] == '\\') {
        i += body[i + 1] == 'u' ? 5 : 1;
        continue;
      }
      if (is_alnum(body[i]))
        return i;
    }
    return std::nullopt;
  }
  std::optional<std::size_t> last;
  for (std::size_t i = leaf.begin; i < leaf.end; ++i) {
    if (body[i] == '.' || body[i] == 'e' || body[i] == 'E')
      break;
    if (std::isdigit(static_cast<unsigned char>(body[i])) != 0)
      last = i;
  }
  return last;
}

char changed(char c) {
  if (std::isdigit(static_cast<unsigned char>(c)) != 0)
    return c == '9' ? '8' : static_cast<char>(c + 1);
  return static_cast<char>(std::islower(static_cast<unsigned char>(c)) != 0
                               ? std::toupper(static_cast<unsigned char>(c))
                               : std::tolower(static_cast<unsigned char>(c)));
}

// Form bodies: one leaf per field value; only letters and digits outside %XX escapes change.
std::vector<Leaf> form_leaves(std::string_view body) {
  std::vector<Leaf> out;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    auto amp = body.find('&', pos);
    if (amp == std::string_view::npos)
      amp = body.size();
    const auto eq = body.find('=', pos);
    if (eq != std::string_view::npos && eq < amp) {
      std::string key(body.substr(pos, eq - pos));
      out.push_back(Leaf{key, key, eq + 1, amp, true, 2});
    }
    pos = amp + 1;
  }
  return out;
}

std::optional<std::size_t> byte_in_form(std::string_view body, const Leaf& leaf) {
  std::optional<std::size_t> last;
  for (std::size_t i = leaf.begin; i < leaf.end; ++i) {
    if (body[i] == '%') {
      i += 2;
      continue;
    }
    if (is_alnum(body[i]))
      last = i;
  }
  return last;
}

struct Candidate {
  std::size_t offset = 0;
  std::string path;
};

std::vector<Candidate> candidates(std::string_view body, bool form) {
  std::vector<Leaf> leaves;
  if (form) {
    leaves = form_leaves(body);
  } else if (auto scanned = LeafScanner(body).scan()) {
    leaves = std::move(*scanned);
  }
  std::erase_if(leaves, [](const Leaf& l) { return is_routing_key(l.key); });
  std::stable_sort(leaves.begin(), leaves.end(),
                   [](const Leaf& a, const Leaf& b) { return score(a) > score(b); });
  std::vector<Candidate> out;
  for (const auto& leaf : leaves) {
    const auto at = form ? byte_in_form(body, leaf) : byte_in(body, leaf);
    if (at)
      out.push_back({*at, leaf.path});
  }
  return out;
}

std::string printable(char c) {
  return std::string(1, c);
}

} // namespace

BodyTamper tamper_body(model::HttpRequest& request, const providers::Provider& provider,
                       const providers::VerifyParams* verify) {
  const auto original = provider.event_info(request);
  const bool form = model::is_form(request.headers);
  constexpr std::size_t kMaxTries = 256;
  auto list = candidates(request.body, form);
  if (list.size() > kMaxTries)
    list.resize(kMaxTries);
  for (const auto& c : list) {
    auto copy = request;
    const char before = copy.body[c.offset];
    copy.body[c.offset] = changed(before);
    const auto info = provider.event_info(copy);
    if (info.type != original.type || info.id != original.id)
      continue;
    if (verify && provider.verify(copy, *verify).status == model::VerdictStatus::valid)
      continue; // not covered by the signature: try another value
    BodyTamper out;
    out.changed = true;
    out.offset = c.offset;
    out.path = c.path;
    out.before = before;
    out.after = copy.body[c.offset];
    out.note = "body byte " + std::to_string(c.offset) + " (" + c.path + ") changed from '" +
               printable(before) + "' to '" + printable(out.after) +
               "' after signing; event type and id unchanged";
    request.body = std::move(copy.body);
    return out;
  }
  // Nothing to change in place: add a byte that changes no value (an empty form field, or
  // whitespace after the JSON document).
  const std::string extra = form ? "&" : " ";
  if (verify) {
    auto copy = request;
    copy.body += extra;
    if (provider.verify(copy, *verify).status == model::VerdictStatus::valid) {
      BodyTamper out;
      out.note = "the body is not covered by " + std::string(provider.id()) +
                 "'s signature: changing it cannot be detected";
      return out;
    }
  }
  request.body += extra;
  BodyTamper out;
  out.changed = true;
  out.offset = request.body.size() - 1;
  out.after = extra[0];
  out.note = std::string(form ? "an empty form field ('&')" : "a space") +
             " appended to the body after signing (no value could change without changing the "
             "event type or id)";
  return out;
}

} // namespace hooktool::core
