#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::core {

// Whether an override may add keys (and array elements) the fixture does not have:
// --set changes what exists (a typo in the path is an error), --set-new adds.
enum class SetMode { existing, create };

// One --set PATH=VALUE override.
struct SetOp {
  std::vector<std::string> path; // dotted path split into keys / array indexes
  nlohmann::ordered_json value;  // JSON when VALUE parses as JSON, else the string
  std::string raw;               // VALUE as typed (form bodies use it as is)
  SetMode mode = SetMode::existing;
};

// Parses "a.b.0.c=VALUE" ('\.' keeps a literal dot); throws a usage error when malformed.
// A JSON number written with an exponent whose value is a whole number (1e3, 2.5e3) becomes
// that integer (1000, 2500): an amount stays an integer. Other numbers are kept as parsed.
SetOp parse_set(std::string_view text, SetMode mode = SetMode::existing);

// Fills fixture placeholders ({{uuid}}, {{id:evt_}}, {{now}}, …; see fixtures/README.md);
// {{literal:TEXT}} is the escape, rendered as the text {{TEXT}}.
// One instance renders one delivery: the same placeholder text gives the same value.
class Renderer {
public:
  Renderer(std::int64_t now_ms, std::string event) : now_ms_(now_ms), event_(std::move(event)) {}

  // Renders a JSON fixture once: compile_json_template, then fill_json_text.
  std::string render_json(std::string_view text, std::string_view origin,
                          const std::vector<SetOp>& sets, bool pretty);
  // Renders a form fixture: placeholders form-encoded, then --set overrides of fields.
  std::string render_form(std::string_view text, const std::vector<SetOp>& sets);
  // Where fill_json_text (or render_form without overrides) wrote one placeholder's value, so
  // a later delivery can overwrite just the values (load mode renders thousands).
  struct Slot {
    std::size_t offset = 0;
    std::size_t length = 0;
    std::string token;
    bool form = false;  // written form-encoded
    bool whole = false; // a JSON number (or other non-string) that replaced its quotes
  };
  // Fills placeholders in a compiled JSON template: a string that is exactly one placeholder
  // takes the generator's JSON type, others have the value spliced in (JSON-escaped). With
  // slots, also says where each value went.
  std::string fill_json_text(std::string_view json_text, std::vector<Slot>* slots = nullptr);
  // Form template without --set overrides: placeholders form-encoded, with slots as above.
  std::string fill_form_text(std::string_view text, std::vector<Slot>* slots = nullptr);
  // Overwrites the slots of an earlier fill's output with this renderer's values, giving the
  // bytes a fill would give. False when a value's text is not as long as the one it replaces
  // (a time before 2001, say): text is then partly patched and must be filled again.
  bool patch(std::string& text, const std::vector<Slot>& slots);
  // The value of one placeholder body ("uuid", "now-60", "id:evt_#2"); throws on unknown ones.
  nlohmann::ordered_json value_of(std::string_view token);
  // Uses value for every occurrence of the placeholder token (a scenario's shared ids).
  void share(std::string token, nlohmann::ordered_json value) {
    memo_.insert_or_assign(std::move(token), std::move(value));
  }

private:
  // How a filled-in value is written.
  enum class Target { json_text, form };
  // value_of without the copy: a reference into the memo.
  const nlohmann::ordered_json& value_ref(std::string_view token);
  std::string fill(std::string_view text, Target target, std::vector<Slot>* slots);
  // Appends a value as fill writes it: form-encoded, bare JSON (whole), or escaped string text.
  static void append_value(std::string& out, const nlohmann::ordered_json& v, Target target,
                           bool whole);

  std::string scratch_; // patch's encoded value

  std::int64_t now_ms_;
  std::string event_;
  std::map<std::string, nlohmann::ordered_json, std::less<>> memo_;
};

// Parses a JSON fixture, applies the --set overrides and serialises it (compact or 2-space
// indented) with the placeholders still in place, ready for Renderer::fill_json_text.
// A usage error naming origin when the text is not JSON or nests too deep.
std::string compile_json_template(std::string_view text, std::string_view origin,
                                  const std::vector<SetOp>& sets, bool pretty);

// Applies one --set override to a JSON document; throws a usage error when the path cannot be
// set, or (SetMode::existing) names a key or index the document does not have, with the
// nearest existing path as a did-you-mean.
void apply_set(nlohmann::ordered_json& doc, const SetOp& op);

} // namespace hooktool::core
