#include "core/capture.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace hooktool;

namespace {
core::CaptureRecord sample() {
  core::CaptureRecord r;
  r.id = core::new_capture_id();
  r.received_at_ms = 1764065326123;
  r.method = "POST";
  r.path = "/hook";
  r.query = "a=1";
  r.headers = {{"Stripe-Signature", "t=1,v1=00"}, {"X-Dup", "1"}, {"x-dup", "2"}};
  r.body = "{\"caf\xC3\xA9\":1}";
  r.remote = "127.0.0.1:5555";
  r.provider = "stripe";
  r.event_type = "invoice.paid";
  r.event_id = "evt_1";
  r.verification = {model::VerdictStatus::expired, "timestamp is 400 s old"};
  r.response_status = 200;
  r.duration_ms = 3;
  return r;
}
} // namespace

TEST(Capture, LineHasTheDocumentedFields) {
  const auto line = core::to_capture_line(sample());
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one record, one line";
  const auto j = nlohmann::json::parse(line);
  for (const auto* key :
       {"id", "received_at", "method", "path", "query", "headers", "body", "remote", "provider",
        "event_type", "event_id", "verification", "response"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["received_at"], "2025-11-25T10:08:46.123Z");
  EXPECT_EQ(j["headers"][1][0], "X-Dup");
  EXPECT_EQ(j["headers"][2][0], "x-dup");
  EXPECT_EQ(j["verification"]["status"], "expired");
  EXPECT_EQ(j["response"]["status"], 200);
  EXPECT_TRUE(j["id"].get<std::string>().starts_with("cap_"));
}

TEST(Capture, RoundTripsTextAndBinaryBodies) {
  auto r = sample();
  const auto back = core::parse_capture_line(core::to_capture_line(r));
  EXPECT_EQ(back.body, r.body);
  EXPECT_EQ(back.headers, r.headers);
  EXPECT_EQ(back.received_at_ms, r.received_at_ms);
  EXPECT_EQ(back.verification.status, r.verification.status);
  EXPECT_EQ(back.response_status, 200);

  r.body = std::string("\x00\xff\xfe binary \x80", 12);
  const auto line = core::to_capture_line(r);
  EXPECT_NE(line.find("\"body_base64\""), std::string::npos);
  EXPECT_EQ(core::parse_capture_line(line).body, r.body);
}

TEST(Capture, MalformedLinesGiveReasons) {
  const auto full = core::to_capture_line(sample());
  for (
      const std::string& bad :
      {std::string(), full.substr(0, full.size() / 2), std::string("[1,2]"),
       std::string(R"({"method":"POST","path":"/","headers":[],"body":""})"),
       std::string(R"({"id":"x","method":"POST","path":"/","headers":[["a"]],"body":""})"),
       std::string(R"({"id":"x","method":"POST","path":"/","headers":[],"body_base64":"!!"})"),
       std::string(
           R"({"id":"x","received_at":"yesterday","method":"POST","path":"/","headers":[],"body":""})")}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW((void)core::parse_capture_line(bad), Error);
  }
}

// The hand-written serialiser must agree with a JSON library on every tricky string.
TEST(Capture, EscapingMatchesAJsonParser) {
  auto r = sample();
  r.body = std::string("q\"b\\s/\n\r\t\x01\x1f\x7f caf\xC3\xA9 \xF0\x9F\x98\x80 end");
  r.headers = {{"X-Ctl", std::string("a\x02z")}, {"X-Bad-Utf8", std::string("\xff\xfe ok")}};
  r.event_type.clear();
  r.forward = core::ForwardInfo{"http://x/\"", std::nullopt, 5, "refused", ""};
  const auto line = core::to_capture_line(r);
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["body"], r.body);
  EXPECT_EQ(j["headers"][0][1], std::string("a\x02z"));
  EXPECT_TRUE(j["headers"][1][1].get<std::string>().ends_with(" ok")) << "bad bytes replaced";
  EXPECT_TRUE(j["event_type"].is_null());
  EXPECT_TRUE(j["forward"]["status"].is_null());
  EXPECT_EQ(j["forward"]["error"], "refused");
  EXPECT_EQ(core::parse_capture_line(line).body, r.body);
}
