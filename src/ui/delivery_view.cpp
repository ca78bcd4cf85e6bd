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

std::string truncate(std::string text, const ViewOptions& o) {
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
    return text;
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
  return text +
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
  if (text.empty())
    text = pretty_json(r.body);
  if (text.empty())
    text = util::printable_text(r.body);
  if (text.empty() || text.back() != '\n') // empty: a body of only '\r'
    text += "\n";
  return truncate(std::move(text), o);
}

std::string render_quiet(const core::CaptureRecord& r, Stream s) {
  std::string line = paint(util::format_clock(r.received_at_ms), Style::dim, s) + " " +
                     util::printable(r.method) + " " + target(r) + " " + or_dash(r.provider) + " " +
                     or_dash(r.event_type) + " " + or_dash(r.event_id) + " " +
                     paint(std::string(model::to_string(r.verification.status)),
                           verdict_style(r.verification.status), s) +
                     " ";
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

std::string render_pretty(const core::CaptureRecord& r, const ViewOptions& o) {
  const auto s = o.stream;
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
  out += "\n" + paint(util::printable(r.method), Style::bold, s) + " " + target(r) + " HTTP/1.1\n";
  for (const auto& h : r.headers)
    out += paint(util::printable(h.name), Style::info, s) + ": " + util::printable(h.value) + "\n";
  const auto body = format_body(r, o);
  if (!body.empty())
    out += "\n" + body;
  return out + "\n";
}

} // namespace hooktool::ui
