// The web inspector's HTTP surface: the guards (loopback, Host, token, Origin), the JSON API,
// the event stream and the escaping of hostile deliveries.
#include "webui/api.hpp"
#include "webui/assets.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace hooktool::webui {
namespace {

constexpr int kPort = 4040;

core::CaptureRecord hostile() {
  core::CaptureRecord r;
  r.id = "cap_hostile";
  r.received_at_ms = 1764590000000;
  r.path = "/<svg onload=alert(1)>";
  r.headers = {{"Host", "127.0.0.1:9000"},
               {"Z-First", "<b>1</b>"},
               {"A-Second", "\x1b[31mred"},
               {"Content-Type", "application/json"}};
  r.body = R"({"html":"<script>alert(1)</script>"})";
  r.provider = "github";
  r.event_type = "push";
  r.verification.status = model::VerdictStatus::invalid;
  r.verification.reason = "signature does not match";
  r.response_status = 200;
  return r;
}

struct InspectorApi : ::testing::Test {
  Store store{StoreOptions{}};
  int replays = 0;
  listen::ReplayOutcome outcome;
  Api api{ApiOptions{"t0ken", std::chrono::milliseconds(0)}, store,
          [this](const core::CaptureRecord&, listen::RemoteTarget remote) {
            ++replays;
            auto out = outcome;
            if (remote == listen::RemoteTarget::confirmed &&
                out.kind == listen::ReplayOutcome::Kind::needs_confirmation)
              out.kind = listen::ReplayOutcome::Kind::sent;
            return out;
          }};
  void SetUp() override {
    api.set_port(kPort);
    store.observe(hostile(), std::nullopt);
  }
  net::OutgoingResponse get(const std::string& target, model::Headers extra = {}) {
    net::IncomingRequest in;
    in.method = "GET";
    in.target = target;
    const auto q = target.find('?');
    in.path = target.substr(0, q);
    in.query = q == std::string::npos ? "" : target.substr(q + 1);
    in.remote = "127.0.0.1:50000";
    in.headers = {{"Host", "127.0.0.1:" + std::to_string(kPort)}};
    for (auto& h : extra)
      in.headers.push_back(h);
    return api.handle(in);
  }
  net::OutgoingResponse post(const std::string& path, model::Headers headers,
                             std::string body = "{}") {
    net::IncomingRequest in;
    in.method = "POST";
    in.target = in.path = path;
    in.remote = "127.0.0.1:50000";
    in.headers = std::move(headers);
    in.body = std::move(body);
    return api.handle(in);
  }
};

std::string header(const net::OutgoingResponse& r, std::string_view name) {
  const auto v = model::find_header(r.headers, name);
  return v ? std::string(*v) : "";
}

TEST_F(InspectorApi, ServesThePageWithItsTokenAndAStrictPolicy) {
  const auto r = get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"(name="hooktool-token" content="t0ken")"), std::string::npos);
  EXPECT_EQ(r.body.find("{{TOKEN}}"), std::string::npos);
  EXPECT_NE(header(r, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(header(r, "Content-Security-Policy").find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(get("/app.js").status, 200);
  EXPECT_EQ(header(get("/app.js"), "Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/app.css").status, 200);
  EXPECT_EQ(get("/nothing.js").status, 404);
}

TEST_F(InspectorApi, TheEmbeddedScriptNeverWritesHtml) {
  const auto js = find_asset("app.js");
  ASSERT_TRUE(js);
  for (const std::string_view sink :
       {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"})
    EXPECT_EQ(js->data.find(sink), std::string_view::npos) << sink;
}

TEST_F(InspectorApi, RefusesAForeignHostAndRemotePeers) {
  EXPECT_EQ(get("/api/deliveries").status, 200);
  for (const std::string host : {"evil.example:4040", "127.0.0.1:4041", "127.0.0.1", ""}) {
    net::IncomingRequest in;
    in.method = "GET";
    in.target = in.path = "/api/deliveries";
    in.remote = "127.0.0.1:1";
    if (!host.empty())
      in.headers = {{"Host", host}};
    EXPECT_EQ(api.handle(in).status, 421) << host;
  }
  EXPECT_EQ(get("/", {}).status, 200);
  net::IncomingRequest remote;
  remote.method = "GET";
  remote.target = remote.path = "/";
  remote.remote = "192.168.1.7:5000";
  remote.headers = {{"Host", "127.0.0.1:4040"}};
  EXPECT_EQ(api.handle(remote).status, 403);
  remote.headers = {{"Host", "localhost:4040"}};
  remote.remote = "[::1]:5000";
  EXPECT_EQ(api.handle(remote).status, 200);
}

TEST_F(InspectorApi, ListsDeliveriesAsJsonWithTheRowFields) {
  const auto r = get("/api/deliveries?limit=10");
  ASSERT_EQ(r.status, 200);
  const auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["deliveries"].size(), 1u);
  const auto& d = j["deliveries"][0];
  EXPECT_EQ(d["id"], "cap_hostile");
  EXPECT_EQ(d["path"], "/<svg onload=alert(1)>"); // data, for the page to show as text
  EXPECT_EQ(d["verdict"], "invalid");
  EXPECT_EQ(d["reason"], "signature does not match");
  EXPECT_EQ(d["status"], 200);
  EXPECT_EQ(d["seq"], 1);
  EXPECT_EQ(j["last_seq"], 1);
  EXPECT_FALSE(j["capture"].get<bool>());
  EXPECT_EQ(nlohmann::json::parse(get("/api/deliveries?provider=stripe").body)["deliveries"].size(),
            0u);
}

TEST_F(InspectorApi, DetailKeepsHeadersInArrivalOrderAndTheExactBody) {
  const auto r = get("/api/deliveries/cap_hostile");
  ASSERT_EQ(r.status, 200);
  const auto j = nlohmann::json::parse(r.body);
  const auto& headers = j["capture"]["headers"];
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_EQ(headers[1][0], "Z-First");
  EXPECT_EQ(headers[2][0], "A-Second");
  EXPECT_EQ(headers[2][1], "\x1b[31mred");
  EXPECT_EQ(j["capture"]["body"], hostile().body);
  EXPECT_EQ(j["capture_line"].get<std::string>() + "\n", core::to_capture_line(hostile()));
  EXPECT_EQ(j["curl"].get<std::string>().rfind("printf '", 0), 0u) << "the body, piped to curl";
  EXPECT_NE(j["curl"].get<std::string>().find("' |\ncurl -sS "), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(j["har"].get<std::string>())["request"]["postData"]["text"],
            hostile().body);
  EXPECT_EQ(get("/api/deliveries/cap_absent").status, 404);
}

TEST_F(InspectorApi, SummaryOfNonUtf8BytesIsStillJson) {
  auto r = hostile();
  r.path = "/\xff\xfe";
  r.event_type = "bad\xc3";
  nlohmann::json j;
  EXPECT_NO_THROW(j = nlohmann::json::parse(summary_json(r, 1, std::nullopt)));
  EXPECT_EQ(j["id"], "cap_hostile");
}

TEST_F(InspectorApi, TheEventStreamCarriesNewDeliveriesWithTheirSequence) {
  const auto r = get("/api/events?after=0");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "Content-Type"), "text/event-stream");
  EXPECT_NE(r.body.find("id: 1\nevent: delivery\ndata: {"), std::string::npos);
  // Last-Event-ID (the browser's reconnect) wins over the query: nothing after 1 yet.
  const auto again = get("/api/events?after=0", {{"Last-Event-ID", "1"}});
  EXPECT_EQ(again.body.find("event: delivery"), std::string::npos);
  EXPECT_NE(again.body.find("id: 1\n"), std::string::npos);
}

TEST_F(InspectorApi, ReplayNeedsTheTokenAndNoForeignOrigin) {
  const std::string path = "/api/deliveries/cap_hostile/replay";
  const model::Header host{"Host", "127.0.0.1:4040"};
  EXPECT_EQ(post(path, {host}).status, 403);
  EXPECT_EQ(post(path, {host, {"X-Hooktool-Token", "wrong"}}).status, 403);
  EXPECT_EQ(
      post(path, {host, {"X-Hooktool-Token", "t0ken"}, {"Origin", "http://evil.example"}}).status,
      403);
  EXPECT_EQ(post(path, {host, {"X-Hooktool-Token", "t0ken"}, {"Origin", "null"}}).status, 403);
  EXPECT_EQ(replays, 0);
  outcome.result.url = "http://localhost:3000/";
  outcome.result.status = 202;
  const auto ok =
      post(path, {host, {"X-Hooktool-Token", "t0ken"}, {"Origin", "http://127.0.0.1:4040"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok.body)["status"], 202);
  EXPECT_EQ(replays, 1);
}

TEST_F(InspectorApi, ReplayToARemoteTargetAsksForConfirmation) {
  const std::string path = "/api/deliveries/cap_hostile/replay";
  const model::Headers h{{"Host", "127.0.0.1:4040"}, {"X-Hooktool-Token", "t0ken"}};
  outcome.kind = listen::ReplayOutcome::Kind::needs_confirmation;
  outcome.url = "https://hooks.example.com/";
  const auto ask = post(path, h);
  EXPECT_EQ(ask.status, 409);
  EXPECT_EQ(nlohmann::json::parse(ask.body)["confirm"], "https://hooks.example.com/");
  EXPECT_EQ(post(path, h, R"({"confirm":true})").status, 200);
  outcome.kind = listen::ReplayOutcome::Kind::no_route;
  EXPECT_EQ(post(path, h).status, 409);
  EXPECT_EQ(post("/api/deliveries/cap_absent/replay", h).status, 404);
}

TEST_F(InspectorApi, OnlyGetHeadAndPost) {
  net::IncomingRequest in;
  in.method = "DELETE";
  in.target = in.path = "/api/deliveries";
  in.remote = "127.0.0.1:1";
  in.headers = {{"Host", "127.0.0.1:4040"}};
  EXPECT_EQ(api.handle(in).status, 405);
}

} // namespace
} // namespace hooktool::webui
