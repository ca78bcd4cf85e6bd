#include "core/scenario.hpp"

#include "core/embedded_fixtures.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <set>

namespace hooktool::core {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr std::string_view kFolder = "scenarios";
constexpr std::string_view kBuiltIn = "built-in";

std::vector<std::string> split_path(std::string_view dotted) {
  std::vector<std::string> out;
  for (const auto part : util::split(dotted, '.'))
    out.emplace_back(part);
  return out;
}

std::string join_path(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& p : path)
    out += (out.empty() ? "" : ".") + p;
  return out;
}

// "{{id:cus_}}" -> "id:cus_"; empty when text is not exactly one placeholder.
std::string placeholder_body(std::string_view text) {
  if (text.size() < 5 || !text.starts_with("{{") || !text.ends_with("}}"))
    return {};
  const auto body = text.substr(2, text.size() - 4);
  if (body.find_first_of("{}") != std::string_view::npos)
    return {};
  return std::string(body);
}

// A key of an event that has the wrong type of value, or is not a key of the format.
[[noreturn]] void wrong_key(const std::string& at, const std::string& key) {
  if (key == "event")
    throw usage_error(at + ": event: expected an event name");
  if (key == "delay_ms")
    throw usage_error(at + ": delay_ms: expected a non-negative integer");
  if (key == "set")
    throw usage_error(at + ": set: expected an object of PATH: VALUE");
  if (key == "placeholders")
    throw usage_error(at + ": placeholders: expected an object of placeholder renames");
  throw usage_error(at + ": unknown key '" + util::printable(key) + "'");
}

ScenarioStep parse_step(const json& e, std::size_t index, const std::string& where) {
  const auto at = where + ": events[" + std::to_string(index) + "]";
  if (!e.is_object())
    throw usage_error(at + ": expected an object");
  ScenarioStep step;
  for (const auto& [key, value] : e.items()) {
    if (key == "event" && value.is_string() && !value.get_ref<const std::string&>().empty())
      step.event = value.get<std::string>();
    else if (key == "delay_ms" && value.is_number_integer() && value.get<std::int64_t>() >= 0)
      step.delay_ms = value.get<std::int64_t>();
    else if (key == "set" && value.is_object())
      for (const auto& [path, v] : value.items()) {
        SetOp op;
        op.path = split_path(path);
        if (std::any_of(op.path.begin(), op.path.end(), [](const auto& s) { return s.empty(); }))
          throw usage_error(at + ": set: '" + util::printable(path) + "' has an empty segment");
        op.value = v;
        op.raw = v.is_string() ? v.get<std::string>() : v.dump();
        op.mode = SetMode::create; // a scenario may add what the event's fixture lacks
        step.sets.push_back(std::move(op));
      }
    else if (key == "placeholders" && value.is_object())
      for (const auto& [from, to] : value.items()) {
        auto a = placeholder_body(from);
        auto b = to.is_string() ? placeholder_body(to.get<std::string>()) : std::string();
        if (a.empty() || b.empty())
          throw usage_error(at + ": placeholders: expected \"{{…}}\": \"{{…}}\" pairs");
        step.renames.insert_or_assign(std::move(a), std::move(b));
      }
    else
      wrong_key(at, key);
  }
  if (step.event.empty())
    throw usage_error(at + ": event: an event name is required");
  return step;
}

} // namespace

