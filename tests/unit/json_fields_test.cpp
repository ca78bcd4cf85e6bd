// json_fields is the listener's hot path: a hand-written scanner. It must accept exactly what
// nlohmann::json accepts and find the same values; checked on hand-picked cases and against a
// SAX reference on mutated fixture bodies.

#include "util/json.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

namespace {

using hooktool::util::json_fields;
using Paths = std::vector<std::vector<std::string_view>>;
using Values = std::vector<std::string>;

// The reference: nlohmann's SAX parser, the first scalar at each path wins, stop when all found.
class Reference final : public nlohmann::json_sax<nlohmann::json> {
public:
  Reference(const Paths& paths) : paths_(paths), out_(paths.size()), found_(paths.size()) {}
  bool null() override { return value({}); }
  bool boolean(bool) override { return value({}); }
  bool number_integer(number_integer_t v) override { return value(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(std::to_string(v)); }
  bool number_float(number_float_t, const string_t&) override { return value({}); }
  bool string(string_t& v) override { return value(v); }
  bool binary(binary_t&) override { return value({}); }
  bool start_object(std::size_t) override {
    stack_.push_back({true, {}});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    stack_.push_back({false, {}});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
  [[nodiscard]] bool complete() const { return count_ == paths_.size(); }
  Values out() const { return out_; }

private:
  bool value(const std::string& v) {
    for (std::size_t i = 0; i < paths_.size(); ++i) {
      const auto& p = paths_[i];
      if (p.size() != stack_.size() || found_[i])
        continue;
      bool match = true;
      for (std::size_t d = 0; d < p.size() && match; ++d)
        match = stack_[d].object && stack_[d].key == p[d];
      if (match) {
        found_[i] = true;
        ++count_;
        out_[i] = v;
      }
    }
    return count_ < paths_.size();
  }
  struct Level {
    bool object;
    std::string key;
  };
  const Paths& paths_;
  Values out_;
  std::vector<bool> found_;
  std::size_t count_ = 0;
  std::vector<Level> stack_;
};

Values reference(std::string_view body, const Paths& paths) {
  std::size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : body) { // the same depth limit as json_fields
    if (in_string) {
      escaped = !escaped && c == '\\';
      if (c == '"' && !escaped)
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      max_depth = std::max(max_depth, ++depth);
    else if ((c == '}' || c == ']') && depth > 0)
      --depth;
  }
  if (max_depth > hooktool::util::kMaxJsonDepth)
    return Values(paths.size());
  Reference ref(paths);
  if (nlohmann::json::sax_parse(body, &ref, nlohmann::json::input_format_t::json, false) ||
      ref.complete())
    return ref.out();
  return Values(paths.size());
}

TEST(JsonFields, FindsValuesAtKeyPaths) {
  const Paths paths{{"type"}, {"event", "type"}, {"id"}};
  EXPECT_EQ(
      json_fields(R"({"type":"event_callback","event":{"type":"app_mention"},"id":"E1"})", paths),
      (Values{"event_callback", "app_mention", "E1"}));
  EXPECT_EQ(
      json_fields(R"({"items":[{"type":"no"}],"x":{"y":{"type":"no"}},"type":"yes"})", {{"type"}}),
      Values{"yes"})
      << "keys inside arrays and other objects do not count";
  EXPECT_EQ(json_fields(R"({"t\u0079pe":"x\u00e9\"\ud83d\ude00\/"})", {{"type"}}),
            Values{"x\xC3\xA9\"\xF0\x9F\x98\x80/"});
  EXPECT_EQ(json_fields(" {\"a\" : [1, {\"b\": null}], \"type\" :\t\"ok\" } \n", {{"type"}}),
            Values{"ok"});
}

TEST(JsonFields, RendersIntegersLikeNlohmann) {
  const Paths id{{"id"}};
  EXPECT_EQ(json_fields(R"({"id":12345})", id), Values{"12345"});
  EXPECT_EQ(json_fields(R"({"id":-0})", id), Values{"0"});
  EXPECT_EQ(json_fields(R"({"id":-9223372036854775808})", id), Values{"-9223372036854775808"});
  EXPECT_EQ(json_fields(R"({"id":18446744073709551615})", id), Values{"18446744073709551615"});
  EXPECT_EQ(json_fields(R"({"id":18446744073709551616})", id), Values{""}) << "a float to nlohmann";
  EXPECT_EQ(json_fields(R"({"id":1.5})", id), Values{""});
  EXPECT_EQ(json_fields(R"({"id":1e3})", id), Values{""});
  EXPECT_EQ(json_fields(R"({"id":true})", id), Values{""});
  EXPECT_EQ(json_fields(R"({"id":{"x":1}, "id2":1})", id), Values{""});
}

TEST(JsonFields, InvalidJsonGivesNothingUnlessEverythingWasFoundFirst) {
  const Paths two{{"type"}, {"id"}};
  EXPECT_EQ(json_fields(R"({"type":"x",)", {{"type"}}), Values{"x"}) << "stops once found";
  EXPECT_EQ(json_fields(R"({"type":"x",)", two), (Values{"", ""}));
  EXPECT_EQ(json_fields(R"({"type":"x"} trailing)", two), (Values{"x", ""}))
      << "what follows the document is not read (nlohmann's non-strict parse)";
  for (const auto* bad :
       {R"({"type":"x",})", R"({"type":'x'})", "{\"type\":\"a\x01\"}", "{\"type\":\"\xC3\x28\"}",
        R"({"type":"\ud800"})", R"({"type":"\x"})", R"({"id":01})", R"({"id":-})", R"({"id":1.})",
        R"({"type":tru})", "", "   ", R"([1,])", R"({"a" 1})"}) {
    EXPECT_EQ(json_fields(bad, two), (Values{"", ""})) << bad;
    EXPECT_EQ(reference(bad, two), (Values{"", ""})) << "reference: " << bad;
  }
  EXPECT_EQ(json_fields(std::string(300, '[') + std::string(300, ']'), two), (Values{"", ""}));
  std::string deep =
      "{\"type\":\"x\",\"a\":" + std::string(255, '[') + std::string(255, ']') + ",\"id\":\"y\"}";
  EXPECT_EQ(json_fields(deep, two), (Values{"x", "y"})) << "256 levels are fine";
}

std::vector<std::string> fixture_bodies() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(HOOKTOOL_FIXTURES_DIR)) {
    if (e.path().extension() != ".json")
      continue;
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    auto text = ss.str();
    // Placeholders become plain values so that the bodies are JSON.
    std::string body;
    for (std::size_t i = 0; i < text.size();) {
      if (text.compare(i, 2, "{{") == 0) {
        const auto close = text.find("}}", i);
        if (close == std::string::npos)
          break;
        body += "7";
        i = close + 2;
        continue;
      }
      body += text[i++];
    }
    out.push_back(body);
  }
  return out;
}

