// Regression tests for the bugs the libFuzzer targets (tests/fuzz) exposed; the inputs are also
// kept in tests/fuzz/corpus/<target>/regression-*.
#include "core/capture.hpp"
#include "core/template.hpp"
#include "model/http.hpp"
#include "providers/registry.hpp"
#include "ui/delivery_view.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <string>

using namespace hooktool;

namespace {
std::string capture_line(const std::string& received_at, const std::string& duration) {
  return R"({"id":"x","received_at":")" + received_at +
         R"(","method":"GET","path":"/","headers":[],"body":"","response":{"status":200,)" +
         R"("duration_ms":)" + duration + "}}";
}
} // namespace

// fuzz_capture: a float duration_ms too large for int64 was converted anyway (undefined
// behaviour, UBSan: "1e+300 is outside the range of representable values of type 'long'").
TEST(FuzzRegressions, CaptureDurationOutOfRangeIsIgnored) {
  EXPECT_EQ(core::parse_capture_line(capture_line("2026-11-25T10:08:46Z", "1e300")).duration_ms, 0);
  EXPECT_EQ(core::parse_capture_line(capture_line("2026-11-25T10:08:46Z", "-1e19")).duration_ms, 0);
  EXPECT_EQ(core::parse_capture_line(capture_line("2026-11-25T10:08:46Z", "2.5")).duration_ms, 2);
  EXPECT_EQ(core::parse_capture_line(capture_line("2026-11-25T10:08:46Z", "7")).duration_ms, 7);
}

// fuzz_capture: a received_at whose offset moves it out of years 0000-9999 parsed, but
// to_capture_line then wrote "-001-12-31…" or "10000-01-01…", which does not parse back.
TEST(FuzzRegressions, CaptureReceivedAtMustStayWritable) {
  for (const auto* t : {"0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59.999-00:01"})
    EXPECT_THROW((void)core::parse_capture_line(capture_line(t, "0")), Error) << t;
  for (const auto* t : {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"}) {
    const auto r = core::parse_capture_line(capture_line(t, "0"));
    const auto again = core::parse_capture_line(core::to_capture_line(r));
    EXPECT_EQ(again.received_at_ms, r.received_at_ms) << t;
  }
}

// fuzz_pretty: a body of only "\r" printed as empty text, then text.back() was read on an empty
// string (_GLIBCXX_ASSERTIONS: "Assertion '!empty()' failed").
TEST(FuzzRegressions, PrettyBodyOfOnlyCarriageReturns) {
  core::CaptureRecord r;
  for (const auto* body : {"\r", "\r\r\r"}) {
    r.body = body;
    EXPECT_EQ(ui::format_body(r, {}), "\n");
  }
}

// fuzz_pretty: a JSON body was shown as the JSON library re-indents it, which escapes control
// characters in strings but not DEL (0x7F); text and form bodies show it escaped.
TEST(FuzzRegressions, PrettyJsonBodyShowsNoDelByte) {
  core::CaptureRecord r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = "{\"a\":\"x\x7Fy\"}";
  const auto shown = ui::format_body(r, {});
  EXPECT_EQ(shown.find('\x7F'), std::string::npos);
  EXPECT_NE(shown.find("\"x\\x7Fy\""), std::string::npos) << shown;
}

// fuzz_set: a --set value nested tens of thousands of levels deep overflowed the stack when the
// document was copied and serialised (AddressSanitizer: stack-overflow).
TEST(FuzzRegressions, SetValueNestedTooDeepIsAUsageError) {
  const auto deep = "a=" + std::string(60000, '[') + std::string(60000, ']');
  EXPECT_THROW((void)core::parse_set(deep), Error);
  const auto ok = "a=" + std::string(512, '[') + std::string(512, ']');
  EXPECT_TRUE(core::parse_set(ok).value.is_array());
}

// Found next to fuzz_har's number overflow: nlohmann throws out_of_range (not parse_error) for a
// number too large for a double, and a fixture holding one ended as "internal error", exit 1.
TEST(FuzzRegressions, FixtureNumberTooLargeIsAUsageError) {
  EXPECT_THROW((void)core::compile_json_template(R"({"a":1e999})", "f.json", {}, false), Error);
}

namespace fuzz_seeds {

// The header lines of a fuzz_verify seed: after the control byte and the URL line, up to the
// first empty line.
model::Headers seed_headers(const std::string& seed) {
  model::Headers out;
  std::size_t at = seed.find('\n');
  while (at != std::string::npos && at + 1 < seed.size() && seed[at + 1] != '\n') {
    const auto end = seed.find('\n', at + 1);
    if (auto h = model::parse_header_line(seed.substr(at + 1, end - at - 1)))
      out.push_back(std::move(*h));
    at = end;
  }
  return out;
}

} // namespace fuzz_seeds

// The fuzz_verify seeds named after a provider (tests/fuzz/corpus/verify/<id>[-…]) carry the
// API version the provider sends: they went stale when Shopify's moved to 2026-07.
TEST(FuzzSeeds, VerifySeedsCarryTheApiVersionTheProviderSends) {
  const std::filesystem::path dir = std::string(HOOKTOOL_SOURCE_DIR) + "/tests/fuzz/corpus/verify";
  int compared = 0;
  for (const auto& provider : providers::all_providers()) {
    const std::string id(provider->id());
    providers::EnvelopeInput in;
    in.event = "seed";
    in.timestamp = 1764072000;
    const auto sent = provider->envelope(in);
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const auto name = entry.path().filename().string();
      if (name != id && name.rfind(id + "-", 0) != 0)
        continue;
      std::ifstream file(entry.path(), std::ios::binary);
      const std::string seed((std::istreambuf_iterator<char>(file)), {});
      for (const auto& h : fuzz_seeds::seed_headers(seed)) {
        if (util::to_lower(h.name).find("version") == std::string::npos)
          continue;
        const auto want = model::find_header(sent, h.name);
        ASSERT_TRUE(want.has_value()) << name << ": " << h.name << " is not sent by " << id;
        EXPECT_EQ(h.value, *want) << name << ": " << h.name;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 0) << "no seed carries a version header";
}
