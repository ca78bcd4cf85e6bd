#include "webui/compare.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <vector>

namespace hooktool::webui {

// Named, not anonymous: the library is compiled in unity units with api.cpp.
namespace compare_impl {

// Object fields in the order the body has them.
using json = nlohmann::ordered_json;

constexpr std::size_t kMaxFields = 2000;
constexpr std::size_t kMaxLines = 2000;    // lines listed in a text diff
constexpr std::size_t kMaxLcsLines = 1500; // beyond this, lines are compared by position
constexpr std::size_t kMaxLineDiffCells = 2u << 20;

std::string start_line(const core::CaptureRecord& r) {
  return r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query);
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Header name (lower case) -> the name as first seen and its values joined, in arrival order.
struct HeaderGroup {
  std::string key;
  std::string name;
  std::string value;
};

std::vector<HeaderGroup> group(const model::Headers& headers) {
  std::vector<HeaderGroup> out;
  for (const auto& h : headers) {
    const auto key = lower(h.name);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& g) { return g.key == key; });
    if (it == out.end())
      out.push_back({key, h.name, h.value});
    else
      it->value += ", " + h.value;
  }
  return out;
}

json header_diff(const model::Headers& a, const model::Headers& b) {
  const auto left = group(a);
  const auto right = group(b);
  json out = json::array();
  const auto find = [](const std::vector<HeaderGroup>& in, const std::string& key) {
    return std::find_if(in.begin(), in.end(), [&](const auto& g) { return g.key == key; });
  };
  for (const auto& l : left) {
    const auto r = find(right, l.key);
    if (r == right.end())
      out.push_back({{"name", l.name}, {"change", "removed"}, {"a", l.value}});
    else if (r->value != l.value)
      out.push_back({{"name", l.name}, {"change", "changed"}, {"a", l.value}, {"b", r->value}});
  }
  for (const auto& r : right)
    if (find(left, r.key) == left.end())
      out.push_back({{"name", r.name}, {"change", "added"}, {"b", r.value}});
  return out;
}

bool plain_key(const std::string& key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0])))
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

std::string child_path(const std::string& path, const std::string& key) {
  return plain_key(key) ? path + "." + key : path + "[" + json(key).dump() + "]";
}

struct FieldDiff {
  json fields = json::array();
  bool truncated = false;

  void add(const std::string& path, const json* a, const json* b) {
    if (fields.size() >= kMaxFields) {
      truncated = true;
      return;
    }
    json f = {{"path", path},
              {"change", a == nullptr   ? "added"
                         : b == nullptr ? "removed"
                                        : "changed"}};
    if (a != nullptr)
      f["a"] = *a;
    if (b != nullptr)
      f["b"] = *b;
    fields.push_back(std::move(f));
  }

  void walk(const std::string& path, const json& a, const json& b) {
    if (a.is_object() && b.is_object()) {
      for (const auto& [k, v] : a.items()) {
        const auto it = b.find(k);
        if (it == b.end())
          add(child_path(path, k), &v, nullptr);
        else
          walk(child_path(path, k), v, *it);
      }
      for (const auto& [k, v] : b.items())
        if (!a.contains(k))
          add(child_path(path, k), nullptr, &v);
    } else if (a.is_array() && b.is_array()) {
      const auto n = std::max(a.size(), b.size());
      for (std::size_t i = 0; i < n; ++i) {
        const auto p = path + "[" + std::to_string(i) + "]";
        if (i >= b.size())
          add(p, &a[i], nullptr);
        else if (i >= a.size())
          add(p, nullptr, &b[i]);
        else
          walk(p, a[i], b[i]);
      }
    } else if (a != b || a.type() != b.type()) {
      add(path, &a, &b);
    }
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// A line diff: the longest common subsequence when it is small enough, else line by line.
json line_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
               bool& truncated) {
  json out = json::array();
  const auto push = [&](const char* op, const std::string& text) {
    if (out.size() >= kMaxLines) {
      truncated = true;
      return;
    }
    out.push_back({{"op", op}, {"text", text}});
  };
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if (n <= kMaxLcsLines && m <= kMaxLcsLines && (n + 1) * (m + 1) <= kMaxLineDiffCells) {
    std::vector<std::uint32_t> len((n + 1) * (m + 1), 0); // len[i][j]: LCS of a[i..], b[j..]
    const auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
      return len[i * (m + 1) + j];
    };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n && j < m) {
      if (a[i] == b[j]) {
        push(" ", a[i++]);
        ++j;
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        push("-", a[i++]);
      } else {
        push("+", b[j++]);
      }
    }
    for (; i < n; ++i)
      push("-", a[i]);
    for (; j < m; ++j)
      push("+", b[j]);
    return out;
  }
  for (std::size_t i = 0; i < std::max(n, m); ++i) {
    if (i < n && i < m && a[i] == b[i]) {
      push(" ", a[i]);
      continue;
    }
    if (i < n)
      push("-", a[i]);
    if (i < m)
      push("+", b[i]);
  }
  return out;
}

json body_diff(const core::CaptureRecord& a, const core::CaptureRecord& b) {
  json out = {{"same", a.body == b.body}};
  if (!util::is_valid_utf8(a.body) || !util::is_valid_utf8(b.body)) {
    out["kind"] = "binary";
    out["a_size"] = a.body.size();
    out["b_size"] = b.body.size();
    return out;
  }
  const auto left = json::parse(a.body, nullptr, false);
  const auto right = json::parse(b.body, nullptr, false);
  if (!a.body.empty() && !b.body.empty() && !left.is_discarded() && !right.is_discarded()) {
    FieldDiff d;
    d.walk("$", left, right);
    out["kind"] = "json";
    out["fields"] = std::move(d.fields);
    out["truncated"] = d.truncated;
    return out;
  }
  bool truncated = false;
  out["kind"] = "text";
  out["lines"] = line_diff(lines_of(a.body), lines_of(b.body), truncated);
  out["truncated"] = truncated;
  return out;
}

} // namespace compare_impl

std::string compare_json(const core::CaptureRecord& a, const core::CaptureRecord& b) {
  using compare_impl::json;
  const json j = {
      {"start_line",
       {{"same", compare_impl::start_line(a) == compare_impl::start_line(b)},
        {"a", compare_impl::start_line(a)},
        {"b", compare_impl::start_line(b)}}},
      {"headers", compare_impl::header_diff(a.headers, b.headers)},
      {"body", compare_impl::body_diff(a, b)},
  };
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace hooktool::webui
