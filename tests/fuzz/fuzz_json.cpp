// Fuzzes the JSON helpers that read untrusted bodies: util::parse_json, json_fields
// (the listener's SAX reader) and json_text. Where both the document and the SAX reader see a
// complete document, the fields they find must agree.
#include "util/json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace hooktool::providers::detail;

// The value json_fields reports for one path of a parsed document: strings and integers as
// text, anything else empty.
std::string field_of(const nlohmann::json& doc, const std::vector<std::string_view>& path) {
  const nlohmann::json* node = &doc;
  for (const auto key : path) {
    if (!node->is_object())
      return {};
    const auto it = node->find(key);
    if (it == node->end())
      return {};
    node = &*it;
  }
  if (node->is_string())
    return node->get<std::string>();
  if (node->is_number_integer())
    return node->dump();
  return {};
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  static const std::vector<std::vector<std::string_view>> paths{
      {"type"}, {"id"}, {"event", "type"}, {"event_id"}, {"data", "object", "id"}};
  const auto fields = json_fields(body, paths);
  if (fields.size() != paths.size()) {
    std::fprintf(stderr, "fuzz_json: json_fields returned %zu entries\n", fields.size());
    std::abort();
  }
  const auto doc = parse_json(body);
  if (!doc)
    return 0;
  (void)json_text(*doc, "type");
  (void)json_text(*doc, "id");
  if (doc->is_array() && !doc->empty())
    (void)json_text((*doc)[0], "type");
  // The document as re-serialised has no duplicate keys (the body may: the document keeps one
  // value, the SAX reader the first), so there the SAX reader must find what the document holds.
  const auto text = doc->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto again = json_fields(text, paths);
  for (std::size_t i = 0; i < paths.size(); ++i)
    if (again[i] != field_of(*doc, paths[i])) {
      std::fprintf(stderr,
                   "fuzz_json: json_fields and parse_json disagree on path %zu: '%s' vs '%s'\n", i,
                   again[i].c_str(), field_of(*doc, paths[i]).c_str());
      std::abort();
    }
  return 0;
}
