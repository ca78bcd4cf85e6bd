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

// #18 item 2: a header value that is not UTF-8 (obs-text) is kept byte for byte: shown with
// its bad bytes as \xHH, held exactly in the third element's value_base64.
TEST(Capture, NonUtf8HeaderValueRoundTripsByteForByte) {
  auto r = sample();
  const std::string raw("caf\xe9 \xff", 6);
  r.headers = {{"X-Raw", raw}, {"X-Plain", "caf\xC3\xA9"}, {"X-Nul-Free", std::string("\x80", 1)}};
  const auto line = core::to_capture_line(r);
  const auto j = nlohmann::json::parse(line);
  ASSERT_EQ(j["headers"][0].size(), 3U) << line;
  EXPECT_EQ(j["headers"][0][0], "X-Raw");
  EXPECT_EQ(j["headers"][0][1], "caf\\xE9 \\xFF") << "the text shows the bytes escaped";
  EXPECT_EQ(j["headers"][0][2], nlohmann::json({{"value_base64", "Y2Fm6SD/"}}));
  EXPECT_EQ(j["headers"][1].size(), 2U) << "UTF-8 values keep the two-element form";
  EXPECT_EQ(j["headers"][2][2]["value_base64"], "gA==");
  const auto back = core::parse_capture_line(line);
  EXPECT_EQ(back.headers, r.headers);
  EXPECT_EQ(core::to_capture_line(back), line);

  // A name that is not UTF-8 comes back exactly too (and is then refused: not a token).
  r.headers = {{std::string("X-\xe9", 3), "v"}};
  const auto named = nlohmann::json::parse(core::to_capture_line(r));
  EXPECT_EQ(named["headers"][0][2], nlohmann::json({{"name_base64", "WC3p"}}));
}

// Lines written before the third element existed read as they did.
TEST(Capture, TwoElementHeadersOfOlderCapturesStillRead) {
  const auto r = core::parse_capture_line(
      R"({"id":"cap_old","received_at":"2026-01-01T00:00:00.000Z","method":"POST","path":"/",)"
      R"("query":"","headers":[["Host","x"],["X-Sig","v1=ab%2Bcd"],["X-Odd","caf\ufffd"]],)"
      R"("body":"{}","remote":"","provider":null,"event_type":null,"event_id":null,)"
      R"("verification":{"status":"unsigned","reason":""},"response":{"status":200,"duration_ms":0}})");
  const model::Headers want{{"Host", "x"}, {"X-Sig", "v1=ab%2Bcd"}, {"X-Odd", "caf\xEF\xBF\xBD"}};
  EXPECT_EQ(r.headers, want);
}

namespace {
std::string line_with(const std::string& method, const std::string& headers,
                      const std::string& path = "/") {
  return R"({"id":"cap_x","method":")" + method + R"(","path":")" + path +
         R"(","query":"","headers":)" + headers + R"(,"body":""})";
}

// The message parse_capture_line refuses the line with as UnsendableRecord ("" when it does
// not, "other: …" when it fails for another reason).
std::string refusal(const std::string& line) {
  try {
    (void)core::parse_capture_line(line);
  } catch (const core::UnsendableRecord& e) {
    return e.what();
  } catch (const Error& e) {
    return std::string("other: ") + e.what();
  }
  return "";
}
} // namespace

// #18 item 6: what would change the request on its way out is refused while reading.
TEST(Capture, CrLfNulAndNonTokensAreRefusedWithTheReason) {
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","v\r\nInjected: 1"]])")),
            "header X-A: the value holds CR, LF or NUL, which would end the header line: "
            "\"v\\x0D\\x0AInjected: 1\"");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","a\nb"]])")),
            "header X-A: the value holds CR, LF or NUL, which would end the header line: "
            "\"a\\x0Ab\"");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","a\u0000b"]])")),
            "header X-A: the value holds CR, LF or NUL, which would end the header line: "
            "\"a\\x00b\"");
  // The exact bytes of a value_base64 are checked as well ("a\r\nb").
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","a..b",{"value_base64":"YQ0KYg=="}]])")),
            "header X-A: the value holds CR, LF or NUL, which would end the header line: "
            "\"a\\x0D\\x0Ab\"");
  EXPECT_EQ(refusal(line_with("POST", R"([["X A","v"]])")),
            "the header name \"X A\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A:","v"]])")),
            "the header name \"X-A:\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("POST", R"([["","v"]])")),
            "the header name \"\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("POST", R"([["X\r\nY","v"]])")),
            "the header name \"X\\x0D\\x0AY\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-?","v",{"name_base64":"WC3p"}]])")),
            "the header name \"X-\\xE9\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("GE T", "[]")),
            "the method \"GE T\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("POST\\r\\nX-B: 1", "[]")),
            "the method \"POST\\x0D\\x0AX-B: 1\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("", "[]")),
            "the method \"\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(refusal(line_with("POST", "[]", "/a\\r\\nb")),
            "the path holds CR, LF or NUL: it cannot be sent: \"/a\\x0D\\x0Ab\"");
  // An escaped value is capped.
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A",")" + std::string(100, 'v') + R"(\n"]])")),
            "header X-A: the value holds CR, LF or NUL, which would end the header line: \"" +
                std::string(60, 'v') + "…\"");

  // What is allowed: any token method, tab and obs-text in values, other controls kept.
  EXPECT_EQ(refusal(line_with("PROPFIND", R"([["X-A","a\tb\u0001"],["!#$%&'*+-.^_`|~","v"]])")),
            "");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","v",{"value_base64":"Y2Fm6SD/"}]])")), "");
  // A malformed third element is malformed, not unsendable.
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","v",1]])")),
            "other: a header's third element must be an object ({\"value_base64\":…})");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","v",{"value_base64":"!!"}]])")),
            "other: header X-A: \"value_base64\" is not valid base64");
  EXPECT_EQ(refusal(line_with("POST", R"([["X-A","v",{},4]])")),
            "other: \"headers\" must be an array of [name, value] pairs");
}
