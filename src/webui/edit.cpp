#include "webui/edit.hpp"

#include "core/capture.hpp"
#include "core/compose.hpp"
#include "core/replay.hpp"
#include "model/url.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hooktool::webui {

// Named, not anonymous: the library is compiled in unity units with api.cpp.
namespace edit_impl {

using nlohmann::json;

constexpr std::size_t kMaxHeaders = 1000;

std::string check_path(const std::string& path) {
  if (path.empty() || path.front() != '/')
    return "the path must start with '/'";
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f)
      return "the path holds a space or a control byte (percent-encode it)";
    if (ch == '#')
      return "the path holds '#' (percent-encode it as %23)";
  }
  return {};
}

std::string read_headers(const json& list, model::Headers& out) {
  if (!list.is_array())
    return "edit.headers must be a list of [name, value] pairs";
  if (list.size() > kMaxHeaders)
    return "more than " + std::to_string(kMaxHeaders) + " headers";
  for (const auto& pair : list) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
      return "edit.headers must be a list of [name, value] pairs";
    auto name = pair[0].get<std::string>();
    auto value = pair[1].get<std::string>();
    if (auto why = core::header_problem(name, value); !why.empty()) // as a capture is read
      return why;
    out.push_back({std::move(name), std::move(value)});
  }
  return {};
}

std::string read_edit(const json& edit, ReplayAsk& ask) {
  if (!edit.is_object())
    return "edit must be an object";
  if (const auto it = edit.find("method"); it != edit.end()) {
    if (!it->is_string() || !util::is_http_token(it->get<std::string>()) ||
        it->get<std::string>().size() > 32)
      return "the method must be a token such as POST";
    ask.method = it->get<std::string>();
  }
  if (const auto it = edit.find("path"); it != edit.end()) {
    if (!it->is_string())
      return "edit.path must be a string";
    if (auto why = check_path(it->get<std::string>()); !why.empty())
      return why;
    ask.path = it->get<std::string>();
  }
  if (const auto it = edit.find("headers"); it != edit.end()) {
    model::Headers headers;
    if (auto why = read_headers(*it, headers); !why.empty())
      return why;
    ask.headers = std::move(headers);
  }
  if (const auto it = edit.find("body"); it != edit.end()) {
    if (!it->is_string())
      return "edit.body must be a string";
    ask.body = it->get<std::string>();
  }
  return {};
}

std::string read_ask(const json& j, ReplayAsk& ask) {
  if (!j.is_object())
    return "the request body must be a JSON object";
  if (const auto it = j.find("confirm"); it != j.end())
    ask.confirm = it->is_boolean() && it->get<bool>();
  if (const auto it = j.find("url"); it != j.end() && !it->is_null()) {
    if (!it->is_string())
      return "url must be a string";
    ask.url = util::trim(it->get<std::string>());
  }
  if (const auto it = j.find("sign"); it != j.end() && !it->is_null()) {
    const auto sign = it->is_string() ? it->get<std::string>() : "";
    if (sign != "resign" && sign != "keep")
      return "sign must be \"resign\" or \"keep\"";
    ask.resign = sign == "resign";
  }
  if (const auto it = j.find("edit"); it != j.end() && !it->is_null())
    return read_edit(*it, ask);
  return {};
}

} // namespace edit_impl

ParsedAsk parse_replay_ask(std::string_view body) {
  ParsedAsk out;
  if (util::trim(body).empty())
    return out;
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    out.error = "the request body is not JSON";
    return out;
  }
  out.error = edit_impl::read_ask(j, out.ask);
  return out;
}

core::CaptureRecord apply_edits(core::CaptureRecord record, const ReplayAsk& ask) {
  if (ask.method)
    record.method = *ask.method;
  if (ask.path) {
    const auto q = ask.path->find('?');
    record.path = ask.path->substr(0, q);
    record.query = q == std::string::npos ? "" : ask.path->substr(q + 1);
  }
  if (ask.headers)
    record.headers = *ask.headers;
  if (ask.body)
    record.body = *ask.body;
  return record;
}

void resign_record(core::CaptureRecord& record, const providers::Provider& provider,
                   const std::string& secret, const std::string& target_url) {
  const auto target = model::parse_target(target_url);
  const bool keep_path = target.path == "/" && target.query.empty();
  auto req = core::replay_request(record, target, keep_path);
  core::resign(req, provider, secret, util::now_s(), req.url, {});
  // The signed headers replace the delivery's own of that name in place; new ones are added.
  for (const auto& h : req.headers) {
    auto it = std::find_if(record.headers.begin(), record.headers.end(),
                           [&](const auto& mine) { return util::iequals(mine.name, h.name); });
    if (it == record.headers.end())
      record.headers.push_back(h);
    else
      it->value = h.value;
  }
  record.body = req.body;
}

} // namespace hooktool::webui
