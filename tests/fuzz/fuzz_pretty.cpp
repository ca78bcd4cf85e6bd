// Fuzzes the pretty printer (ui::format_body, render_pretty, render_quiet) on arbitrary bodies.
// Input: a control byte, then the body bytes.
//   control % 8: the Content-Type header (none, JSON, form, text, ...)
//   control / 8 % 4: view limits (default, tight lines, tight bytes, both tiny)
//   control / 32: verdict, duplicate and forward parts of the record
// Besides crashes, checks that nothing the body holds reaches the terminal as a control byte
// (C0 but tab and LF, DEL, C1 raw or encoded) or as bytes that are not UTF-8.
#include "core/capture.hpp"
#include "ui/delivery_view.hpp"
#include "ui/term.hpp"
#include "util/strings.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace hooktool;

constexpr std::array<std::string_view, 8> kContentTypes{
    "",
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain; charset=utf-8",
    "Application/X-WWW-Form-Urlencoded; charset=utf-8",
    "application/json; charset=utf-8",
    "application/octet-stream",
    "application/x-www-form-urlencoded"};

// What a terminal could act on (as tests/unit/printable_test.cpp's has_terminal_control): a
// C0 byte other than tab and line feed, DEL, a raw C1 byte or U+0080-U+009F encoded in UTF-8,
// or any text that is not well-formed UTF-8 (a raw C1 byte is never well-formed on its own).
void check_printable(std::string_view out, const char* what) {
  if (!util::is_valid_utf8(out)) {
    std::fprintf(stderr, "fuzz_pretty: %s wrote text that is not valid UTF-8\n", what);
    std::abort();
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto u = static_cast<unsigned char>(out[i]);
    if ((u < 0x20 && u != '\n' && u != '\t') || u == 0x7F) {
      std::fprintf(stderr, "fuzz_pretty: %s wrote control byte 0x%02x\n", what, u);
      std::abort();
    }
    if (u == 0xC2 && i + 1 < out.size() &&
        (static_cast<unsigned char>(out[i + 1]) & 0xE0) == 0x80) {
      std::fprintf(stderr, "fuzz_pretty: %s wrote C1 control U+00%02X\n", what,
                   static_cast<unsigned char>(out[i + 1]));
      std::abort();
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  ui::configure_color(ui::ColorMode::never); // escapes from paint() would hide injected ones
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  const auto control = data[0];
  core::CaptureRecord r;
  r.id = "cap_fuzz";
  r.received_at_ms = 1764072000123;
  r.method = "POST";
  r.path = "/webhooks";
  r.remote = "127.0.0.1";
  r.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (const auto ct = kContentTypes[control % 8]; !ct.empty())
    r.headers.push_back({"Content-Type", std::string(ct)});
  r.headers.push_back({"Content-Length", std::to_string(r.body.size())});

  ui::ViewOptions o;
  switch (control / 8 % 4) {
  case 1:
    o.max_body_lines = 3;
    break;
  case 2:
    o.max_body_bytes = 17;
    break;
  case 3:
    o.max_body_lines = 1;
    o.max_body_bytes = 1;
    break;
  default:
    break;
  }
  const auto flags = control / 32;
  r.provider = "stripe";
  r.event_type = "invoice.paid";
  r.event_id = "evt_1";
  r.verification.status = static_cast<model::VerdictStatus>(flags % 5);
  r.verification.reason = flags % 5 == 0 ? "" : "signature does not match";
  r.response_status = flags & 1 ? std::optional<int>(200) : std::nullopt;
  if (flags & 2)
    r.duplicate = core::DuplicateInfo{3, "cap_first", 1764072000000};
  if (flags & 4)
    r.forward = core::ForwardInfo{"http://127.0.0.1:3000/", flags & 1 ? 500 : std::optional<int>(),
                                  12, "connection refused", r.body};

  const auto body = ui::format_body(r, o);
  check_printable(body, "format_body");
  if (!r.body.empty() && (body.empty() || body.back() != '\n')) {
    std::fprintf(stderr, "fuzz_pretty: a non-empty body was not shown as whole lines\n");
    std::abort();
  }
  check_printable(ui::render_pretty(r, o), "render_pretty");
  check_printable(ui::render_quiet(r, ui::Stream::out), "render_quiet");
  return 0;
}
