#include "ui/delivery_view.hpp"

#include "util/strings.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace hooktool::ui {

namespace {

using model::VerdictStatus;

Style verdict_style(VerdictStatus s) noexcept {
  switch (s) {
  case VerdictStatus::valid:
    return Style::ok;
  case VerdictStatus::invalid:
    return Style::error;
  case VerdictStatus::expired:
    return Style::warn;
  case VerdictStatus::unsigned_:
  case VerdictStatus::unverified:
    return Style::dim;
  }
  return Style::dim;
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : util::printable(s);
}

std::string target(const core::CaptureRecord& r) {
  return util::printable(r.query.empty() ? r.path : r.path + "?" + r.query);
}

std::string pretty_json(std::string_view text) {
  if (util::json_nesting_exceeds(text, 256))
    return {}; // shown as text: indenting would recurse once per level
  const auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !(j.is_object() || j.is_array()))
    return {};
  // JSON escapes C0 controls in strings, but not DEL or C1 controls: escaped as in text bodies.
  return util::printable_text(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

bool is_form(const core::CaptureRecord& r) {
  const auto ct = model::find_header(r.headers, "Content-Type");
  return ct && util::to_lower(*ct).starts_with("application/x-www-form-urlencoded");
}

std::string format_form(std::string_view body) {
  std::string out;
  for (const auto part : util::split(body, '&')) {
    if (part.empty())
      continue;
    const auto eq = part.find('=');
    const auto name = util::form_decode(part.substr(0, eq));
    const auto value =
        eq == std::string_view::npos ? std::string() : util::form_decode(part.substr(eq + 1));
    const auto json = pretty_json(value);
    if (!json.empty()) {
      out += util::printable(name) + " =\n";
      for (const auto line : util::split(json, '\n'))
        out += "    " + std::string(line) + "\n";
    } else {
      out += util::printable(name) + " = " + util::printable(value) + "\n";
    }
  }
  return out;
}

// Syntax colour for indented JSON text (keys, strings, numbers, literals); the text as it is
// when the stream gets no colour. A string cut short by truncation runs to the end.
std::string colour_json(const std::string& text, Stream s) {
  if (!color_enabled(s))
    return text;
  std::string out;
  out.reserve(text.size() * 2);
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    std::size_t end = i + 1;
    if (c == '"') {
      while (end < text.size() && text[end] != '"')
        end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
      auto next = text.find_first_not_of(' ', end);
      const bool key = next != std::string::npos && text[next] == ':';
      out += paint(std::string_view(text).substr(i, end - i), key ? Style::info : Style::ok, s);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      end = text.find_first_not_of("0123456789+-.eE", i);
      end = end == std::string::npos ? text.size() : end;
      out += paint(std::string_view(text).substr(i, end - i), Style::warn, s);
    } else if (text.compare(i, 4, "true") == 0 || text.compare(i, 4, "null") == 0 ||
               text.compare(i, 5, "false") == 0) {
      end = i + (c == 'f' ? 5 : 4);
      out += paint(std::string_view(text).substr(i, end - i), Style::bold, s);
    } else {
      out += c;
    }
    i = end;
  }
  return out;
}

// The text cut to the limits, coloured as JSON when json is set, with a note of what was cut.
std::string truncate(std::string text, const ViewOptions& o, bool json = false) {
  std::size_t lines = 0;
  std::size_t cut = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i >= o.max_body_bytes) {
      cut = i;
      break;
    }
    if (text[i] == '\n' && ++lines >= o.max_body_lines) {
      cut = i + 1;
      break;
    }
  }
  if (cut == std::string::npos || cut >= text.size())
    return json ? colour_json(text, o.stream) : text;
  // Never cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  const auto hidden = text.size() - cut;
  auto hidden_lines = static_cast<std::size_t>(
      std::count(text.begin() + static_cast<std::ptrdiff_t>(cut), text.end(), '\n'));
  if (text.back() != '\n')
    ++hidden_lines;
  text.resize(cut);
  if (!text.empty() && text.back() != '\n')
    text += "\n";
  return (json ? colour_json(text, o.stream) : text) +
         paint("… " + std::to_string(hidden_lines) + " more lines (" + std::to_string(hidden) +
                   " bytes) not shown; the capture keeps the whole body",
               Style::dim, o.stream) +
         "\n";
}

