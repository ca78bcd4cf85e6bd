// Golden-file tests of the listen printers, colour off. Regenerate with HOOKTOOL_UPDATE_GOLDEN=1.
#include "ui/delivery_view.hpp"
#include "ui/term.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace hooktool;

namespace {

class Golden : public ::testing::Test {
protected:
  void SetUp() override {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    ui::configure_color(ui::ColorMode::never);
  }

  static void check(const std::string& name, const std::string& actual) {
    const std::string path = std::string(HOOKTOOL_GOLDEN_DIR) + "/" + name;
    if (std::getenv("HOOKTOOL_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path, std::ios::binary) << actual;
      return;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in.good()) << "missing golden file " << path;
    std::stringstream expected;
    expected << in.rdbuf();
    EXPECT_EQ(actual, expected.str()) << "golden file " << path;
  }
};

core::CaptureRecord stripe_record() {
  core::CaptureRecord r;
  r.id = "cap_00000000000000000001";
  r.received_at_ms = 1764065326123;
  r.method = "POST";
  r.path = "/webhooks";
  r.headers = {{"Content-Type", "application/json; charset=utf-8"},
               {"Stripe-Signature",
                "t=1764065326,v1=5dab41252db97a02bb414e8415bb2540cd907c60b06b6a5cce13821b36a0af45"},
               {"User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"}};
  r.body =
      R"({"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":2000,"customer_name":"José"}}})";
  r.remote = "127.0.0.1:50000";
  r.provider = "stripe";
  r.event_type = "invoice.paid";
  r.event_id = "evt_1";
  r.verification = {model::VerdictStatus::valid, ""};
  r.response_status = 200;
  r.duration_ms = 2;
  return r;
}

} // namespace

TEST_F(Golden, PrettyValidJson) {
  check("pretty_valid_json.txt", ui::render_pretty(stripe_record(), {}));
}

TEST_F(Golden, PrettyInvalidDuplicateForwarded) {
  auto r = stripe_record();
  r.verification = {model::VerdictStatus::invalid,
                    "signature does not match (wrong secret, or the body was altered)"};
  r.duplicate = core::DuplicateInfo{2, "cap_00000000000000000000", 1764065300000};
  r.forward =
      core::ForwardInfo{"http://localhost:3000/webhooks", 500, 12, "", "{\"error\":\"boom\"}\n"};
  r.response_status = 500;
  check("pretty_invalid_duplicate_forwarded.txt", ui::render_pretty(r, {}));
}

TEST_F(Golden, PrettyFormBodyWithJsonPayload) {
  core::CaptureRecord r = stripe_record();
  r.provider = "slack";
  r.event_type = "block_actions";
  r.event_id = "123.456.abc";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"X-Slack-Signature", "v0=00"},
               {"X-Slack-Request-Timestamp", "1764065326"}};
  r.body = "token=x&payload=%7B%22type%22%3A%22block_actions%22%2C%22trigger_id%22%3A%22123.456."
           "abc%22%7D&text=hello+world";
  r.verification = {model::VerdictStatus::expired, "timestamp is 400 s old (tolerance 300 s)"};
  check("pretty_form.txt", ui::render_pretty(r, {}));
}

TEST_F(Golden, PrettyBinaryAndUnknownProvider) {
  core::CaptureRecord r;
  r.id = "cap_2";
  r.received_at_ms = 1764065326123;
  r.method = "PUT";
  r.path = "/upload";
  r.query = "x=1";
  r.headers = {{"Content-Type", "application/octet-stream"}};
  r.body = std::string("\xff\xfe\x00\x01", 4);
  r.remote = "[::1]:40000";
  r.verification = {model::VerdictStatus::unsigned_, "no known provider's headers"};
  r.response_status = 200;
  check("pretty_binary.txt", ui::render_pretty(r, {}));
}

TEST_F(Golden, PrettyTruncatesLongBodies) {
  auto r = stripe_record();
  r.headers = {{"Content-Type", "text/plain"}};
  r.body.clear();
  for (int i = 0; i < 30; ++i)
    r.body += "line " + std::to_string(i) + "\n";
  ui::ViewOptions o;
  o.max_body_lines = 5;
  check("pretty_truncated.txt", ui::render_pretty(r, o));
}

