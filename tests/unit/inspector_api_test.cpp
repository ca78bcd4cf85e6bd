// The web inspector's HTTP surface: the guards (loopback, Host, token, Origin), the JSON API,
// the event stream and the escaping of hostile deliveries.
#include "providers/registry.hpp"
#include "util/time.hpp"
#include "webui/api.hpp"
#include "webui/assets.hpp"
#include "webui/compare.hpp"

#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

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

// A request to the API as the UI server hands it over: from a loopback peer, target split
// into path and query.
net::IncomingRequest api_request(std::string method, const std::string& target,
                                 model::Headers headers, std::string body = {}) {
  net::IncomingRequest in;
  in.method = std::move(method);
  in.target = target;
  const auto q = target.find('?');
  in.path = target.substr(0, q);
  in.query = q == std::string::npos ? "" : target.substr(q + 1);
  in.remote = "127.0.0.1:50000";
  in.headers = std::move(headers);
  in.body = std::move(body);
  return in;
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
    model::Headers headers{{"Host", "127.0.0.1:" + std::to_string(kPort)}};
    headers.insert(headers.end(), extra.begin(), extra.end());
    return api.handle(api_request("GET", target, std::move(headers)));
  }
  net::OutgoingResponse post(const std::string& path, model::Headers headers,
                             std::string body = "{}") {
    return api.handle(api_request("POST", path, std::move(headers), std::move(body)));
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
  // Its inline script and style sheet by their hashes (webui_page_test.cpp), nothing else.
  EXPECT_NE(header(r, "Content-Security-Policy").find("script-src 'sha256-"), std::string::npos);
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
       {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
        "createContextualFragment", "DOMParser", "srcdoc", "parseFromString"})
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

// ---- the actions: replay to a URL, edit and replay, compare, the simulated answer ----

core::CaptureRecord signed_github(const std::string& body) {
  core::CaptureRecord r;
  r.id = "cap_github";
  r.received_at_ms = 1764590000000;
  r.path = "/hooks";
  r.provider = "github";
  r.event_type = "push";
  model::HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:9000/hooks";
  req.headers = {
      {"Host", "127.0.0.1:9000"}, {"X-GitHub-Event", "push"}, {"Content-Type", "application/json"}};
  req.body = body;
  const auto github = providers::make_provider("github");
  github->sign(req, {"s3cret", util::now_s(), "", 0});
  r.headers = req.headers;
  r.body = body;
  return r;
}

model::VerdictStatus verify_github(const core::CaptureRecord& r, const std::string& secret) {
  model::HttpRequest req;
  req.method = r.method;
  req.url = "http://127.0.0.1:9000" + r.path;
  req.headers = r.headers;
  req.body = r.body;
  providers::VerifyParams params;
  params.secret = secret;
  params.now = util::now_s();
  return providers::make_provider("github")->verify(req, params).status;
}

// [[name, value]…] as JSON (a braced list of pairs would become an object).
nlohmann::json pairs(const std::vector<std::pair<std::string, std::string>>& headers) {
  auto out = nlohmann::json::array();
  for (const auto& [name, value] : headers)
    out.push_back(nlohmann::json::array({name, value}));
  return out;
}

struct InspectorActions : ::testing::Test {
  Store store{StoreOptions{}};
  std::vector<std::pair<core::CaptureRecord, std::string>> sent; // record, url ("" = forward)
  std::shared_ptr<listen::LiveAnswer> live = std::make_shared<listen::LiveAnswer>(listen::Answer{});
  std::string secret = "s3cret";
  Api api{ApiOptions{"t0ken", std::chrono::milliseconds(0)}, store, actions()};
  const model::Headers h{{"Host", "127.0.0.1:4040"}, {"X-Hooktool-Token", "t0ken"}};