// "handshake answered: 200 application/json {"challenge":"…"}", or why it was not.
std::string handshake_text(const core::HandshakeInfo& h) {
  if (!h.answered)
    return "handshake " + util::printable(h.note);
  return "handshake answered: " + std::to_string(h.status) + " " + util::printable(h.content_type) +
         " " + util::printable(h.body.substr(0, 200));
}

Style handshake_style(const core::HandshakeInfo& h) {
  return h.answered ? Style::ok : Style::warn;
}

} // namespace

std::string format_body(const core::CaptureRecord& r, const ViewOptions& o) {
  if (r.body.empty())
    return {};
  if (!util::is_valid_utf8(r.body))
    return paint("[binary body: " + std::to_string(r.body.size()) + " bytes not shown]", Style::dim,
                 o.stream) +
           "\n";
  std::string text;
  if (is_form(r))
    text = format_form(r.body);
  bool json = false;
  if (text.empty()) {
    text = pretty_json(r.body);
    json = !text.empty();
  }
  if (text.empty())
    text = util::printable_text(r.body);
  if (text.empty() || text.back() != '\n') // empty: a body of only '\r'
    text += "\n";
  return truncate(std::move(text), o, json);
}

namespace {

// Text padded with spaces to width bytes (longer text is kept whole: columns then shift).
std::string column(std::string text, std::size_t width) {
  if (text.size() < width)
    text.append(width - text.size(), ' ');
  return text;
}

} // namespace

std::string render_quiet(const core::CaptureRecord& r, Stream s) {
  // Fixed columns so lines of one run align: widths fit the common methods, paths, provider
  // ids, event names and ids; colour is applied after padding.
  const auto verdict = std::string(model::to_string(r.verification.status));
  std::string line = paint(util::format_clock(r.received_at_ms), Style::dim, s) + " " +
                     column(util::printable(r.method), 6) + " " + column(target(r), 16) + " " +
                     column(or_dash(r.provider), 8) + " " + column(or_dash(r.event_type), 24) +
                     " " + column(or_dash(r.event_id), 20) + " " +
                     paint(column(verdict, 10), verdict_style(r.verification.status), s) + " ";
  line += r.response_status
              ? paint(std::to_string(*r.response_status), status_style(*r.response_status), s)
              : paint("---", Style::error, s);
  if (r.duplicate)
    line += " " + paint("dup#" + std::to_string(r.duplicate->seen), Style::warn, s);
  if (r.handshake)
    line += " " + paint(handshake_text(*r.handshake), handshake_style(*r.handshake), s);
  if (r.verification.status == VerdictStatus::invalid ||
      r.verification.status == VerdictStatus::expired)
    line += " (" + util::printable(r.verification.reason) + ")";
  return line + "\n";
}

