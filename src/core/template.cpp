#include "core/template.hpp"

#include "crypto/crypto.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <cmath>
#include <cstdint>

namespace hooktool::core {

namespace {

// {{literal:TEXT}} renders as the literal text {{TEXT}} (Shopify's "${{amount}}").
constexpr std::string_view kLiteral = "literal:";

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::size_t count_arg(std::string_view gen, std::string_view arg, std::size_t max) {
  long long n = 0;
  if (!util::parse_int64(arg, n) || n < 1 || static_cast<std::size_t>(n) > max)
    throw usage_error("fixture placeholder {{" + std::string(gen) + ":" + std::string(arg) +
                      "}}: expected a length from 1 to " + std::to_string(max));
  return static_cast<std::size_t>(n);
}

bool is_array_index(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

} // namespace

SetOp parse_set(std::string_view text, SetMode mode) {
  const std::string flag = mode == SetMode::create ? "--set-new" : "--set";
  const auto eq = text.find('=');
  if (eq == std::string_view::npos)
    throw usage_error(flag + " '" + util::printable(text) + "': expected PATH=VALUE");
  SetOp op;
  op.mode = mode;
  std::string segment;
  const auto path = text.substr(0, eq);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '.') {
      segment.push_back('.');
      ++i;
    } else if (path[i] == '.') {
      op.path.push_back(std::move(segment));
      segment.clear();
    } else {
      segment.push_back(path[i]);
    }
  }
  op.path.push_back(std::move(segment));
  for (const auto& s : op.path)
    if (s.empty())
      throw usage_error(flag + " '" + util::printable(text) + "': empty path segment");
  op.raw = std::string(text.substr(eq + 1));
  // Copying and serialising a document recurse once per level: refuse what would exhaust the
  // stack, as compile_json_template does for fixtures.
  if (util::json_nesting_exceeds(op.raw, 512))
    throw usage_error(flag + " " + util::printable(text.substr(0, eq)) +
                      ": JSON value nested more than 512 levels deep");
  auto parsed = nlohmann::ordered_json::parse(op.raw, nullptr, false);
  op.value = parsed.is_discarded() ? nlohmann::ordered_json(op.raw) : std::move(parsed);
  if (op.value.is_number_float() && op.raw.find_first_of("eE") != std::string::npos) {
    const double v = op.value.get<double>();
    if (std::trunc(v) == v && std::fabs(v) < 9007199254740992.0) // exact in a double
      op.value = static_cast<std::int64_t>(v);
  }
  return op;
}

namespace {

std::string joined_path(const std::vector<std::string>& path, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < path.size(); ++i)
    out += (out.empty() ? "" : ".") + path[i];
  return out;
}

// --set on a key the object does not have: an error naming the nearest existing path.
[[noreturn]] void missing_key(const nlohmann::ordered_json& object, const SetOp& op,
                              std::size_t i) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : object.items())
    keys.push_back(k);
  const auto near = util::closest(op.path[i], keys);
  const auto parent = joined_path(op.path, 0, i);
  std::string text = "--set " + util::printable(joined_path(op.path, 0, op.path.size())) +
                     ": the payload has no '" + util::printable(op.path[i]) + "'" +
                     (parent.empty() ? "" : " in " + util::printable(parent));
  if (!near.empty()) {
    auto fixed = op.path;
    fixed[i] = near;
    text += " (did you mean " + util::printable(joined_path(fixed, 0, fixed.size())) + "?)";
  }
  throw usage_error(text + "; --set-new adds keys the fixture does not have");
}

} // namespace

void apply_set(nlohmann::ordered_json& doc, const SetOp& op) {
  const bool create = op.mode == SetMode::create;
  const std::string flag = create ? "--set-new " : "--set ";
  nlohmann::ordered_json* node = &doc;
  std::string where;
  for (std::size_t i = 0; i < op.path.size(); ++i) {
    const auto& key = op.path[i];
    where += (where.empty() ? "" : ".") + key;
    if (node->is_array()) {
      if (!is_array_index(key) || key.size() > 9)
        throw usage_error(flag + where + ": '" + key + "' is not an index into an array");
      const auto idx = static_cast<std::size_t>(std::stoul(key));
      if (idx > node->size() || (idx == node->size() && !create))
        throw usage_error(flag + where + ": index " + key + " is past the end of an array of " +
                          std::to_string(node->size()) + (create ? "" : " (--set-new appends)"));
      if (idx == node->size())
        node->push_back(nullptr);
      node = &(*node)[idx];
    } else if (node->is_object() && (create || node->contains(key))) {
      node = &(*node)[key];
    } else if (node->is_object()) {
      missing_key(*node, op, i);
    } else if (node->is_null() && create) {
      node = &(*node)[key];
    } else {
      throw usage_error(flag + where + ": cannot set a field inside a " +
                        std::string(node->type_name()) +
                        (node->is_null() ? " (--set-new makes it an object)" : ""));
    }
  }
  *node = op.value;
}

