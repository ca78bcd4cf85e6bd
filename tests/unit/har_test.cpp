#include "core/delivery_source.hpp"
#include "core/har.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace {

using hooktool::core::CaptureRecord;
using hooktool::core::HarEntries;

CaptureRecord sample() {
  CaptureRecord r;
  r.id = "cap_sample";
  r.received_at_ms = 1764072000123;
  r.method = "POST";
  r.path = "/hooks/github";
  r.query = "a=1&b=x%20y";
  r.headers = {
      {"Host", "127.0.0.1:9000"}, {"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d-1"},
      {"X-Dup", "one"},           {"X-Dup", "two"},           {"Content-Type", "application/json"}};
  r.body = "{\"ref\":\"refs/heads/main\",\"caf\xC3\xA9\":1}";
  r.remote = "127.0.0.1:5555";
  r.provider = "github";
  r.event_type = "push";
  r.event_id = "d-1";
  r.response_status = 202;
  r.duration_ms = 7;
  return r;
}

std::string document(const std::vector<CaptureRecord>& records) {
  std::ostringstream out;
  hooktool::core::HarWriter writer(out);
  for (const auto& r : records)
    writer.add(r);
  writer.finish();
  return out.str();
}

TEST(Har, WriterProducesHar12WithOneEntryPerDelivery) {
  const auto text = document({sample(), sample()});
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["log"]["version"], "1.2");
  EXPECT_EQ(j["log"]["creator"]["name"], "hooktool");
  ASSERT_EQ(j["log"]["entries"].size(), 2U);
  const auto& e = j["log"]["entries"][0];
  EXPECT_EQ(e["startedDateTime"], "2025-11-25T12:00:00.123Z");
  EXPECT_EQ(e["request"]["method"], "POST");
  EXPECT_EQ(e["request"]["url"], "http://127.0.0.1:9000/hooks/github?a=1&b=x%20y");
  EXPECT_EQ(e["request"]["queryString"][1]["value"], "x y");
  EXPECT_EQ(e["request"]["headers"].size(), 6U);
  EXPECT_EQ(e["request"]["postData"]["mimeType"], "application/json");
  EXPECT_FALSE(e["request"]["postData"].contains("encoding"));
  EXPECT_EQ(e["response"]["status"], 202);
  EXPECT_EQ(e["_hooktool"]["id"], "cap_sample");
  EXPECT_EQ(e["_hooktool"]["remote"], "127.0.0.1:5555");
  EXPECT_TRUE(hooktool::core::looks_like_har(text));

  const auto empty = nlohmann::json::parse(document({}));
  EXPECT_TRUE(empty["log"]["entries"].empty());
}

TEST(Har, RoundTripKeepsWhatReplayNeeds) {
  auto binary = sample();
  binary.id = "cap_binary";
  binary.body = std::string("\x00\xFF\x80 raw", 7);
  const HarEntries entries(document({sample(), binary}), "x.har");
  ASSERT_EQ(entries.size(), 2U);
  const auto r = entries.record(0);
  const auto want = sample();
  EXPECT_EQ(r.id, want.id);
  EXPECT_EQ(r.method, want.method);
  EXPECT_EQ(r.path, want.path);
  EXPECT_EQ(r.query, want.query);
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/hooks/github?a=1&b=x%20y");
  ASSERT_EQ(r.headers.size(), want.headers.size());
  for (std::size_t i = 0; i < r.headers.size(); ++i) {
    EXPECT_EQ(r.headers[i].name, want.headers[i].name);
    EXPECT_EQ(r.headers[i].value, want.headers[i].value);
  }
  EXPECT_EQ(r.body, want.body);
  EXPECT_EQ(r.received_at_ms, want.received_at_ms);
  EXPECT_EQ(r.response_status, 202);
  EXPECT_EQ(r.provider, "github");
  EXPECT_EQ(r.event_type, "push");
  EXPECT_EQ(r.event_id, "d-1");
  EXPECT_EQ(r.remote, "127.0.0.1:5555");
  EXPECT_EQ(entries.record(1).body, binary.body) << "non-UTF-8 bodies travel as base64";
}