Scenario parse_scenario(std::string_view text, std::string_view family, std::string_view name,
                        std::string_view origin) {
  const auto where =
      origin == kBuiltIn ? "scenario " + std::string(name) + " (built-in)" : std::string(origin);
  if (util::json_nesting_exceeds(text, 512))
    throw usage_error(where + ": JSON nested more than 512 levels deep");
  const auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw usage_error(where + ": not a JSON object");
  Scenario out;
  out.family = std::string(family);
  out.name = std::string(name);
  out.origin = std::string(origin);
  for (const auto& [key, value] : doc.items()) {
    if (key == "scenario") {
      if (!value.is_string() || value.get<std::string>() != name)
        throw usage_error(where + ": scenario: expected the file's name, '" + std::string(name) +
                          "'");
    } else if (key == "description" && value.is_string()) {
      out.description = value.get<std::string>();
    } else if (key == "shared" && value.is_array()) {
      for (const auto& s : value) {
        auto body = s.is_string() ? placeholder_body(s.get<std::string>()) : std::string();
        if (body.empty())
          throw usage_error(where + ": shared: expected placeholders such as \"{{id:cus_}}\"");
        out.shared.push_back(std::move(body));
      }
    } else if (key == "events" && value.is_array()) {
      for (std::size_t i = 0; i < value.size(); ++i)
        out.steps.push_back(parse_step(value[i], i, where));
    } else {
      throw usage_error(where + ": unexpected key or type of '" + util::printable(key) + "'");
    }
  }
  if (out.steps.empty())
    throw usage_error(where + ": events: a non-empty array is required");
  return out;
}

ScenarioStore::ScenarioStore(std::vector<fs::path> user_dirs, fs::path installed_dir)
    : dirs_(std::move(user_dirs)) {
  if (!installed_dir.empty())
    dirs_.push_back(std::move(installed_dir));
}