nlohmann::ordered_json Renderer::value_of(std::string_view token) {
  return value_ref(token);
}

const nlohmann::ordered_json& Renderer::value_ref(std::string_view token) {
  // Memoised in a map, whose nodes never move: the reference stays valid for the renderer.
  if (const auto it = memo_.find(token); it != memo_.end())
    return it->second;
  std::string_view spec = token;
  if (const auto hash = spec.find('#'); hash != std::string_view::npos)
    spec = spec.substr(0, hash);
  std::string_view gen = spec;
  std::string_view arg;
  if (const auto colon = spec.find(':'); colon != std::string_view::npos) {
    gen = spec.substr(0, colon);
    arg = spec.substr(colon + 1);
  }
  // Time generators take an offset in seconds: now-3600, now_iso+60.
  std::int64_t offset_s = 0;
  if (util::starts_with(gen, "now")) {
    const auto sign = gen.find_first_of("+-");
    if (sign != std::string_view::npos) {
      long long v = 0;
      if (!util::parse_int64(gen.substr(sign + 1), v))
        throw usage_error("fixture placeholder {{" + std::string(token) + "}}: bad offset");
      offset_s = gen[sign] == '-' ? -v : v;
      gen = gen.substr(0, sign);
    }
  }
  const auto t_ms = now_ms_ + offset_s * 1000;
  nlohmann::ordered_json value;
  if (gen == "id")
    value = std::string(arg) + crypto::random_string(kBase62, 24);
  else if (gen == "uuid")
    value = crypto::random_uuid();
  else if (gen == "int")
    value = std::stoll(crypto::random_digits(count_arg(gen, arg, 18)));
  else if (gen == "hex")
    value = crypto::to_hex(crypto::random_bytes((count_arg(gen, arg, 256) + 1) / 2))
                .substr(0, count_arg(gen, arg, 256));
  else if (gen == "alnum")
    value = crypto::random_string(kBase62, count_arg(gen, arg, 256));
  else if (gen == "upper")
    value = crypto::random_string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", count_arg(gen, arg, 256));
  else if (gen == "now")
    value = t_ms / 1000;
  else if (gen == "now_ms")
    value = t_ms;
  else if (gen == "now_iso")
    value = util::format_rfc3339(t_ms / 1000 * 1000, util::Precision::seconds);
  else if (gen == "now_iso_ms")
    value = util::format_rfc3339(t_ms, util::Precision::millis);
  else if (gen == "now_iso_offset") {
    auto s = util::format_rfc3339(t_ms / 1000 * 1000, util::Precision::seconds);
    s.pop_back();
    value = s + "+00:00";
  } else if (gen == "now_rfc2822")
    value = util::format_rfc2822(t_ms / 1000);
  else if (gen == "now_slack_ts") {
    const auto micros = crypto::random_digits(6);
    value = std::to_string(t_ms / 1000) + "." + micros;
  } else if (gen == "event")
    value = event_;
  else if (token.starts_with(kLiteral))
    value = "{{" + std::string(token.substr(kLiteral.size())) + "}}";
  else
    throw usage_error("unknown fixture placeholder {{" + std::string(token) +
                      "}} (a literal {{…}} is written {{literal:…}})");
  return memo_.emplace(std::string(token), std::move(value)).first->second;
}

void Renderer::append_value(std::string& out, const nlohmann::ordered_json& v, Target target,
                            bool whole) {
  if (!v.is_string()) {
    const auto dumped = v.dump();
    if (target == Target::form)
      out += util::form_encode(dumped);
    else if (whole)
      out += dumped;
    else
      util::append_json_escaped(out, dumped);
    return;
  }
  const auto& s = v.get_ref<const std::string&>();
  if (target == Target::form)
    out += util::form_encode(s);
  else
    util::append_json_escaped(out, s);
}