// Shaped like Chrome's "Save all as HAR": pretty-printed, pages, HTTP/2 pseudo-headers,
// response bodies, a form sent as params only.
const char* kBrowserHar = R"({
  "log": {
    "version": "1.2",
    "creator": {"name": "WebInspector", "version": "537.36"},
    "pages": [{"startedDateTime": "2026-11-25T10:00:00.000Z", "id": "page_1", "title": "x",
               "pageTimings": {}}],
    "entries": [
      {
        "startedDateTime": "2026-11-25T10:00:01.500+01:00",
        "time": 12.7,
        "request": {
          "method": "POST",
          "url": "https://example.test/slack/commands?team=T1#frag",
          "httpVersion": "h2",
          "headers": [
            {"name": ":method", "value": "POST"},
            {"name": ":authority", "value": "example.test"},
            {"name": "content-type", "value": "application/x-www-form-urlencoded"},
            {"name": "x-slack-request-timestamp", "value": "1764064801"},
            {"name": "x-slack-signature", "value": "v0=abc"}
          ],
          "queryString": [{"name": "team", "value": "T1"}],
          "cookies": [],
          "headersSize": -1,
          "bodySize": 30,
          "postData": {
            "mimeType": "application/x-www-form-urlencoded",
            "params": [{"name": "command", "value": "/deploy"}, {"name": "text", "value": "a b&c"}]
          }
        },
        "response": {
          "status": 200, "statusText": "", "httpVersion": "h2", "headers": [], "cookies": [],
          "content": {"size": 100000, "mimeType": "text/html", "text": "<html>…</html>"},
          "redirectURL": "", "headersSize": -1, "bodySize": -1
        },
        "cache": {},
        "timings": {"send": 0, "wait": 12, "receive": 0.7}
      },
      {
        "startedDateTime": "2026-11-25T09:00:02Z",
        "time": 3,
        "request": {"method": "GET", "url": "http://example.test/", "httpVersion": "HTTP/1.1",
                    "headers": [], "queryString": [], "cookies": [], "headersSize": -1,
                    "bodySize": 0},
        "response": {"status": 0, "statusText": "", "httpVersion": "", "headers": [],
                     "cookies": [], "content": {"size": 0, "mimeType": "x-unknown"},
                     "redirectURL": "", "headersSize": -1, "bodySize": -1},
        "cache": {}, "timings": {"send": 0, "wait": 3, "receive": 0}
      }
    ]
  }
})";

TEST(Har, ReadsABrowserExport) {
  EXPECT_TRUE(hooktool::core::looks_like_har(kBrowserHar));
  const HarEntries entries(kBrowserHar, "devtools.har");
  ASSERT_EQ(entries.size(), 2U);
  const auto r = entries.record(0);
  EXPECT_EQ(r.id, "har_1");
  EXPECT_EQ(r.path, "/slack/commands");
  EXPECT_EQ(r.query, "team=T1");
  EXPECT_EQ(r.url, "https://example.test/slack/commands?team=T1");
  ASSERT_EQ(r.headers.size(), 3U) << "pseudo-headers are dropped";
  EXPECT_EQ(r.headers[0].name, "content-type");
  EXPECT_EQ(r.body, "command=%2Fdeploy&text=a+b%26c");
  EXPECT_EQ(r.received_at_ms, 1795597201500) << "offset +01:00 honoured";
  EXPECT_EQ(r.duration_ms, 12);
  EXPECT_EQ(r.response_status, 200);
  EXPECT_EQ(r.provider, "slack");
  const auto get = entries.record(1);
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.path, "/");
  EXPECT_TRUE(get.body.empty());
  EXPECT_FALSE(get.response_status) << "status 0 means no response";
}

