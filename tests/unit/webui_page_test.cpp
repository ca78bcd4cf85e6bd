// The web inspector's page as served: app.css and app.js inline under a policy naming their
// hashes, and the first page of deliveries embedded as a JSON data block that a hostile
// delivery cannot break out of.
#include "../e2e/temp_dir.hpp"
#include "core/capture.hpp"
#include "crypto/crypto.hpp"
#include "webui/api.hpp"
#include "webui/assets.hpp"

#include <cctype>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace hooktool::webui {
namespace {

constexpr int kPagePort = 4041;

core::CaptureRecord page_record(const std::string& id, std::string event) {
  core::CaptureRecord r;
  r.id = id;
  r.received_at_ms = 1764590000000;
  r.path = "/hooks";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = "{}";
  r.provider = "github";
  r.event_type = std::move(event);
  r.response_status = 200;
  return r;
}

net::OutgoingResponse page_get(Api& api, const std::string& target) {
  net::IncomingRequest in;
  in.method = "GET";
  in.target = target;
  const auto q = target.find('?');
  in.path = target.substr(0, q);
  in.query = q == std::string::npos ? "" : target.substr(q + 1);
  in.remote = "127.0.0.1:50000";
  in.headers = {{"Host", "127.0.0.1:" + std::to_string(kPagePort)}};
  return api.handle(in);
}

std::string policy_of(const net::OutgoingResponse& r) {
  const auto v = model::find_header(r.headers, "Content-Security-Policy");
  return v ? std::string(*v) : "";
}

std::string sha256_source(std::string_view text) {
  return "'sha256-" + crypto::base64_encode(crypto::hash(crypto::Digest::sha256, text)) + "'";
}

// The text between `open` and the next `close` after it.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const auto start = text.find(open);
  if (start == std::string::npos)
    return {};
  const auto end = text.find(close, start + open.size());
  if (end == std::string::npos)
    return {};
  return text.substr(start + open.size(), end - start - open.size());
}

// "name value; name value" as name -> value.
std::map<std::string, std::string> directives_of(const std::string& policy) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < policy.size()) {
    auto end = policy.find("; ", at);
    if (end == std::string::npos)
      end = policy.size();
    const auto part = policy.substr(at, end - at);
    const auto space = part.find(' ');
    out[part.substr(0, space)] = space == std::string::npos ? "" : part.substr(space + 1);
    at = end + 2;
  }
  return out;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

struct WebuiPage : ::testing::Test {
  Store store{StoreOptions{}};
  Api api{ApiOptions{"t0ken", std::chrono::milliseconds(0)}, store, ReplayFn{}};
  void SetUp() override { api.set_port(kPagePort); }
};

TEST_F(WebuiPage, InlinesTheStyleSheetAndScriptAllowedByTheirHashesOnly) {
  const auto r = page_get(api, "/");
  ASSERT_EQ(r.status, 200);
  const auto css = find_asset("app.css");
  const auto js = find_asset("app.js");
  ASSERT_TRUE(css && js);
  // Exactly the embedded files, so the hashes in the policy are of what the browser runs.
  EXPECT_EQ(between(r.body, "<style>", "</style>"), css->data);
  EXPECT_EQ(between(r.body, "\n<script>", "</script>"), js->data);
  EXPECT_EQ(occurrences(r.body, "<script"), 2u) << "the data block and the script";
  EXPECT_EQ(r.body.find("{{"), std::string::npos);
  EXPECT_EQ(r.body.find(" src="), std::string::npos);
  EXPECT_EQ(r.body.find("stylesheet"), std::string::npos);
  const auto policy = policy_of(r);
  const auto directives = directives_of(policy);
  EXPECT_EQ(directives.at("script-src"), sha256_source(js->data)) << policy;
  EXPECT_EQ(directives.at("style-src"), sha256_source(css->data)) << policy;
  EXPECT_EQ(directives.at("default-src"), "'none'");
  EXPECT_EQ(directives.at("base-uri"), "'none'");
  EXPECT_EQ(directives.at("connect-src"), "'self'");
  for (const std::string_view loose : {"unsafe-inline", "unsafe-eval", "*"})
    EXPECT_EQ(policy.find(loose), std::string::npos) << loose << " in " << policy;
  // The API keeps its own policy.
  EXPECT_NE(policy_of(page_get(api, "/api/deliveries")).find("script-src 'self'"),
            std::string::npos);
}