std::string Renderer::fill(std::string_view text, Target target, std::vector<Slot>* slots) {
  std::string out;
  out.reserve(text.size() + 64);
  if (slots != nullptr)
    slots->clear();
  std::size_t pos = 0;
  for (;;) {
    const auto open = text.find("{{", pos);
    if (open == std::string_view::npos)
      break;
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos)
      break;
    out.append(text.substr(pos, open - pos));
    const auto token = text.substr(open + 2, close - open - 2);
    pos = close + 2;
    if (token.starts_with(kLiteral)) {
      // The escape: {{literal:TEXT}} is the text {{TEXT}}, TEXT as the file writes it (already
      // JSON-escaped in a JSON template, form-encoded in a form).
      const auto inner = token.substr(kLiteral.size());
      if (target == Target::form)
        out.append("%7B%7B").append(inner).append("%7D%7D");
      else
        out.append("{{").append(inner).append("}}");
      continue;
    }
    const auto& v = value_ref(token);
    // A whole JSON string (the quote before opens it, the one after closes it) takes the
    // generator's type: a number replaces the quotes too.
    const bool whole = target == Target::json_text && !v.is_string() && open >= 1 &&
                       text[open - 1] == '"' && (open < 2 || text[open - 2] != '\\') &&
                       pos < text.size() && text[pos] == '"';
    if (whole) {
      out.pop_back();
      ++pos;
    }
    const auto start = out.size();
    append_value(out, v, target, whole);
    if (slots != nullptr)
      slots->push_back(
          {start, out.size() - start, std::string(token), target == Target::form, whole});
  }
  out.append(text.substr(pos));
  return out;
}

bool Renderer::patch(std::string& text, const std::vector<Slot>& slots) {
  for (const auto& slot : slots) {
    scratch_.clear();
    append_value(scratch_, value_ref(slot.token), slot.form ? Target::form : Target::json_text,
                 slot.whole);
    if (scratch_.size() != slot.length || slot.offset + slot.length > text.size())
      return false;
    text.replace(slot.offset, slot.length, scratch_);
  }
  return true;
}

std::string Renderer::fill_json_text(std::string_view json_text, std::vector<Slot>* slots) {
  return fill(json_text, Target::json_text, slots);
}

std::string Renderer::fill_form_text(std::string_view text, std::vector<Slot>* slots) {
  return fill(util::trim(text), Target::form, slots);
}

std::string compile_json_template(std::string_view text, std::string_view origin,
                                  const std::vector<SetOp>& sets, bool pretty) {
  if (util::json_nesting_exceeds(text, 512))
    throw usage_error(std::string(origin) + ": JSON nested more than 512 levels deep");
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for 1e999
    throw usage_error(std::string(origin) + ": invalid JSON: " + e.what());
  }
  for (const auto& op : sets)
    apply_set(doc, op);
  return doc.dump(pretty ? 2 : -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Renderer::render_json(std::string_view text, std::string_view origin,
                                  const std::vector<SetOp>& sets, bool pretty) {
  return fill_json_text(compile_json_template(text, origin, sets, pretty));
}

std::string Renderer::render_form(std::string_view text, const std::vector<SetOp>& sets) {
  auto body = fill_form_text(text);
  for (const auto& op : sets) {
    std::string name;
    for (const auto& seg : op.path)
      name += (name.empty() ? "" : ".") + seg;
    const auto encoded = util::form_encode(name) + "=" + util::form_encode(op.raw);
    // Replace the field where it first stands (dropping repeats), or append it.
    std::vector<std::string> parts;
    bool replaced = false;
    for (const auto part : util::split(body, '&')) {
      if (part.empty())
        continue;
      if (util::form_decode(part.substr(0, part.find('='))) != name)
        parts.emplace_back(part);
      else if (!replaced)
        parts.push_back(encoded);
      replaced = replaced || util::form_decode(part.substr(0, part.find('='))) == name;
    }
    if (!replaced)
      parts.push_back(encoded);
    std::string rebuilt;
    for (const auto& p : parts)
      rebuilt += (rebuilt.empty() ? "" : "&") + p;
    body = std::move(rebuilt);
  }
  return body;
}

} // namespace hooktool::core