namespace {

// The summary block of pretty and brief: time, start line, answer, provider, event, verdict,
// duplicate, handshake, forward.
std::string summary_block(const core::CaptureRecord& r, Stream s) {
  std::string out;
  out += paint("── " + util::format_clock(r.received_at_ms), Style::dim, s) + "  " +
         paint(util::printable(r.method), Style::bold, s) + " " + target(r) + "  from " +
         util::printable(r.remote);
  if (r.response_status)
    out += "  → " + paint(std::to_string(*r.response_status), status_style(*r.response_status), s);
  out += paint("  " + std::to_string(r.duration_ms) + " ms", Style::dim, s) + "\n";

  if (!r.provider.empty())
    out += "   " + paint(util::printable(r.provider), Style::bold, s) + "  " +
           or_dash(r.event_type) + "  " + or_dash(r.event_id) + "\n";
  const auto status = r.verification.status;
  std::string verdict;
  switch (status) {
  case VerdictStatus::valid:
    verdict = "✔ valid signature";
    break;
  case VerdictStatus::invalid:
    verdict = "✘ invalid: " + r.verification.reason;
    break;
  case VerdictStatus::expired:
    verdict = "✘ expired: " + r.verification.reason;
    break;
  case VerdictStatus::unsigned_:
    verdict = "• unsigned: " + r.verification.reason;
    break;
  case VerdictStatus::unverified:
    verdict = "• unverified: " + r.verification.reason;
    break;
  }
  out += "   " + paint(util::printable(verdict), verdict_style(status), s) + "\n";
  if (r.duplicate)
    out += "   " +
           paint("⚠ duplicate: seen " + std::to_string(r.duplicate->seen) + " times, first at " +
                     util::format_clock(r.duplicate->first_seen_ms) + " (" + r.duplicate->first_id +
                     ")",
                 Style::warn, s) +
           "\n";
  if (r.handshake)
    out +=
        "   " + paint("↩ " + handshake_text(*r.handshake), handshake_style(*r.handshake), s) + "\n";
  if (r.forward) {
    const auto& f = *r.forward;
    out += "   → " + util::printable(f.url) + "  ";
    if (f.status)
      out += paint(std::to_string(*f.status), status_style(*f.status), s);
    else
      out += paint(util::printable(f.error), Style::error, s);
    out += paint("  " + std::to_string(f.duration_ms) + " ms", Style::dim, s) + "\n";
    if (!f.body.empty())
      out += "     " +
             paint(util::printable(f.body.substr(0, f.body.find('\n')).substr(0, 200)), Style::dim,
                   s) +
             "\n";
  }
  return out;
}

// Headers a reader looks for first: the content type, the sender, and the provider's
// signature, event, delivery and timestamp headers (by name, whatever the provider).
bool key_header(std::string_view name) {
  const auto lower = util::to_lower(name);
  if (lower == "content-type" || lower == "user-agent")
    return true;
  for (const auto* word : {"signature", "event", "topic", "delivery", "timestamp", "webhook"})
    if (lower.find(word) != std::string::npos)
      return true;
  return false;
}

} // namespace

std::string render_pretty(const core::CaptureRecord& r, const ViewOptions& o) {
  const auto s = o.stream;
  std::string out = summary_block(r, s);
  out += "\n" + paint(util::printable(r.method), Style::bold, s) + " " + target(r) + " HTTP/1.1\n";
  for (const auto& h : r.headers)
    out += paint(util::printable(h.name), Style::info, s) + ": " + util::printable(h.value) + "\n";
  const auto body = format_body(r, o);
  if (!body.empty())
    out += "\n" + body;
  return out + "\n";
}

std::string render_brief(const core::CaptureRecord& r, const ViewOptions& o) {
  const auto s = o.stream;
  std::string out = summary_block(r, s);
  std::size_t others = 0;
  for (const auto& h : r.headers) {
    if (key_header(h.name))
      out += "   " + paint(util::printable(h.name), Style::info, s) + ": " +
             util::printable(util::capped(h.value, 120)) + "\n";
    else
      ++others;
  }
  if (others > 0)
    out += paint("   (" + std::to_string(others) + " more headers)", Style::dim, s) + "\n";
  ViewOptions preview = o;
  preview.max_body_lines = std::min<std::size_t>(o.max_body_lines, 8);
  preview.max_body_bytes = std::min<std::size_t>(o.max_body_bytes, 600);
  const auto body = format_body(r, preview);
  for (const auto line : util::split(body, '\n'))
    if (!line.empty())
      out += "   " + std::string(line) + "\n";
  return out + "\n";
}

} // namespace hooktool::ui