TEST_F(WebuiPage, TheAssetsCannotEndTheirOwnInlineElement) {
  const auto css = find_asset("app.css");
  const auto js = find_asset("app.js");
  ASSERT_TRUE(css && js);
  // What would end the element early, or (in a script) change how its end is found.
  EXPECT_EQ(lowered(css->data).find("</style"), std::string::npos);
  EXPECT_EQ(lowered(js->data).find("</script"), std::string::npos);
  EXPECT_EQ(lowered(js->data).find("<script"), std::string::npos);
  EXPECT_EQ(js->data.find("<!--"), std::string_view::npos);
}

TEST(WebuiScriptData, EscapesWhatCouldEndOrChangeTheBlock) {
  EXPECT_EQ(script_data(R"({"a":"</script><!--x"})"), R"({"a":"\u003c/script>\u003c!--x"})");
  EXPECT_EQ(script_data("[\"\xe2\x80\xa8\xe2\x80\xa9\"]"), R"(["\u2028\u2029"])");
  // Other multi-byte characters, and a lone E2 at the end, pass as they are.
  EXPECT_EQ(script_data("[\"\xe2\x80\xa7\xc3\xa9\"]\xe2"), "[\"\xe2\x80\xa7\xc3\xa9\"]\xe2");
  const std::string text = "{\"k\":\"</SCRIPT>\xe2\x80\xa8\"}";
  EXPECT_EQ(nlohmann::json::parse(script_data(text)), nlohmann::json::parse(text));
}

TEST_F(WebuiPage, EmbedsTheFirstPageAndAHostileDeliveryStaysText) {
  // Markup, the block's end, and the page's own markers.
  const std::string evil =
      "</script><script>alert(1)</script><!-- \xe2\x80\xa8\xe2\x80\xa9 {{APP_JS}}{{TOKEN}}";
  store.observe(page_record("cap_evil", evil), std::nullopt);
  store.observe(page_record("cap_plain", "push"), std::nullopt);
  const auto r = page_get(api, "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(occurrences(r.body, "</script>"), 2u) << r.body;
  const auto js = find_asset("app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(between(r.body, "\n<script>", "</script>"), js->data);
  EXPECT_EQ(r.body.find("t0ken"), r.body.rfind("t0ken")) << "the token once, in its meta tag";
  EXPECT_EQ(r.body.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(r.body.find("\xe2\x80\xa9"), std::string::npos);
  const auto data =
      between(r.body, R"(<script type="application/json" id="first-page">)", "</script>");
  const auto j = nlohmann::json::parse(data);
  const auto& rows = j["list"]["deliveries"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["id"], "cap_plain");
  EXPECT_EQ(rows[1]["event_type"], evil);
  EXPECT_EQ(j["list"]["last_seq"], 2);
  EXPECT_FALSE(j.contains("history")) << "no capture file";
  // What GET /api/deliveries answers, so the page draws the same rows either way.
  EXPECT_EQ(j["list"], nlohmann::json::parse(page_get(api, "/api/deliveries?limit=100").body));
  // The page's URL filters what is embedded, as the filter box would.
  const auto filtered = nlohmann::json::parse(
      between(page_get(api, "/?event=push").body, R"(id="first-page">)", "</script>"));
  ASSERT_EQ(filtered["list"]["deliveries"].size(), 1u);
  EXPECT_EQ(filtered["list"]["deliveries"][0]["id"], "cap_plain");
}

TEST(WebuiPageHistory, LeavesTheCaptureFileToTheApi) {
  const e2e::TempDir dir;
  const auto path = dir.file("c.jsonl");
  std::string text;
  for (int i = 1; i <= 150; ++i)
    text += core::to_capture_line(page_record("cap_" + std::to_string(i), "push"));
  e2e::write_file(path, text);
  Store store(StoreOptions{1000, 64u << 20, path});
  Api api{ApiOptions{"t0ken", std::chrono::milliseconds(0)}, store, ReplayFn{}};
  api.set_port(kPagePort);
  const auto j =
      nlohmann::json::parse(between(page_get(api, "/").body, R"(id="first-page">)", "</script>"));
  // The run has none in memory: the page asks GET /api/history?before=SIZE for the file's rows
  // (not parsed before the page is sent).
  EXPECT_TRUE(j["list"]["deliveries"].empty());
  EXPECT_EQ(j["list"]["history_before"], text.size());
  EXPECT_TRUE(j["list"]["capture"]);
  EXPECT_FALSE(j.contains("history"));
}

} // namespace
} // namespace hooktool::webui
