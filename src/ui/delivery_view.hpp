#pragma once

#include "core/capture.hpp"
#include "ui/term.hpp"

#include <string>

namespace hooktool::ui {

// Limits for what the terminal shows of a body (captures always keep all of it).
struct ViewOptions {
  Stream stream = Stream::out;
  std::size_t max_body_lines = 200;
  std::size_t max_body_bytes = 64u << 10;
};

// HTTPie-like view: a summary block (time, start line, answer, provider, event, verdict,
// duplicate, forward), then the request: start line, headers, blank line, formatted body.
std::string render_pretty(const core::CaptureRecord& record, const ViewOptions& options);
// The middle level (listen --brief): the summary block of the pretty view, the key headers
// (content type, sender, signature, event, delivery, timestamp) and a body preview (8 lines).
std::string render_brief(const core::CaptureRecord& record, const ViewOptions& options);
// One line in aligned columns: time method path provider event id verdict status [dup]
// [(reason)].
std::string render_quiet(const core::CaptureRecord& record, Stream stream);
// The body formatted for reading: JSON indented, form fields one per line (JSON values
// indented), binary replaced by a notice, truncated to the limits with a note.
std::string format_body(const core::CaptureRecord& record, const ViewOptions& options);

} // namespace hooktool::ui
