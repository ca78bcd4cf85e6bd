// Fuzzes the HAR reader: core::HarEntries (document shape) and record() for every entry, then
// writes each record back as a HAR entry and a capture line and reads those again: what
// replay reads from a HAR must survive hooktool's own formats unchanged (method, path, query,
// headers, body). Errors are hooktool::Error; anything else is a finding.
#include "core/capture.hpp"
#include "core/har.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_har: %s\n", what);
  std::abort();
}

void same(const hooktool::core::CaptureRecord& a, const hooktool::core::CaptureRecord& b,
          const char* where) {
  if (a.method != b.method || a.path != b.path || a.query != b.query || a.body != b.body ||
      a.headers.size() != b.headers.size())
    fail(where);
  for (std::size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value)
      fail(where);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hooktool;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)core::looks_like_har(text);
  try {
    const core::HarEntries entries(text, "f.har");
    for (std::size_t i = 0; i < entries.size() && i < 64; ++i) {
      core::CaptureRecord r;
      try {
        r = entries.record(i);
      } catch (const Error&) {
        continue;
      }
      // Header values that are not UTF-8 cannot travel in JSON strings: not a round-trip case.
      bool text_headers = true;
      for (const auto& h : r.headers)
        text_headers = text_headers && h.value.find('\0') == std::string::npos;
      std::ostringstream out;
      core::HarWriter writer(out);
      writer.add(r);
      writer.finish();
      try {
        const core::HarEntries again(out.str(), "again.har");
        if (again.size() != 1)
          fail("re-written HAR does not hold one entry");
        same(r, again.record(0), "HAR round trip changed the delivery");
      } catch (const Error& e) {
        std::fprintf(stderr, "fuzz_har: re-reading our own HAR failed: %s\n", e.what());
        std::abort();
      }
      if (!text_headers)
        continue;
      try { // export --jsonl must write lines that replay reads back
        same(r, core::parse_capture_line(core::to_capture_line(r)),
             "capture round trip changed it");
      } catch (const Error& e) {
        std::fprintf(stderr, "fuzz_har: capture line from a HAR entry does not parse: %s\n",
                     e.what());
        std::abort();
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