  Actions actions() {
    Actions a;
    a.replay = [this](const core::CaptureRecord& r, listen::RemoteTarget) {
      sent.emplace_back(r, "");
      listen::ReplayOutcome out;
      out.url = "http://127.0.0.1:3000/";
      out.result.url = "http://127.0.0.1:3000/hooks";
      out.result.status = 200;
      return out;
    };
    a.send_to = [this](const core::CaptureRecord& r, const std::string& url) {
      sent.emplace_back(r, url);
      core::ForwardInfo f;
      f.url = url;
      f.status = 204;
      return f;
    };
    a.forward_target = [](const core::CaptureRecord&) {
      return std::string("http://127.0.0.1:3000/");
    };
    a.signing_secret = [this](const std::string& id) {
      SigningSecret s;
      s.provider = providers::make_provider(id);
      if (secret.empty())
        s.error = "listen holds no secret for " + id;
      s.secret = secret;
      return s;
    };
    a.answer = live;
    return a;
  }
  void SetUp() override {
    api.set_port(kPort);
    store.observe(signed_github(R"({"amount":100,"currency":"usd"})"), std::nullopt);
  }
  net::OutgoingResponse post(const std::string& path, const std::string& body,
                             model::Headers headers = {}) {
    return api.handle(api_request("POST", path, headers.empty() ? h : std::move(headers), body));
  }
  net::OutgoingResponse get(const std::string& target) {
    return api.handle(api_request("GET", target, {{"Host", "127.0.0.1:4040"}}));
  }
  net::OutgoingResponse replay(const nlohmann::json& ask) {
    return post("/api/deliveries/cap_github/replay", ask.dump());
  }
};

TEST_F(InspectorActions, ReplayToALoopbackUrlGoesOutAndAnotherHostNeedsConfirmation) {
  auto r = replay({{"url", "127.0.0.1:3999/elsewhere"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], 204);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second, "http://127.0.0.1:3999/elsewhere");
  EXPECT_EQ(sent[0].first.body, R"({"amount":100,"currency":"usd"})");
  // Exact loopback only: a name that merely starts like one is another machine.
  for (const std::string url : {"https://hooks.example.com/", "http://127.0.0.1.example.com/",
                                "http://localhost.evil.example/", "http://10.0.0.1:3000/"}) {
    r = replay({{"url", url}});
    EXPECT_EQ(r.status, 409) << url;
    EXPECT_EQ(nlohmann::json::parse(r.body)["confirm"].get<std::string>().rfind("http", 0), 0u);
  }
  EXPECT_EQ(sent.size(), 1u) << "nothing sent before confirmation";
  EXPECT_EQ(replay({{"url", "https://hooks.example.com/"}, {"confirm", true}}).status, 200);
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(replay({{"url", "ftp://x/"}}).status, 400);
  // No URL: the forward target, as before.
  EXPECT_EQ(replay(nlohmann::json::object()).status, 200);
  EXPECT_EQ(sent.back().second, "");
}