TEST(JsonFields, AgreesWithNlohmannOnMutatedBodies) {
  const std::vector<Paths> path_sets{{{"type"}, {"id"}},
                                     {{"action"}},
                                     {{"type"}, {"event", "type"}, {"event_id"}, {"challenge"}},
                                     {{"data", "object", "id"}, {"created"}}};
  std::mt19937 rng(20261125);
  const auto bodies = fixture_bodies();
  ASSERT_GE(bodies.size(), 20U);
  const std::string alphabet = "{}[]\",:\\ 0123456789.-eEtrufalsn\x01\x80\xC3\xA9\xFFu";
  std::size_t checked = 0;
  for (int round = 0; round < 4000; ++round) {
    auto body = bodies[rng() % bodies.size()];
    const int edits = static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const auto pos = rng() % body.size();
      switch (rng() % 4) {
      case 0:
        body[pos] = alphabet[rng() % alphabet.size()];
        break;
      case 1:
        body.erase(pos, 1 + rng() % 8);
        break;
      case 2:
        body.insert(pos, 1, alphabet[rng() % alphabet.size()]);
        break;
      default:
        body.resize(pos);
        break;
      }
    }
    for (const auto& paths : path_sets) {
      ASSERT_EQ(json_fields(body, paths), reference(body, paths)) << body;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16000U);
}

// The scanners skip plain text eight bytes at a time (util/swar.hpp): a byte that needs a closer
// look must be found wherever it sits in a word, and at the end of a string shorter than a word.
TEST(JsonFields, FindsEveryStopByteAtEveryOffsetOfAWord) {
  const std::vector<std::string> stops{std::string(1, '\0'), "\x1f",     "\"",   "\\\\", "\x7f",
                                       "\xC2\x85",           "\xC3\xA9", "\x80", "\xFF", "\\u00e9"};
  std::size_t checked = 0;
  for (std::size_t len = 0; len <= 24; ++len) {
    for (std::size_t at = 0; at <= len; ++at) {
      for (const auto& stop : stops) {
        std::string text(len, 'a');
        text.insert(at, stop);
        const auto body = "{\"pad\":\"" + text + "\",\"k\":\"" + text + "\"}";
        ASSERT_EQ(json_fields(body, {{"k"}}), reference(body, {{"k"}})) << len << " " << at;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 3250U);
}

// json_fields answers "absent" without scanning when a wanted key does not occur in the body;
// a key written with escapes must still be found, and an absent one give the same as a scan.
TEST(JsonFields, KeyWrittenWithEscapesIsFoundAndAnAbsentOneIsEmpty) {
  EXPECT_EQ(json_fields(R"({"\u0061ction":"opened"})", {{"action"}}), Values{"opened"});
  EXPECT_EQ(json_fields(R"({"a\/b":7})", {{"a/b"}}), Values{"7"});
  EXPECT_EQ(json_fields(R"({"x":{"t\u0079pe":"a.b"}})", {{"x", "type"}}), Values{"a.b"});
  EXPECT_EQ(json_fields(R"({"ref":"main","commits":[]})", {{"action"}}), Values{""});
  EXPECT_EQ(json_fields(R"({"event":{"id":"1"}})", {{"event", "type"}, {"id"}}), Values({"", ""}));
  // Present as a value only: scanned, and still absent as a key.
  EXPECT_EQ(json_fields(R"({"note":"action"})", {{"action"}}), Values{""});
  // The key at every offset of a 16-byte block, and cut off at the end.
  for (std::size_t pad = 0; pad < 40; ++pad) {
    const std::string body = "{\"p\":\"" + std::string(pad, 'x') + "\",\"action\":\"opened\"}";
    EXPECT_EQ(json_fields(body, {{"action"}}), Values{"opened"}) << pad;
    EXPECT_EQ(json_fields(body.substr(0, body.size() - 12), {{"action"}}), Values{""}) << pad;
  }
  // Not JSON, key absent: empty either way.
  EXPECT_EQ(json_fields("{\"ref\":", {{"action"}}), Values{""});
}

} // namespace