std::string har_error(const std::string& text, std::size_t entry = 0) {
  try {
    const HarEntries entries(text, "f.har");
    (void)entries.record(entry);
  } catch (const hooktool::Error& e) {
    return e.what();
  }
  return "no error";
}

std::string one_entry(const std::string& request) {
  return R"({"log":{"entries":[{"request":)" + request + "}]}}";
}

TEST(Har, MalformedInputIsNamedWithTheEntry) {
  EXPECT_EQ(har_error("{\"log\": 3}"), "f.har: not a HAR file (no \"log\" object)");
  EXPECT_EQ(har_error("{\"log\": {}}"), "f.har: not a HAR file (no \"log.entries\" list)");
  EXPECT_EQ(har_error("{\"log\": {\"entries\": [").rfind("f.har: not a HAR file (parse error", 0),
            0U)
      << har_error("{\"log\": {\"entries\": [");
  EXPECT_EQ(har_error(std::string(100, '[')), "f.har: not a HAR file (JSON nested too deeply)");
  // fuzz_har: a number too large for a double is nlohmann's out_of_range, not a parse_error.
  EXPECT_EQ(har_error("3e3533"), "f.har: not a HAR file (number overflow parsing '3e3533')");
  EXPECT_EQ(har_error(R"({"log":{"entries":[{"time":1e999}]}})"),
            "f.har: not a HAR file (number overflow parsing '1e999')");
  EXPECT_EQ(har_error(R"({"log":{"entries":[1]}})"), "f.har: entry 1: not an object");
  EXPECT_EQ(har_error(R"({"log":{"entries":[{}]}})"), "f.har: entry 1: no \"request\" object");
  EXPECT_EQ(har_error(one_entry(R"({"url":"http://x/"})")), "f.har: entry 1: no \"method\"");
  EXPECT_EQ(har_error(one_entry(R"({"method":"POST","url":"relative"})")),
            "f.har: entry 1: \"url\" is not an absolute URL: relative");
  EXPECT_EQ(har_error(one_entry(
                R"({"method":"POST","url":"http://x/","headers":[{"name":"A","value":"x\ny"}]})")),
            "f.har: entry 1: header A: the value holds CR, LF or NUL, which would end the header "
            "line: \"x\\x0Ay\"");
  EXPECT_EQ(
      har_error(one_entry(
          R"({"method":"POST","url":"http://x/","postData":{"text":"%%","encoding":"base64"}})")),
      "f.har: entry 1: postData text is not valid base64");
  EXPECT_EQ(har_error(one_entry(R"({"method":"POST","url":"http://x/","headers":{}})")),
            "f.har: entry 1: \"headers\" is not a list");
}

// fuzz_har: a "time" too large for int64 was converted anyway (undefined behaviour, UBSan).
TEST(Har, TimeOutOfRangeIsIgnored) {
  const HarEntries entries(
      R"({"log":{"entries":[{"time":1e300,"request":{"method":"POST","url":"http://x/"}},)"
      R"({"time":-5,"request":{"method":"POST","url":"http://x/"}},)"
      R"({"time":12.9,"request":{"method":"POST","url":"http://x/"}}]}})",
      "t.har");
  EXPECT_EQ(entries.record(0).duration_ms, 0);
  EXPECT_EQ(entries.record(1).duration_ms, 0);
  EXPECT_EQ(entries.record(2).duration_ms, 12);
}

TEST(Har, DeliverySourceReadsBothFormatsTheSameWay) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("hooktool-har-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto har = (dir / "no-extension").string();
  std::ofstream(har) << document({sample()});
  const auto lines = (dir / "capture.jsonl").string();
  std::ofstream(lines) << hooktool::core::to_capture_line(sample());
  for (const auto& path : {har, lines}) {
    const auto source = hooktool::core::open_deliveries(path);
    auto first = source->next();
    ASSERT_TRUE(first) << path;
    EXPECT_EQ(first->second.body, sample().body) << path;
    EXPECT_EQ(source->at(first->first).id, "cap_sample") << path;
    EXPECT_FALSE(source->next()) << path;
  }
  EXPECT_STREQ(hooktool::core::open_deliveries(har)->units(), "entries");
  std::filesystem::remove_all(dir);
}

// #18 item 2: HAR is JSON text, so a header value that is not UTF-8 is shown escaped in
// "value" and held exactly in "_value_base64", which the reader takes back.
TEST(Har, NonUtf8HeaderValueRoundTripsByteForByte) {
  auto r = sample();
  const std::string raw("caf\xe9 \xff", 6);
  r.headers.push_back({"X-Raw", raw});
  const auto text = document({r});
  const auto j = nlohmann::json::parse(text);
  const auto& h = j["log"]["entries"][0]["request"]["headers"].back();
  EXPECT_EQ(h,
            nlohmann::json(
                {{"name", "X-Raw"}, {"value", "caf\\xE9 \\xFF"}, {"_value_base64", "Y2Fm6SD/"}}));
  EXPECT_FALSE(j["log"]["entries"][0]["request"]["headers"][0].contains("_value_base64"));
  const HarEntries entries(text, "t.har");
  EXPECT_EQ(entries.record(0).headers, r.headers);
  EXPECT_EQ(har_error(one_entry(R"({"method":"POST","url":"http://x/","headers":)"
                                R"([{"name":"A","value":"v","_value_base64":"%%"}]})")),
            "f.har: entry 1: header A: \"_value_base64\" is not valid base64");
}

// #18 item 6: CR, LF and NUL in a header, a name or method that is not a token: refused,
// named with the entry, before anything can be sent.
TEST(Har, CrLfNulAndNonTokensAreRefused) {
  const auto with = [](const std::string& method, const std::string& headers) {
    return har_error(
        one_entry(R"({"method":")" + method + R"(","url":"http://x/","headers":)" + headers + "}"));
  };
  EXPECT_EQ(with("POST", R"([{"name":"X-A","value":"v\r\nInjected: 1"}])"),
            "f.har: entry 1: header X-A: the value holds CR, LF or NUL, which would end the "
            "header line: \"v\\x0D\\x0AInjected: 1\"");
  EXPECT_EQ(with("POST", R"([{"name":"X-A","value":"a\u0000b"}])"),
            "f.har: entry 1: header X-A: the value holds CR, LF or NUL, which would end the "
            "header line: \"a\\x00b\"");
  EXPECT_EQ(with("POST", R"([{"name":"X-A","value":"v","_value_base64":"YQ0KYg=="}])"),
            "f.har: entry 1: header X-A: the value holds CR, LF or NUL, which would end the "
            "header line: \"a\\x0D\\x0Ab\"");
  EXPECT_EQ(with("POST", R"([{"name":"X A","value":"v"}])"),
            "f.har: entry 1: the header name \"X A\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(with("POST", R"j([{"name":"X(a)","value":"v"}])j"),
            "f.har: entry 1: the header name \"X(a)\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(with("GE T", "[]"),
            "f.har: entry 1: the method \"GE T\" is not an HTTP token: it cannot be sent");
  EXPECT_EQ(with("POST\\r\\nX: 1", "[]"), "f.har: entry 1: the method \"POST\\x0D\\x0AX: 1\" is "
                                          "not an HTTP token: it cannot be sent");
  EXPECT_EQ(har_error(one_entry(R"({"method":"POST","url":"http://x/a\r\nb"})")),
            "f.har: entry 1: the path holds CR, LF or NUL: it cannot be sent: \"/a\\x0D\\x0Ab\"");
  // HTTP/2 pseudo-headers are still dropped, not refused.
  EXPECT_EQ(with("POST", R"([{"name":":authority","value":"x"}])"), "no error");
}

} // namespace