TEST_F(InspectorActions, EditReplaysTheEditedMethodPathHeadersAndBody) {
  const auto r = replay({{"url", "http://127.0.0.1:3999/"},
                         {"edit",
                          {{"method", "PUT"},
                           {"path", "/other?x=1"},
                           {"headers", pairs({{"Content-Type", "text/plain"}, {"X-Added", "yes"}})},
                           {"body", "edited"}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(sent.size(), 1u);
  const auto& out = sent[0].first;
  EXPECT_EQ(out.method, "PUT");
  EXPECT_EQ(out.path, "/other");
  EXPECT_EQ(out.query, "x=1");
  EXPECT_EQ(out.body, "edited");
  ASSERT_EQ(out.headers.size(), 2u);
  EXPECT_EQ(out.headers[1].name, "X-Added");
  EXPECT_EQ(store.find("cap_github")->record.body, R"({"amount":100,"currency":"usd"})")
      << "the captured delivery is not changed";
}

TEST_F(InspectorActions, EditRefusesHeaderValuesWithCrLfOrNulAndMalformedParts) {
  const std::vector<std::pair<nlohmann::json, std::string>> bad = {
      {{{"headers", pairs({{"X-A", "ok\r\nX-Injected: 1"}})}}, "CR, LF or NUL"},
      {{{"headers", pairs({{"X-A", "a\nb"}})}}, "CR, LF or NUL"},
      {{{"headers", pairs({{"X-A", std::string("a\0b", 3)}})}}, "CR, LF or NUL"},
      {{{"headers", pairs({{"Bad Name", "v"}})}}, "not an HTTP token"},
      {{{"headers", nlohmann::json::array({nlohmann::json::array({"X-A"})})}},
       "[name, value] pairs"},
      {{{"method", "GET /x HTTP/1.1"}}, "token"},
      {{{"path", "no-slash"}}, "start with '/'"},
      {{{"path", "/a b"}}, "space or a control byte"},
      {{{"path", "/a#b"}}, "'#'"},
      {{{"body", 5}}, "edit.body"},
  };
  for (const auto& [edit, reason] : bad) {
    const auto r = replay({{"edit", edit}});
    EXPECT_EQ(r.status, 400) << edit.dump();
    EXPECT_NE(nlohmann::json::parse(r.body)["error"].get<std::string>().find(reason),
              std::string::npos)
        << r.body;
  }
  EXPECT_EQ(post("/api/deliveries/cap_github/replay", "{not json").status, 400);
  EXPECT_EQ(replay({{"sign", "maybe"}}).status, 400);
  EXPECT_TRUE(sent.empty());
}

TEST_F(InspectorActions, ResignedEditVerifiesAndKeptSignatureOverAnEditedBodyDoesNot) {
  ASSERT_EQ(verify_github(store.find("cap_github")->record, "s3cret"), model::VerdictStatus::valid);
  const nlohmann::json edit = {{"body", R"({"amount":999,"currency":"usd"})"}};
  auto r = replay({{"edit", edit}, {"sign", "resign"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(nlohmann::json::parse(r.body)["resigned"].get<bool>());
  EXPECT_EQ(r.body.find("s3cret"), std::string::npos) << "the secret never reaches the page";
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first.body, R"({"amount":999,"currency":"usd"})");
  EXPECT_EQ(verify_github(sent[0].first, "s3cret"), model::VerdictStatus::valid);
  // The other headers keep their place; the signature header is replaced, not doubled.
  EXPECT_EQ(sent[0].first.headers.size(), store.find("cap_github")->record.headers.size());
  EXPECT_EQ(sent[0].first.headers[0].name, "Host");

  r = replay({{"edit", edit}, {"sign", "keep"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(verify_github(sent[1].first, "s3cret"), model::VerdictStatus::invalid);

  secret.clear(); // listen holds none: said so, nothing sent
  r = replay({{"edit", edit}, {"sign", "resign"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("no secret"), std::string::npos);
  EXPECT_EQ(sent.size(), 2u);
}

TEST_F(InspectorActions, NewEndpointsNeedTheTokenAndNoForeignOrigin) {
  const model::Header host{"Host", "127.0.0.1:4040"};
  for (const std::string path : {"/api/deliveries/cap_github/replay", "/api/simulation"}) {
    EXPECT_EQ(post(path, R"({"url":"127.0.0.1:1/","status":500})", {host}).status, 403) << path;
    EXPECT_EQ(post(path, R"({"status":500})",
                   {host, {"X-Hooktool-Token", "t0ken"}, {"Origin", "http://evil.example"}})
                  .status,
              403)
        << path;
  }
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(live->get().status, 200);
}

TEST_F(InspectorActions, CompareListsTheStartLineHeadersAndJsonFieldsThatDiffer) {
  auto b = signed_github(R"({"amount":250,"currency":"usd","extra":{"k":[1,2]}})");
  b.id = "cap_second";
  b.path = "/hooks/v2";
  b.headers.push_back({"X-GitHub-Hook-Retry", "1"});
  b.headers.erase(b.headers.begin() + 1); // X-GitHub-Event removed
  store.observe(b, std::nullopt);
  const auto r = get("/api/compare?a=cap_github&b=cap_second");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_FALSE(j["start_line"]["same"].get<bool>());
  EXPECT_EQ(j["start_line"]["b"], "POST /hooks/v2");
  std::map<std::string, std::string> headers;
  for (const auto& d : j["headers"])
    headers[d["name"]] = d["change"];
  EXPECT_EQ(headers["X-GitHub-Event"], "removed");
  EXPECT_EQ(headers["X-GitHub-Hook-Retry"], "added");
  EXPECT_EQ(headers["X-Hub-Signature-256"], "changed");
  EXPECT_FALSE(headers.contains("Content-Type"));
  ASSERT_EQ(j["body"]["kind"], "json");
  const auto& fields = j["body"]["fields"];
  ASSERT_EQ(fields.size(), 2u) << fields.dump();
  EXPECT_EQ(fields[0]["path"], "$.amount");
  EXPECT_EQ(fields[0]["a"], 100);
  EXPECT_EQ(fields[0]["b"], 250);
  EXPECT_EQ(fields[1]["path"], "$.extra");
  EXPECT_EQ(fields[1]["change"], "added");
  EXPECT_FALSE(fields[1].contains("a"));
  EXPECT_EQ(j["a"]["id"], "cap_github");
  EXPECT_EQ(get("/api/compare?a=cap_github&b=cap_absent").status, 404);
  EXPECT_EQ(get("/api/compare?a=cap_github").status, 400);
}

TEST(InspectorCompare, JsonPathsOfNestedArraysAndOddKeys) {
  core::CaptureRecord a;
  core::CaptureRecord b;
  a.body = R"({"data":{"items":[{"id":1},{"id":2}]},"a.b":true,"t":"1"})";
  b.body = R"({"data":{"items":[{"id":1},{"id":3},{"id":4}]},"a.b":false,"t":1})";
  const auto j = nlohmann::json::parse(compare_json(a, b));
  std::vector<std::string> paths;
  for (const auto& f : j["body"]["fields"])
    paths.push_back(f["path"]);
  EXPECT_EQ(paths, (std::vector<std::string>{"$.data.items[1].id", "$.data.items[2]", "$[\"a.b\"]",
                                             "$.t"}));
  EXPECT_TRUE(nlohmann::json::parse(compare_json(a, a))["body"]["same"].get<bool>());
  EXPECT_TRUE(nlohmann::json::parse(compare_json(a, a))["body"]["fields"].empty());
}

TEST(InspectorCompare, TextBodiesAreComparedAsLines) {
  core::CaptureRecord a;
  core::CaptureRecord b;
  a.body = "one\ntwo\nthree\n";
  b.body = "one\n2\nthree\nfour";
  const auto j = nlohmann::json::parse(compare_json(a, b));
  ASSERT_EQ(j["body"]["kind"], "text");
  std::string ops;
  for (const auto& l : j["body"]["lines"])
    ops += l["op"].get<std::string>() + l["text"].get<std::string>() + "|";
  EXPECT_EQ(ops, " one|-two|+2| three|+four|");
  a.body = "\xff\x00";
  EXPECT_EQ(nlohmann::json::parse(compare_json(a, b))["body"]["kind"], "binary");
}

TEST_F(InspectorActions, TheSimulatedAnswerChangesFromThePageAndIsChecked) {
  auto r = get("/api/simulation");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["status"], 200);
  r = post("/api/simulation", R"({"status":503,"delay_ms":20})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(live->get().status, 503);
  EXPECT_EQ(live->get().delay_ms, 20);
  EXPECT_EQ(nlohmann::json::parse(get("/api/simulation").body)["status"], 503);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"status":99})", "not an HTTP status"},
      {R"({"status":"500"})", "whole number"},
      {R"({"delay_ms":-1})", "outside"},
      {R"({"fail_rate":1.5})", "between 0 and 1"},
      {R"({"fail_rate":0.5,"fail_status":503})", "equals the status"},
      {"[1", "not JSON"},
  };
  for (const auto& [body, reason] : bad) {
    r = post("/api/simulation", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_NE(r.body.find(reason), std::string::npos) << r.body;
  }
  EXPECT_EQ(live->get(), (listen::Answer{503, 20, 0, 500})) << "a refused change changes nothing";
}

TEST(InspectorSimulation, TheResponderAnswersTheChangedStatusFromTheNextDelivery) {
  listen::Simulation sim;
  sim.live = std::make_shared<listen::LiveAnswer>(sim.answer());
  listen::Responder responder({}, sim, std::chrono::milliseconds(1000));
  core::CaptureRecord r;
  EXPECT_EQ(responder.respond(r).status, 200);
  ASSERT_TRUE(sim.live->set({418, 0, 0, 500}).empty());
  EXPECT_EQ(responder.respond(r).status, 418);
  ASSERT_TRUE(sim.live->set({200, 0, 1.0, 503}).empty());
  EXPECT_EQ(responder.respond(r).status, 503);
  // Changed from another thread while worker threads answer: every answer is one of the two.
  std::atomic<bool> stop{false};
  std::thread changer([&] {
    for (int i = 0; i < 2000 && !stop; ++i)
      (void)sim.live->set({i % 2 == 0 ? 201 : 202, 0, 0, 500});
  });
  for (int i = 0; i < 2000; ++i) {
    const int s = responder.respond(r).status;
    EXPECT_TRUE(s == 201 || s == 202 || s == 503) << s;
  }
  stop = true;
  changer.join();
}

} // namespace
} // namespace hooktool::webui