std::vector<std::pair<std::string, std::string>>
ScenarioStore::locate(std::string_view family) const {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (const auto& dir : dirs_) {
    std::error_code ec;
    const auto sdir = dir / std::string(family) / std::string(kFolder);
    for (auto it = fs::directory_iterator(sdir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      const auto file = it->path().filename().string();
      if (!it->is_regular_file(ec) || !file.ends_with(".json") || file.size() <= 5)
        continue;
      auto name = file.substr(0, file.size() - 5);
      if (seen.insert(name).second)
        out.emplace_back(std::move(name), it->path().string());
    }
  }
  const auto prefix = std::string(family) + "/" + std::string(kFolder) + "/";
  for (const auto& e : embedded_fixtures()) {
    if (!e.path.starts_with(prefix) || !e.path.ends_with(".json"))
      continue;
    auto name = std::string(e.path.substr(prefix.size(), e.path.size() - prefix.size() - 5));
    if (!name.empty() && name.find('/') == std::string::npos && seen.insert(name).second)
      out.emplace_back(std::move(name), std::string(kBuiltIn));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ScenarioStore::names(std::string_view family) const {
  std::vector<std::string> out;
  for (auto& [name, origin] : locate(family))
    out.push_back(std::move(name));
  return out;
}

std::vector<Scenario> ScenarioStore::list(std::string_view family) const {
  std::vector<Scenario> out;
  for (const auto& [name, origin] : locate(family))
    out.push_back(load(family, name));
  return out;
}

Scenario ScenarioStore::load(std::string_view family, std::string_view name) const {
  const auto found = locate(family);
  for (const auto& [n, origin] : found) {
    if (n != name)
      continue;
    if (origin != kBuiltIn)
      return parse_scenario(util::read_file(origin), family, name, origin);
    const auto path = std::string(family) + "/" + std::string(kFolder) + "/" + n + ".json";
    for (const auto& e : embedded_fixtures())
      if (e.path == path)
        return parse_scenario(e.data, family, name, origin);
  }
  if (found.empty())
    throw usage_error("no scenarios for provider '" + std::string(family) + "'");
  std::vector<std::string> names;
  std::string known;
  for (const auto& [n, origin] : found) {
    names.push_back(n);
    known += (known.empty() ? "" : ", ") + n;
  }
  throw usage_error("unknown " + std::string(family) + " scenario '" + util::printable(name) + "'" +
                    util::did_you_mean(name, names) + "; known: " + known);
}

std::string rename_placeholders(std::string_view text,
                                const std::map<std::string, std::string, std::less<>>& renames) {
  if (renames.empty())
    return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (;;) {
    const auto open = text.find("{{", pos);
    const auto close = open == std::string_view::npos ? open : text.find("}}", open + 2);
    if (close == std::string_view::npos)
      break;
    const auto it = renames.find(text.substr(open + 2, close - open - 2));
    out.append(text.substr(pos, open - pos));
    if (it == renames.end())
      out.append(text.substr(open, close + 2 - open));
    else
      out.append("{{").append(it->second).append("}}");
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

bool json_path_exists(const json& doc, const std::vector<std::string>& path) {
  const json* node = &doc;
  for (const auto& key : path) {
    if (node->is_object()) {
      const auto it = node->find(key);
      if (it == node->end())
        return false;
      node = &*it;
    } else if (node->is_array()) {
      if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos)
        return false;
      const auto idx = static_cast<std::size_t>(std::stoul(key));
      if (idx >= node->size())
        return false;
      node = &(*node)[idx];
    } else {
      return false;
    }
  }
  return true;
}

ScenarioRun::ScenarioRun(const FixtureStore& store, Scenario scenario,
                         const std::vector<SetOp>& user_sets, bool pretty_json, std::int64_t now_ms)
    : scenario_(std::move(scenario)), set_steps_(user_sets.size()) {
  for (std::size_t i = 0; i < scenario_.steps.size(); ++i) {
    const auto& step = scenario_.steps[i];
    const auto where =
        "scenario " + scenario_.name + ", event " + std::to_string(i + 1) + " (" + step.event + ")";
    Fixture fixture;
    try {
      fixture = store.load(scenario_.family, step.event);
    } catch (const Error& e) {
      throw Error(e.code(), where + ": " + e.what());
    }
    if (fixture.format != providers::BodyFormat::json)
      throw usage_error(where + ": a form fixture; scenarios take JSON fixtures");
    const auto origin = fixture.origin == kBuiltIn
                            ? "built-in " + fixture.provider + "/" + fixture.event
                            : fixture.origin;
    // The file's overrides first; then each --set where the event has the path.
    json doc = json::parse(compile_json_template(rename_placeholders(fixture.text, step.renames),
                                                 origin, step.sets, false));
    std::vector<SetOp> sets;
    for (std::size_t s = 0; s < user_sets.size(); ++s)
      if (json_path_exists(doc, user_sets[s].path)) {
        sets.push_back(user_sets[s]);
        set_steps_[s].push_back(i);
      }
    compiled_.push_back(compile_json_template(doc.dump(), origin, sets, pretty_json));
    origins_.push_back(origin);
  }
  for (std::size_t s = 0; s < user_sets.size(); ++s)
    if (set_steps_[s].empty())
      unmatched_.push_back(join_path(user_sets[s].path));
  Renderer draw(now_ms, "");
  for (const auto& token : scenario_.shared)
    shared_values_.emplace_back(token, draw.value_of(token));
}

Payload ScenarioRun::render(std::size_t step, std::int64_t now_ms) const {
  Renderer renderer(now_ms, scenario_.steps.at(step).event);
  for (const auto& [token, value] : shared_values_)
    renderer.share(token, value);
  Payload out;
  out.format = providers::BodyFormat::json;
  out.origin = origins_.at(step);
  out.body = renderer.fill_json_text(compiled_.at(step));
  return out;
}

json scenario_json(const Scenario& scenario) {
  json events = json::array();
  for (const auto& s : scenario.steps)
    events.push_back({{"event", s.event}, {"delay_ms", s.delay_ms}});
  json shared = json::array();
  for (const auto& t : scenario.shared)
    shared.push_back("{{" + t + "}}");
  return {{"provider", scenario.family},         {"scenario", scenario.name},
          {"description", scenario.description}, {"origin", scenario.origin},
          {"shared", std::move(shared)},         {"events", std::move(events)}};
}

} // namespace hooktool::core