TEST_F(Golden, QuietLines) {
  auto valid = stripe_record();
  auto dup = stripe_record();
  dup.duplicate = core::DuplicateInfo{3, "cap_0", 1764065300000};
  auto invalid = stripe_record();
  invalid.verification = {model::VerdictStatus::invalid,
                          "malformed Stripe-Signature header: no t= timestamp"};
  invalid.response_status = 400;
  core::CaptureRecord unknown;
  unknown.received_at_ms = 1764065326123;
  unknown.method = "GET";
  unknown.path = "/favicon.ico";
  unknown.verification = {model::VerdictStatus::unsigned_, "no known provider's headers"};
  check("quiet.txt", ui::render_quiet(valid, ui::Stream::out) +
                         ui::render_quiet(dup, ui::Stream::out) +
                         ui::render_quiet(invalid, ui::Stream::out) +
                         ui::render_quiet(unknown, ui::Stream::out));
}

// A body nested far deeper than any payload must not recurse the printer off the stack.
TEST_F(Golden, DeeplyNestedBodyIsShownAsText) {
  auto r = stripe_record();
  r.body = std::string(200000, '[') + std::string(200000, ']');
  const auto text = ui::render_pretty(r, {});
  EXPECT_NE(text.find("[[[["), std::string::npos);
  EXPECT_NE(text.find("not shown"), std::string::npos) << "long text is truncated on screen";
}

// The middle level: the summary block, the key headers, a short body preview.
TEST_F(Golden, BriefShowsKeyHeadersAndABodyPreview) {
  auto r = stripe_record();
  r.headers.push_back({"Accept", "*/*"});
  r.headers.push_back({"X-Forwarded-For", "10.0.0.1"});
  std::string long_body =
      R"({"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{)";
  for (int i = 0; i < 30; ++i)
    long_body += "\"field_" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  long_body += R"("last":true}}})";
  r.body = long_body;
  const auto text = ui::render_brief(r, {});
  check("brief.txt", text);
  EXPECT_NE(text.find("   Stripe-Signature: t=1764065326,v1="), std::string::npos) << text;
  EXPECT_NE(text.find("   (2 more headers)"), std::string::npos) << text;
  EXPECT_EQ(text.find("X-Forwarded-For"), std::string::npos) << text;
  EXPECT_NE(text.find("more lines"), std::string::npos) << "the preview is cut: " << text;
  EXPECT_LT(std::count(text.begin(), text.end(), '\n'), 20) << text;
}

// On a terminal the JSON body is coloured: keys, strings, numbers, literals; without colour
// the same text.
TEST_F(Golden, JsonBodyIsSyntaxColouredOnlyWithColour) {
  auto r = stripe_record();
  r.body = R"({"paid":true,"amount":2000,"note":"a \"quoted\" word","none":null})";
  const auto plain = ui::format_body(r, {});
  ui::configure_color(ui::ColorMode::always);
  const auto coloured = ui::format_body(r, {});
  ui::configure_color(ui::ColorMode::never);
  EXPECT_EQ(plain.find('\x1b'), std::string::npos) << plain;
  EXPECT_NE(coloured, plain);
  // Stripping the escape sequences gives the plain text back.
  std::string stripped;
  for (std::size_t i = 0; i < coloured.size(); ++i) {
    if (coloured[i] == '\x1b') {
      while (i < coloured.size() && coloured[i] != 'm')
        ++i;
      continue;
    }
    stripped += coloured[i];
  }
  EXPECT_EQ(stripped, plain);
  const auto painted = [&](const std::string& token) {
    const auto at = coloured.find(token);
    return at != std::string::npos && at > 0 && coloured[at - 1] == 'm';
  };
  for (const auto* token : {"\"paid\"", "true", "2000", "\"a \\\"quoted\\\" word\"", "null"})
    EXPECT_TRUE(painted(token)) << token << " in " << coloured;
}
