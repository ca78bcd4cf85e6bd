// End-to-end tests for `hooktool replay`: captures come from a real `hooktool listen
// --capture` (fed by `hooktool send` or by httplib::Client), from `send --save`, or are
// written here by hand; replays go to a second `hooktool listen --json` (whose verdict is
// the oracle for signatures), to the in-test e2e::Receiver (exact bytes, headers, order), or
// through the printed `--as-curl` commands run by bash and a real curl.
//
// Every wait is bounded: on a child's exit, on a listener's stdout line (condition
// variable), or on the receiver's request count. Nothing sleeps to synchronise.

#include "background.hpp"
#include "flawed_handler.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <thread>
#include <utility>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_replay {

namespace {

using e2e::Background;
using e2e::json_lines;
using e2e::listen_record;
using e2e::ProcessResult;
using e2e::read_file;
using e2e::Receiver;
using e2e::start_listen;
using e2e::TempDir;
using e2e::write_file;
using e2e::ref::b64decode;
using e2e::ref::b64encode;
using e2e::ref::hex;
using e2e::ref::hmac;
using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace std::string_literals;

// ---------------------------------------------------------------------------------------
// Secrets

const std::string kStripe = "whsec_replayStripeSecret42";
const std::string kGithub = "gh-replay-secret";
const std::string kGithubOther = "gh-replay-rotated-secret";
const std::string kShopify = "shpss_replay_secret";
const std::string kTwilio = "twilio_replay_token_0123456789ab";
const std::string kSlack = "slack_replay_signing_secret_77";
const std::string kStandard = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // base64 of 24 bytes

// `--secret provider=SECRET` for every provider (standard= covers svix too), then `extra`.
std::vector<std::string> all_listen_secrets(const std::vector<std::string>& extra = {}) {
  return e2e::secret_flags({{"stripe", kStripe},
                            {"github", kGithub},
                            {"shopify", kShopify},
                            {"twilio", kTwilio},
                            {"slack", kSlack},
                            {"standard", kStandard}},
                           extra);
}

// ---------------------------------------------------------------------------------------
// Small utilities

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

long long now_s() {
  return static_cast<long long>(std::time(nullptr));
}

// Complete lines of a file (the last one too, even without a newline).
std::vector<std::string> file_lines(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line))
    if (!line.empty())
      out.push_back(line);
  return out;
}

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  for (const auto& line : file_lines(path))
    out.push_back(json::parse(line));
  return out;
}

// The exact body bytes of a capture record ("body" or "body_base64").
std::string body_of(const json& rec) {
  if (rec.contains("body_base64") && rec["body_base64"].is_string())
    return b64decode(rec["body_base64"].get<std::string>());
  return rec.at("body").get<std::string>();
}

std::vector<std::string> header_values(const json& rec, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& h : rec.at("headers"))
    if (lower(h.at(0).get<std::string>()) == lower(name))
      out.push_back(h.at(1).get<std::string>());
  return out;
}

std::string header_of(const json& rec, const std::string& name) {
  const auto v = header_values(rec, name);
  if (v.size() != 1)
    throw std::runtime_error("expected exactly one '" + name + "' header in " + rec.dump());
  return v.front();
}

bool hop_by_hop(const std::string& name) {
  static const std::set<std::string> kHop{
      "host", "content-length", "connection", "keep-alive",       "transfer-encoding",
      "te",   "trailer",        "upgrade",    "proxy-connection", "expect"};
  return kHop.contains(lower(name));
}

// End-to-end headers as a multiset of (lower-case name, value).
std::multiset<std::pair<std::string, std::string>> end_to_end(const json& rec) {
  std::multiset<std::pair<std::string, std::string>> out;
  for (const auto& h : rec.at("headers"))
    if (!hop_by_hop(h.at(0).get<std::string>()))
      out.emplace(lower(h.at(0).get<std::string>()), h.at(1).get<std::string>());
  return out;
}

// The headers a receiver got on the wire: httplib's server also lists the socket addresses
// as pseudo-headers (REMOTE_ADDR, REMOTE_PORT, LOCAL_ADDR, LOCAL_PORT), which differ by connection.
std::vector<e2e::NameValue> wire_headers(const e2e::ReceivedRequest& r, bool drop_host = false) {
  std::vector<e2e::NameValue> out;
  for (const auto& h : r.headers) {
    if (h.first == "REMOTE_ADDR" || h.first == "REMOTE_PORT" || h.first == "LOCAL_ADDR" ||
        h.first == "LOCAL_PORT")
      continue;
    if (drop_host && e2e::iequals(h.first, "Host"))
      continue;
    out.push_back(h);
  }
  return out;
}

std::string show(const std::multiset<std::pair<std::string, std::string>>& hs) {
  std::string s;
  for (const auto& [k, v] : hs)
    s += "  " + k + ": " + v + "\n";
  return s;
}

// ---------------------------------------------------------------------------------------
// Processes

ProcessResult ht(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 15s) {
  return e2e::hooktool(args, timeout);
}

ProcessResult run_bash(const std::string& script) {
  e2e::ProcessOptions o;
  o.timeout = 15s;
  return e2e::run_process("/bin/bash", {"-c", script}, o);
}

std::string at(int port, const std::string& path = "") {
  return "127.0.0.1:" + std::to_string(port) + path;
}
std::string at(const Background& l, const std::string& path = "") {
  return at(l.port(), path);
}
std::string at(const Receiver& r, const std::string& path = "") {
  return at(r.port(), path);
}

std::string verdict(const json& rec) {
  return rec.at("verification").at("status").get<std::string>();
}

// `send PROVIDER EVENT --to TARGET --secret S --save FILE` (no listener needed).
void send_save(const std::string& provider, const std::string& event, const std::string& to,
               const std::string& secret, const std::string& save,
               std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"send",     provider, event,    "--to", to,
                                "--secret", secret,   "--save", save};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = ht(args);
  if (r.exit_code != 0)
    throw std::runtime_error("send failed: " + r.describe());
}

// One capture line written here (nlohmann escapes it correctly).
std::string capture_line(const std::string& id, const std::string& method, const std::string& path,
                         const std::string& query,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, bool as_base64,
                         const std::string& received_at = "2026-01-01T00:00:00.000Z") {
  json j;
  j["id"] = id;
  j["received_at"] = received_at;
  j["method"] = method;
  j["path"] = path;
  j["query"] = query;
  j["headers"] = json::array();
  for (const auto& [k, v] : headers)
    j["headers"].push_back(json::array({k, v}));
  if (as_base64)
    j["body_base64"] = b64encode(body);
  else
    j["body"] = body;
  j["remote"] = "127.0.0.1:1";
  j["provider"] = nullptr;
  j["event_type"] = nullptr;
  j["event_id"] = nullptr;
  j["verification"] = {{"status", "unsigned"}, {"reason", ""}};
  j["response"] = {{"status", 200}, {"duration_ms", 0}};
  return j.dump() + "\n";
}

// A loopback server whose answers carry a counter: same status, different bodies.
class CountingServer {
public:
  CountingServer() {
    srv_.Post(".*", [this](const httplib::Request&, httplib::Response& res) {
      const int n = ++count_;
      res.status = 200;
      res.set_content("handled #" + std::to_string(n) + "\n", "text/plain");
    });
    port_ = e2e::serve_on_loopback(srv_, thread_, "counting server");
  }
  CountingServer(const CountingServer&) = delete;
  CountingServer& operator=(const CountingServer&) = delete;
  ~CountingServer() {
    srv_.stop();
    if (thread_.joinable())
      thread_.join();
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int count() const { return count_.load(); }

private:
  httplib::Server srv_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> count_{0};
};

// =======================================================================================
// 1. listen --capture → replay → listen again, for every provider

struct RoundTripCase {
  std::string provider;
  std::string event;
  std::string send_secret;
  std::vector<std::string> signature_headers; // must arrive with identical values
};

std::ostream& operator<<(std::ostream& os, const RoundTripCase& c) {
  return os << c.provider;
}

class ReplayRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(ReplayRoundTrip, SameMethodPathBytesAndSignatureHeadersVerifyValidAtASecondListener) {
  const auto& p = GetParam();
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l1 = start_listen(all_listen_secrets({"--capture", cap, "--json"}));
  auto l2 = start_listen(all_listen_secrets({"--json"}));

  const auto sent = ht({"send", p.provider, p.event, "--to", at(*l1, "/hooks/in?src=e2e"),
                        "--secret", p.send_secret});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto caps = read_jsonl(cap);
  ASSERT_EQ(caps.size(), 1u);
  const auto& original = caps[0];
  ASSERT_EQ(verdict(original), "valid") << original.dump();

  const auto r = ht({"replay", cap, "--to", at(*l2)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto got = listen_record(*l2, 1);

  EXPECT_EQ(got["method"], original["method"]);
  EXPECT_EQ(got["path"], "/hooks/in");
  EXPECT_EQ(got["query"], "src=e2e");
  EXPECT_EQ(body_of(got), body_of(original)) << "body bytes changed";
  EXPECT_EQ(got["provider"], original["provider"]);
  EXPECT_EQ(got["event_type"], original["event_type"]);
  EXPECT_EQ(got["event_id"], original["event_id"]);
  for (const auto& name : p.signature_headers) {
    const auto before = header_values(original, name);
    ASSERT_FALSE(before.empty()) << name << " missing from the capture";
    EXPECT_EQ(header_values(got, name), before) << name;
  }
  // Every end-to-end header arrives as captured, and nothing is added (no curl defaults).
  EXPECT_EQ(end_to_end(got), end_to_end(original)) << "replayed:\n"
                                                   << show(end_to_end(got)) << "captured:\n"
                                                   << show(end_to_end(original));
  EXPECT_EQ(header_of(got, "Host"), at(*l2)) << "Host must be the new target's";
  EXPECT_EQ(verdict(got), "valid") << got.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Providers, ReplayRoundTrip,
    ::testing::Values(
        RoundTripCase{"stripe", "invoice.paid", kStripe, {"Stripe-Signature"}},
        RoundTripCase{"github",
                      "push",
                      kGithub,
                      {"X-Hub-Signature-256", "X-Hub-Signature", "X-GitHub-Delivery"}},
        RoundTripCase{"shopify",
                      "orders/create",
                      kShopify,
                      {"X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id"}},
        RoundTripCase{
            "slack", "slash_command", kSlack, {"X-Slack-Signature", "X-Slack-Request-Timestamp"}},
        RoundTripCase{"standard",
                      "invoice.paid",
                      kStandard,
                      {"webhook-id", "webhook-timestamp", "webhook-signature"}},
        RoundTripCase{
            "svix", "invoice.paid", kStandard, {"svix-id", "svix-timestamp", "svix-signature"}}),
    [](const ::testing::TestParamInfo<RoundTripCase>& param) { return param.param.provider; });

// Twilio signs the URL: the same bytes sent to another port no longer verify.
TEST(ReplayTwilio, ReplayToAnotherPortIsInvalidWithoutResignAndValidWithResign) {
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l1 = start_listen({"--secret", "twilio=" + kTwilio, "--capture", cap, "--json"});
  auto l2 = start_listen({"--secret", "twilio=" + kTwilio, "--json"});
  const auto sent =
      ht({"send", "twilio", "message.incoming", "--to", at(*l1, "/sms"), "--secret", kTwilio});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto original = read_jsonl(cap).at(0);
  ASSERT_EQ(verdict(original), "valid") << original.dump();
  const auto sig = header_of(original, "X-Twilio-Signature");

  // Without --resign: identical bytes and signature, but the URL differs → invalid.
  auto r = ht({"replay", cap, "--to", at(*l2)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto plain = listen_record(*l2, 1);
  EXPECT_EQ(plain["path"], "/sms");
  EXPECT_EQ(body_of(plain), body_of(original));
  EXPECT_EQ(header_of(plain, "X-Twilio-Signature"), sig);
  EXPECT_EQ(verdict(plain), "invalid") << plain.dump();

  // With --resign: signed again for the URL the replay goes to → valid; ids and body kept.
  r = ht({"replay", cap, "--to", at(*l2), "--resign", "--secret", "twilio=" + kTwilio});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto resigned = listen_record(*l2, 2);
  EXPECT_EQ(verdict(resigned), "valid") << resigned.dump();
  EXPECT_NE(header_of(resigned, "X-Twilio-Signature"), sig);
  EXPECT_EQ(body_of(resigned), body_of(original));
  EXPECT_EQ(header_of(resigned, "I-Twilio-Idempotency-Token"),
            header_of(original, "I-Twilio-Idempotency-Token"));
  EXPECT_EQ(resigned["event_id"], original["event_id"]);
}

TEST(ReplayTwilio, OriginalSignatureVerifiesWhenTheReceiverKnowsTheSignedUrl) {
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l1 = start_listen({"--secret", "twilio=" + kTwilio, "--capture", cap, "--json"});
  // The second listener is told the public URL the sender signed (the first listener's).
  auto l2 = start_listen(
      {"--secret", "twilio=" + kTwilio, "--json", "--public-url", "http://" + at(*l1)});
  const auto sent =
      ht({"send", "twilio", "call.incoming", "--to", at(*l1, "/voice"), "--secret", kTwilio});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto original = read_jsonl(cap).at(0);
  const auto r = ht({"replay", cap, "--to", at(*l2)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto got = listen_record(*l2, 1);
  EXPECT_EQ(header_of(got, "X-Twilio-Signature"), header_of(original, "X-Twilio-Signature"));
  EXPECT_EQ(verdict(got), "valid") << got.dump();
}

// =======================================================================================
// 2. Bytes survive capture → replay exactly

TEST(ReplayBytes, NonUtf8AndBinaryBodiesSurviveListenCaptureAndReplayByteForByte) {
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l1 = start_listen({"--capture", cap, "--json"});
  const std::vector<std::pair<std::string, std::string>> bodies{
      {"\xff\xfe\x00"
       "abc"s,
       "application/octet-stream"},
      {"{\"name\":\"caf\xe9\",\"lone\":\"\x80\"}", "application/json"},
      {"nul\0inside valid UTF-8 \xc3\xbc"s, "text/plain"},
      {"ends with CR\r", "text/plain"},
      {"trailing newlines\n\n", "text/plain"},
  };
  httplib::Client cli("127.0.0.1", l1->port());
  cli.set_connection_timeout(5, 0);
  cli.set_read_timeout(5, 0);
  for (const auto& [body, type] : bodies) {
    const auto res = cli.Post("/raw?x=1", body, type.c_str());
    ASSERT_TRUE(res) << "post failed: " << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200);
  }
  const auto caps = read_jsonl(cap);
  ASSERT_EQ(caps.size(), bodies.size());
  EXPECT_TRUE(caps[0].contains("body_base64")) << "a non-UTF-8 body must be stored as base64";

  Receiver rx;
  const auto r = ht({"replay", cap, "--to", at(rx)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(rx.wait_for(bodies.size(), 5s));
  const auto got = rx.requests();
  ASSERT_EQ(got.size(), bodies.size());
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    SCOPED_TRACE("body #" + std::to_string(i));
    EXPECT_EQ(got[i].method, "POST");
    EXPECT_EQ(got[i].target, "/raw?x=1");
    EXPECT_EQ(got[i].body, bodies[i].first)
        << "expected hex " << hex(bodies[i].first) << " got " << hex(got[i].body);
    EXPECT_EQ(got[i].header("Content-Type").value_or("<none>"), bodies[i].second);
  }
}

TEST(ReplayBytes, TwilioFormBodySurvivesSendListenCaptureAndReplayByteForByte) {
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  const auto sent_file = dir.file("sent.jsonl");
  auto l1 = start_listen({"--secret", "twilio=" + kTwilio, "--capture", cap});
  // --save records what send put on the wire: the reference bytes.
  send_save("twilio", "message.incoming", at(*l1, "/sms"), kTwilio, sent_file);
  const auto original = body_of(read_jsonl(sent_file).at(0));
  ASSERT_NE(original.find('&'), std::string::npos) << "expected a form body: " << original;
  ASSERT_NE(original.find('%'), std::string::npos) << "expected percent-escapes: " << original;
  const auto captured = read_jsonl(cap).at(0);
  ASSERT_EQ(body_of(captured), original);

  Receiver rx;
  const auto r = ht({"replay", cap, "--to", at(rx)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(rx.wait_for(1, 5s));
  const auto got = rx.requests().at(0);
  EXPECT_EQ(got.body, original);
  EXPECT_EQ(got.path, "/sms");
  EXPECT_EQ(got.header("Content-Type"), header_of(captured, "Content-Type"));
  EXPECT_EQ(got.header("X-Twilio-Signature"), header_of(captured, "X-Twilio-Signature"));
}

// =======================================================================================
// 3. --resign for schemes with a replay window

struct ResignCase {
  std::string provider;
  std::string event;
  std::string send_secret;
  std::string resign_secret_arg; // as given to replay --secret
  std::string timestamp_header;  // empty: Stripe's t= in Stripe-Signature
  std::string signature_header;
  std::string id_header; // must be kept identical; empty: the id is in the body
};

std::ostream& operator<<(std::ostream& os, const ResignCase& c) {
  return os << c.provider;
}

long long signed_timestamp(const json& rec, const ResignCase& c) {
  if (!c.timestamp_header.empty())
    return std::stoll(header_of(rec, c.timestamp_header));
  static const std::regex kT("(?:^|,)t=([0-9]+)");
  std::smatch m;
  const auto h = header_of(rec, "Stripe-Signature");
  if (!std::regex_search(h, m, kT))
    throw std::runtime_error("no t= in " + h);
  return std::stoll(m[1].str());
}

class ReplayResign : public ::testing::TestWithParam<ResignCase> {};

TEST_P(ReplayResign, StaleCaptureIsExpiredWithAWarningAndValidAfterResignWithIdsKept) {
  const auto& c = GetParam();
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l1 = start_listen(all_listen_secrets({"--capture", cap, "--json"}));
  auto l2 = start_listen(all_listen_secrets({"--json"}));

  const auto sent = ht({"send", c.provider, c.event, "--to", at(*l1, "/hook"), "--secret",
                        c.send_secret, "--age", "3600"});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto original = read_jsonl(cap).at(0);
  ASSERT_EQ(verdict(original), "expired") << original.dump();
  const auto old_ts = signed_timestamp(original, c);

  // Without --resign: same bytes, still expired, and replay warns and suggests --resign.
  auto r = ht({"replay", cap, "--to", at(*l2)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("--resign"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.describe();
  const auto stale = listen_record(*l2, 1);
  EXPECT_EQ(verdict(stale), "expired") << stale.dump();
  EXPECT_EQ(header_of(stale, c.signature_header), header_of(original, c.signature_header));

  // With --resign: fresh timestamp, valid, every id and the body kept.
  r = ht({"replay", cap, "--to", at(*l2), "--resign", "--secret", c.resign_secret_arg});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto fresh = listen_record(*l2, 2);
  EXPECT_EQ(verdict(fresh), "valid") << fresh.dump();
  EXPECT_EQ(body_of(fresh), body_of(original));
  EXPECT_EQ(fresh["event_id"], original["event_id"]);
  ASSERT_FALSE(original["event_id"].is_null());
  if (!c.id_header.empty()) {
    EXPECT_EQ(header_values(fresh, c.id_header), header_values(original, c.id_header));
  }
  const auto new_ts = signed_timestamp(fresh, c);
  EXPECT_GT(new_ts, old_ts + 3000);
  EXPECT_LE(std::llabs(new_ts - now_s()), 60);
  EXPECT_NE(header_of(fresh, c.signature_header), header_of(original, c.signature_header));
  EXPECT_EQ(header_values(fresh, c.signature_header).size(), 1u) << "signature header duplicated";
}

INSTANTIATE_TEST_SUITE_P(
    WindowedSchemes, ReplayResign,
    ::testing::Values(ResignCase{"stripe", "invoice.paid", kStripe, "stripe=" + kStripe, "",
                                 "Stripe-Signature", ""},
                      ResignCase{"slack", "app_mention", kSlack, kSlack,
                                 "X-Slack-Request-Timestamp", "X-Slack-Signature", ""},
                      ResignCase{"standard", "invoice.paid", kStandard, "standard=" + kStandard,
                                 "webhook-timestamp", "webhook-signature", "webhook-id"},
                      ResignCase{"svix", "payment.failed", kStandard, "svix=" + kStandard,
                                 "svix-timestamp", "svix-signature", "svix-id"}),
    [](const ::testing::TestParamInfo<ResignCase>& param) { return param.param.provider; });

// GitHub has no timestamp: --resign recomputes the HMACs with the given (rotated) secret.
TEST(ReplayResignGithub, ResignRecomputesBothSignaturesWithTheNewSecretKeepingTheDeliveryId) {
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l1 = start_listen({"--secret", "github=" + kGithub, "--capture", cap});
  auto l2 = start_listen({"--secret", "github=" + kGithubOther, "--json"});
  const auto sent = ht({"send", "github", "push", "--to", at(*l1, "/gh"), "--secret", kGithub});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto original = read_jsonl(cap).at(0);

  auto r = ht({"replay", cap, "--to", at(*l2)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(verdict(listen_record(*l2, 1)), "invalid");

  r = ht({"replay", cap, "--to", at(*l2), "--resign", "--secret", "github=" + kGithubOther});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto got = listen_record(*l2, 2);
  EXPECT_EQ(verdict(got), "valid") << got.dump();
  const auto body = body_of(got);
  EXPECT_EQ(body, body_of(original));
  EXPECT_EQ(header_of(got, "X-GitHub-Delivery"), header_of(original, "X-GitHub-Delivery"));
  EXPECT_EQ(header_of(got, "X-Hub-Signature-256"),
            "sha256=" + hex(hmac(EVP_sha256(), kGithubOther, body)));
  EXPECT_EQ(header_of(got, "X-Hub-Signature"), "sha1=" + hex(hmac(EVP_sha1(), kGithubOther, body)))
      << "the legacy sha1 header must be re-signed too, not left stale";
}

// =======================================================================================
// 4. Selection

class ReplaySelect : public ::testing::Test {
protected:
  void SetUp() override {
    cap_ = dir_.file("cap.jsonl");
    Receiver origin;
    send_save("stripe", "invoice.paid", at(origin, "/hook"), kStripe, cap_);
    send_save("stripe", "charge.refunded", at(origin, "/hook"), kStripe, cap_);
    send_save("github", "push", at(origin, "/hook"), kGithub, cap_);
    recs_ = read_jsonl(cap_);
    ASSERT_EQ(recs_.size(), 3u) << "send --save must append one record per delivery";
  }

  // Runs replay --json with the selection flags; returns the event types sent, in order.
  std::vector<std::string> select(const std::vector<std::string>& flags, int want_exit = 0,
                                  const std::string& file = "") {
    rx_.clear();
    std::vector<std::string> args{"replay", file.empty() ? cap_ : file, "--to", at(rx_), "--json"};
    args.insert(args.end(), flags.begin(), flags.end());
    last_ = ht(args);
    EXPECT_EQ(last_.exit_code, want_exit) << last_.describe();
    std::vector<std::string> events;
    for (const auto& j : json_lines(last_.out))
      events.push_back(j.at("event").get<std::string>());
    EXPECT_EQ(rx_.count(), events.size()) << "receiver count differs from the report";
    return events;
  }

  using V = std::vector<std::string>;
  TempDir dir_;
  std::string cap_;
  std::vector<json> recs_;
  Receiver rx_;
  ProcessResult last_;
};

TEST_F(ReplaySelect, EventGlobProviderAndIds) {
  EXPECT_EQ(select({"--event", "invoice.*"}), (V{"invoice.paid"}));
  EXPECT_EQ(select({"--event", "*.refunded"}), (V{"charge.refunded"}));
  EXPECT_EQ(select({"--provider", "github"}), (V{"push"}));
  EXPECT_EQ(select({"--provider", "stripe"}), (V{"invoice.paid", "charge.refunded"}));
  // Capture id and provider event id each select one delivery.
  EXPECT_EQ(select({"--id", recs_[1]["id"].get<std::string>()}), (V{"charge.refunded"}));
  EXPECT_EQ(select({"--id", recs_[0]["event_id"].get<std::string>()}), (V{"invoice.paid"}));
  EXPECT_EQ(select({"--id", recs_[2]["event_id"].get<std::string>()}), (V{"push"}));
  EXPECT_EQ(select({"--id", recs_[2]["id"].get<std::string>(), "--id",
                    recs_[0]["event_id"].get<std::string>()}),
            (V{"invoice.paid", "push"}))
      << "repeated --id: file order";
  // The JSON report names the capture id and event id that were sent.
  const auto j = json_lines(last_.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["id"], recs_[0]["id"]);
  EXPECT_EQ(j[1]["event_id"], recs_[2]["event_id"]);
}

TEST_F(ReplaySelect, LastSinceUntilAndCombinations) {
  EXPECT_EQ(select({"--last", "1"}), (V{"push"}));
  EXPECT_EQ(select({"--last", "2"}), (V{"charge.refunded", "push"}));
  EXPECT_EQ(select({"--last", "10"}), (V{"invoice.paid", "charge.refunded", "push"}));
  EXPECT_EQ(select({"--provider", "stripe", "--last", "1"}), (V{"charge.refunded"}))
      << "--last applies to the selected deliveries";
  EXPECT_EQ(select({"--since", "1h"}), (V{"invoice.paid", "charge.refunded", "push"}));
  EXPECT_EQ(select({"--since", "1d", "--event", "charge.*"}), (V{"charge.refunded"}));
  EXPECT_EQ(select({"--until", "2999-01-01T00:00:00Z", "--provider", "github"}), (V{"push"}));
}

TEST_F(ReplaySelect, NothingMatchedExitsOneWithAMessageAndSendsNothing) {
  EXPECT_EQ(select({"--until", "2000-01-01T00:00:00Z"}, 1), V{});
  EXPECT_EQ(rx_.count(), 0u);
  EXPECT_NE(last_.err.find("no delivery"), std::string::npos) << last_.describe();
  EXPECT_NE(last_.err.find("matched"), std::string::npos) << last_.describe();
  EXPECT_EQ(select({"--event", "invoice.*", "--provider", "github"}, 1), V{});
  EXPECT_EQ(select({"--id", "evt_doesNotExist"}, 1), V{});
  EXPECT_EQ(select({"--until", "1h"}, 1), V{}) << "all were received less than 1 h ago";
}

TEST_F(ReplaySelect, SinceAndUntilCompareTheCapturedReceivedAtTime) {
  // Backdate two records; the third stays fresh.
  auto recs = recs_;
  recs[0]["received_at"] = "2001-01-01T00:00:00.000Z";
  recs[1]["received_at"] = "2010-06-01T12:00:00.000Z";
  const auto file = dir_.file("dated.jsonl");
  std::string text;
  for (const auto& r : recs)
    text += r.dump() + "\n";
  write_file(file, text);
  EXPECT_EQ(select({"--since", "2005-01-01T00:00:00Z", "--until", "2015-01-01T00:00:00Z"}, 0, file),
            (V{"charge.refunded"}));
  EXPECT_EQ(select({"--until", "2005-01-01T00:00:00Z"}, 0, file), (V{"invoice.paid"}));
  EXPECT_EQ(select({"--since", "1d"}, 0, file), (V{"push"}));
  EXPECT_EQ(
      select({"--since", "2000-01-01T00:00:00Z", "--provider", "stripe", "--last", "1"}, 0, file),
      (V{"charge.refunded"}));
}

// =======================================================================================
// 5. --times, idempotency, --concurrency

class ReplayTimes : public ::testing::Test {
protected:
  void SetUp() override {
    cap_ = dir_.file("cap.jsonl");
    Receiver origin;
    send_save("stripe", "invoice.paid", at(origin, "/hook"), kStripe, cap_);
  }
  TempDir dir_;
  std::string cap_;
};

TEST_F(ReplayTimes, TimesThreeSendsThreeByteIdenticalCopiesOfAConsistentHandlerWithoutFlag) {
  Receiver rx;
  const auto r = ht({"replay", cap_, "--to", at(rx), "--times", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.find("not idempotent"), std::string::npos) << r.describe();
  ASSERT_TRUE(rx.wait_for(3, 5s));
  const auto got = rx.requests();
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t i = 1; i < got.size(); ++i) {
    EXPECT_EQ(got[i].body, got[0].body);
    EXPECT_EQ(got[i].target, got[0].target);
    EXPECT_EQ(wire_headers(got[i]), wire_headers(got[0])) << "copy " << i << " differs";
  }
  const auto saved = read_jsonl(cap_).at(0);
  EXPECT_EQ(got[0].body, body_of(saved));
  EXPECT_EQ(got[0].header("Stripe-Signature"), header_of(saved, "Stripe-Signature"));
}

TEST_F(ReplayTimes, HandlerAnswering200Then500Then200IsFlaggedNotIdempotent) {
  Receiver rx({200, 500, 200});
  auto r = ht({"replay", cap_, "--to", at(rx), "--times", "3"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("not idempotent"), std::string::npos) << r.describe();
  EXPECT_EQ(rx.count(), 3u);

  rx.set_statuses({200, 500, 200});
  rx.clear();
  r = ht({"replay", cap_, "--to", at(rx), "--times", "3", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 1u) << r.describe();
  EXPECT_EQ(j[0]["idempotent"], false);
  EXPECT_EQ(j[0]["statuses"], json::array({200, 500, 200}));
  EXPECT_EQ(j[0]["ok"], false) << "a 500 fails the default 2xx expectation";
}

TEST_F(ReplayTimes, DifferentResponseBodiesForCopiesAreNotAFinding) {
  // "handled #1" then "handled #2": bodies differ, statuses agree. Normal for a correct handler.
  CountingServer srv;
  const auto r = ht({"replay", cap_, "--to", at(srv.port()), "--times", "2", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(srv.count(), 2);
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["idempotent"], true);
  EXPECT_EQ(j[0]["statuses"], json::array({200, 200}));
  // It says what it compared, and what it could not.
  const auto compared = j[0].value("compared", "");
  EXPECT_NE(compared.find("status codes of 2 copies (200 ×2)"), std::string::npos) << compared;
  EXPECT_NE(compared.find("side effects not compared"), std::string::npos) << compared;
}

// A correct handler that answers {"received":true} and then 409 {"duplicate":true}.
TEST_F(ReplayTimes, Conflict409ForTheCopyIsADocumentedDuplicateAnswer) {
  e2e::FlawedHandler h("conflict-409", "stripe", kStripe);
  auto r = ht({"replay", cap_, "--to", h.to(), "--times", "2", "--probe", h.probe(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << h.describe();
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 1u) << r.describe();
  EXPECT_EQ(j[0]["statuses"], json::array({200, 409}));
  EXPECT_EQ(j[0]["idempotent"], true);
  EXPECT_EQ(j[0]["ok"], true);
  EXPECT_NE(j[0].value("note", "").find("409"), std::string::npos) << r.out;
  EXPECT_NE(j[0].value("compared", "").find("probe (0 -> 1)"), std::string::npos) << r.out;
}

// A racy handler: 2xx for every copy, but the side effect ran once per copy.
TEST_F(ReplayTimes, ProbeGrowingByMoreThanOneDeliveryIsNotIdempotentEvenWithEqualAnswers) {
  e2e::FlawedHandler racy("double-process", "stripe", kStripe);
  auto r = ht({"replay", cap_, "--to", racy.to(), "--times", "5", "--concurrency", "5", "--probe",
               racy.probe()});
  EXPECT_EQ(r.exit_code, 1) << r.describe() << racy.describe();
  EXPECT_NE(r.out.find("200 ×5"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("not idempotent: the probe grew by 5"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("probe (0 -> 5)"), std::string::npos) << r.describe();

  // The same drill against a correct handler: processed once.
  e2e::FlawedHandler fine("correct", "stripe", kStripe);
  r = ht({"replay", cap_, "--to", fine.to(), "--times", "5", "--concurrency", "5", "--probe",
          fine.probe()});
  EXPECT_EQ(r.exit_code, 0) << r.describe() << fine.describe();
  EXPECT_NE(r.out.find("idempotent: compared the status codes of 5 copies (200 ×5) and the "
                       "probe (0 -> 1)"),
            std::string::npos)
      << r.describe();
}

TEST_F(ReplayTimes, FiveHundredForTheDuplicateIsNotIdempotent) {
  e2e::FlawedHandler h("duplicate-500", "stripe", kStripe);
  const auto r = ht({"replay", cap_, "--to", h.to(), "--times", "2", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 1u) << r.describe();
  EXPECT_EQ(j[0]["idempotent"], false);
  EXPECT_NE(j[0].value("idempotency_issue", "").find("2xx and another 5xx"), std::string::npos)
      << r.out;
}

TEST_F(ReplayTimes, ManyCopiesAreSummarisedOnOneLine) {
  Receiver rx;
  const auto r = ht({"replay", cap_, "--to", at(rx), "--times", "60", "--concurrency", "8"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.describe(); // the delivery, then the idempotency line
  EXPECT_NE(lines[0].find("  200 ×60  "), std::string::npos) << r.describe();
  EXPECT_EQ(lines[0].find("200 200"), std::string::npos) << r.describe();
}

TEST_F(ReplayTimes, DelayWaitsBetweenCopies) {
  Receiver rx;
  const auto start = std::chrono::steady_clock::now();
  const auto r = ht({"replay", cap_, "--to", at(rx), "--times", "3", "--delay", "250"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx.count(), 3u);
  // Two waits of 250 ms between three copies: a lower bound, never an upper one.
  EXPECT_GE(elapsed, std::chrono::milliseconds(500));
}

TEST_F(ReplayTimes, ProbeThatPrintsNoNumberIsAUsageError) {
  Receiver rx;
  const auto r = ht({"replay", cap_, "--to", at(rx), "--times", "2", "--probe", "echo none"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--probe: the probe printed no number"), std::string::npos) << r.describe();
  EXPECT_EQ(rx.count(), 0u);
}

TEST_F(ReplayTimes, ConcurrencyThreeTimesThreeSendsThreeAtOnceAndStillFlagsDifferingAnswers) {
  // Consistent handler: 3 copies, exit 0, idempotent.
  Receiver rx;
  auto r = ht({"replay", cap_, "--to", at(rx), "--times", "3", "--concurrency", "3", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx.count(), 3u);
  auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["idempotent"], true);
  EXPECT_EQ(j[0]["statuses"].size(), 3u);

  // The second answer differs: flagged whichever copy got it.
  Receiver flaky({200, 500, 200});
  r = ht({"replay", cap_, "--to", at(flaky), "--times", "3", "--concurrency", "3", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(flaky.count(), 3u);
  j = json_lines(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["idempotent"], false);
}

TEST_F(ReplayTimes, ConcurrencyThreeHasAllThreeCopiesInFlightTogether) {
  Receiver rx;
  rx.hold_path("/hook", 10s); // every request waits in the handler until released
  Background replay(e2e::kHooktool,
                    {"replay", cap_, "--to", at(rx), "--times", "3", "--concurrency", "3"});
  const bool all_in_flight = rx.wait_for(3, 5s);
  rx.release();
  const auto st = replay.wait_exit(10s);
  EXPECT_TRUE(all_in_flight) << "only " << rx.count() << " of 3 copies were in flight at once";
  EXPECT_EQ(st.exit_code, 0) << replay.describe();
}

// =======================================================================================
// 6. Target path, query and headers

class ReplayTarget : public ::testing::Test {
protected:
  void SetUp() override {
    cap_ = dir_.file("cap.jsonl");
    Receiver origin;
    send_save("github", "push", at(origin, "/hook?x=1"), kGithub, cap_);
  }
  e2e::ReceivedRequest one(const std::vector<std::string>& flags) {
    rx_.clear();
    std::vector<std::string> args{"replay", cap_};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto r = ht(args);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    if (!rx_.wait_for(1, 5s) || rx_.count() != 1)
      throw std::runtime_error("expected exactly one request: " + r.describe());
    return rx_.requests().at(0);
  }
  TempDir dir_;
  std::string cap_;
  Receiver rx_;
};

TEST_F(ReplayTarget, CapturedPathIsJoinedToTheTargetPathAndTheQueryKept) {
  EXPECT_EQ(one({"--to", at(rx_, "/base")}).target, "/base/hook?x=1");
  EXPECT_EQ(one({"--to", at(rx_, "/base/")}).target, "/base/hook?x=1");
  EXPECT_EQ(one({"--to", at(rx_)}).target, "/hook?x=1");
  EXPECT_EQ(one({"--to", "http://" + at(rx_, "/a/b")}).target, "/a/b/hook?x=1");
  const auto both = one({"--to", at(rx_, "/base?k=v")});
  EXPECT_EQ(both.path, "/base/hook");
  EXPECT_EQ(both.query_param("k"), "v");
  EXPECT_EQ(both.query_param("x"), "1");
}

TEST_F(ReplayTarget, KeepPathNoPostsToTheTargetAsGiven) {
  EXPECT_EQ(one({"--to", at(rx_, "/exact"), "--keep-path", "no"}).target, "/exact");
  EXPECT_EQ(one({"--to", at(rx_, "/exact?k=v"), "--keep-path", "no"}).target, "/exact?k=v");
  EXPECT_EQ(one({"--to", at(rx_, "/base"), "--keep-path", "yes"}).target, "/base/hook?x=1");
}

TEST_F(ReplayTarget, HopByHopHeadersAreNotCopiedHostIsTheNewTargetsAndHeaderAddsOrOverrides) {
  const auto file = dir_.file("hop.jsonl");
  const std::string body = "{\"hello\":\"world\"}";
  write_file(file, capture_line("cap_hop", "POST", "/h", "",
                                {{"Host", "evil.example:1"},
                                 {"Content-Length", "999"},
                                 {"Transfer-Encoding", "chunked"},
                                 {"Connection", "close"},
                                 {"Keep-Alive", "timeout=5"},
                                 {"Content-Type", "application/json"},
                                 {"X-Custom", "kept"},
                                 {"X-Override", "old"},
                                 {"X-Dup", "a"},
                                 {"X-Dup", "b"}},
                                body, false));
  rx_.clear();
  const auto r = ht({"replay", file, "--to", at(rx_, "/base"), "--header", "X-Replay: 1",
                     "--header", "X-Override: new"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(rx_.wait_for(1, 5s));
  const auto got = rx_.requests().at(0);
  EXPECT_EQ(got.target, "/base/h");
  EXPECT_EQ(got.body, body);
  EXPECT_EQ(got.header("Host"), at(rx_));
  EXPECT_EQ(got.header_count("Host"), 1u);
  EXPECT_EQ(got.header("Content-Length"), std::to_string(body.size()));
  EXPECT_EQ(got.header_count("Transfer-Encoding"), 0u);
  EXPECT_EQ(got.header_count("Keep-Alive"), 0u);
  EXPECT_NE(got.header("Connection").value_or(""), "close");
  EXPECT_EQ(got.header("Content-Type"), "application/json");
  EXPECT_EQ(got.header("X-Custom"), "kept");
  EXPECT_EQ(got.header("X-Replay"), "1");
  EXPECT_EQ(got.header("X-Override"), "new");
  EXPECT_EQ(got.header_count("X-Override"), 1u);
  ASSERT_EQ(got.header_count("X-Dup"), 2u) << "repeated headers are kept";
  std::vector<std::string> dups;
  for (const auto& [k, v] : got.headers)
    if (e2e::iequals(k, "X-Dup"))
      dups.push_back(v);
  EXPECT_EQ(dups, (std::vector<std::string>{"a", "b"}));
}

TEST_F(ReplayTarget, MethodIsKeptForPutPatchDeleteAndGet) {
  const auto file = dir_.file("methods.jsonl");
  write_file(file, capture_line("cap_put", "PUT", "/put", "", {{"Content-Type", "text/plain"}},
                                "put-body", false) +
                       capture_line("cap_patch", "PATCH", "/patch", "",
                                    {{"Content-Type", "text/plain"}}, "patch-body", false) +
                       capture_line("cap_delete", "DELETE", "/delete", "", {}, "", false) +
                       capture_line("cap_get", "GET", "/get", "a=1&b=two", {}, "", false));
  rx_.clear();
  const auto r = ht({"replay", file, "--to", at(rx_)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(rx_.wait_for(4, 5s));
  const auto got = rx_.requests();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[0].body, "put-body");
  EXPECT_EQ(got[1].method, "PATCH");
  EXPECT_EQ(got[1].body, "patch-body");
  EXPECT_EQ(got[2].method, "DELETE");
  EXPECT_EQ(got[2].body, "");
  EXPECT_EQ(got[3].method, "GET");
  EXPECT_EQ(got[3].target, "/get?a=1&b=two");
}

// The capture is the truth: replay must not add headers it did not have (libcurl adds
// "Content-Type: application/x-www-form-urlencoded" to any request with a body unless told not
// to; the --as-curl path suppresses it, the sending path should too).
TEST_F(ReplayTarget, ReplayDoesNotAddAContentTypeTheCaptureLacked) {
  const auto file = dir_.file("notype.jsonl");
  write_file(file,
             capture_line("cap_notype", "POST", "/n", "", {{"X-Sig", "abc"}}, "a=1&b=2", false) +
                 capture_line("cap_del", "DELETE", "/d", "", {}, "", false));
  rx_.clear();
  const auto r = ht({"replay", file, "--to", at(rx_)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(rx_.wait_for(2, 5s));
  const auto got = rx_.requests();
  EXPECT_EQ(got[0].body, "a=1&b=2");
  EXPECT_EQ(got[0].header("Content-Type"), std::nullopt)
      << "replay added Content-Type: " << got[0].header("Content-Type").value_or("");
  EXPECT_EQ(got[1].header("Content-Type"), std::nullopt)
      << "replay added Content-Type: " << got[1].header("Content-Type").value_or("");
}

// =======================================================================================
// 7. --expect and --json

class ReplayReport : public ::testing::Test {
protected:
  void SetUp() override {
    cap_ = dir_.file("cap.jsonl");
    Receiver origin;
    send_save("stripe", "invoice.paid", at(origin, "/hook"), kStripe, cap_);
    send_save("github", "push", at(origin, "/gh"), kGithub, cap_);
    recs_ = read_jsonl(cap_);
  }
  TempDir dir_;
  std::string cap_;
  std::vector<json> recs_;
};

TEST_F(ReplayReport, JsonPrintsOneObjectPerDeliveryWithTheDocumentedFieldsAndNothingElse) {
  Receiver rx;
  const auto r = ht({"replay", cap_, "--to", at(rx), "--json", "--times", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto lines = e2e::lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.describe();
  ASSERT_EQ(r.out.back(), '\n');
  for (std::size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(lines[i]);
    json j;
    ASSERT_NO_THROW(j = json::parse(lines[i]));
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.at("id"), recs_[i]["id"]);
    EXPECT_EQ(j.at("provider"), recs_[i]["provider"]);
    EXPECT_EQ(j.at("event"), recs_[i]["event_type"]);
    EXPECT_EQ(j.at("event_id"), recs_[i]["event_id"]);
    EXPECT_EQ(j.at("url"), "http://" + at(rx, i == 0 ? "/hook" : "/gh"));
    ASSERT_TRUE(j.at("statuses").is_array());
    EXPECT_EQ(j.at("statuses"), json::array({200, 200}));
    EXPECT_TRUE(j.at("duration_ms").is_number_integer());
    EXPECT_GE(j.at("duration_ms").get<long long>(), 0);
    EXPECT_EQ(j.at("ok"), true);
    EXPECT_EQ(j.at("idempotent"), true);
  }
  EXPECT_EQ(rx.count(), 4u);
}

TEST_F(ReplayReport, ExpectSetsTheExitStatus) {
  Receiver not_found({404});
  auto r = ht({"replay", cap_, "--to", at(not_found), "--json"});
  EXPECT_EQ(r.exit_code, 1) << "404 fails the default 2xx: " << r.describe();
  for (const auto& j : json_lines(r.out))
    EXPECT_EQ(j["ok"], false);

  r = ht({"replay", cap_, "--to", at(not_found), "--json", "--expect", "4xx"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  for (const auto& j : json_lines(r.out)) {
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["statuses"], json::array({404}));
  }
  r = ht({"replay", cap_, "--to", at(not_found), "--expect", "404"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();

  Receiver fine;
  r = ht({"replay", cap_, "--to", at(fine), "--expect", "4xx", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  r = ht({"replay", cap_, "--to", at(fine), "--expect", "2xx"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();

  // Mixed: one delivery fails its expectation → exit 1, the other is still sent.
  Receiver mixed({200, 500});
  r = ht({"replay", cap_, "--to", at(mixed), "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["ok"], true);
  EXPECT_EQ(j[1]["ok"], false);
}

TEST_F(ReplayReport, UnreachableTargetIsAFailureWithANullStatus) {
  // A port that was free a moment ago: bind a receiver, note its port, let it go.
  int port = 0;
  {
    Receiver gone;
    port = gone.port();
  }
  const auto r = ht({"replay", cap_, "--to", at(port), "--json", "--timeout", "5"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto j = json_lines(r.out);
  ASSERT_EQ(j.size(), 2u) << r.describe();
  EXPECT_EQ(j[0]["statuses"], json::array({nullptr}));
  EXPECT_EQ(j[0]["ok"], false);
}

// =======================================================================================
// 8. Malformed captures

class ReplayMalformed : public ::testing::Test {
protected:
  void SetUp() override {
    const auto good = dir_.file("good.jsonl");
    Receiver origin;
    for (int i = 0; i < 3; ++i)
      send_save("stripe", "invoice.paid", at(origin, "/hook"), kStripe, good);
    good_ = file_lines(good);
    ASSERT_EQ(good_.size(), 3u);
  }
  ProcessResult replay(const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"replay", file, "--to", at(rx_)};
    args.insert(args.end(), extra.begin(), extra.end());
    return ht(args);
  }
  TempDir dir_;
  std::vector<std::string> good_;
  Receiver rx_;
};

TEST_F(ReplayMalformed, LineThreeNotJsonExitsTwoNamingFileAndLineAndSendsNothing) {
  const auto file = dir_.file("bad.jsonl");
  write_file(file, good_[0] + "\n" + good_[1] + "\n{this is not json\n" + good_[2] + "\n");
  const auto r = replay(file);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find(file + ":3:"), std::string::npos) << r.describe();
  EXPECT_EQ(e2e::lines_of(r.err).size(), 1u) << "one clear line: " << r.describe();
  EXPECT_EQ(rx_.count(), 0u) << "nothing may be sent before the file is validated";
}

TEST_F(ReplayMalformed, SkipBadSendsTheGoodOnesAndCountsTheSkipped) {
  const auto file = dir_.file("bad.jsonl");
  write_file(file, good_[0] + "\n" + good_[1] + "\n{this is not json\n[1,2]\n" + good_[2] + "\n");
  const auto r = replay(file, {"--skip-bad"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx_.count(), 3u);
  EXPECT_NE(r.err.find(file + ":3:"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find(file + ":4:"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("2 malformed"), std::string::npos) << r.describe();

  // All bad: nothing to send → exit 1, and the skipped count is in the message.
  const auto all_bad = dir_.file("allbad.jsonl");
  write_file(all_bad, "nope\n{\"id\":1}\n");
  rx_.clear();
  const auto r2 = replay(all_bad, {"--skip-bad"});
  EXPECT_EQ(r2.exit_code, 1) << r2.describe();
  EXPECT_NE(r2.err.find("2 malformed"), std::string::npos) << r2.describe();
  EXPECT_EQ(rx_.count(), 0u);
}

TEST_F(ReplayMalformed, TruncatedLastLineIsReportedAsTruncated) {
  const auto file = dir_.file("trunc.jsonl");
  write_file(file, good_[0] + "\n" + good_[1].substr(0, 100)); // cut mid-record, no newline
  const auto r = replay(file);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find(file + ":2:"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.describe();
  EXPECT_EQ(rx_.count(), 0u);
}

TEST_F(ReplayMalformed, CompleteLastLineWithoutNewlineAndBlankLinesAreFine) {
  const auto file = dir_.file("ok.jsonl");
  write_file(file, good_[0] + "\n\n   \n" + good_[1] + "\r\n" + good_[2]); // no final newline
  const auto r = replay(file);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx_.count(), 3u);
}

TEST_F(ReplayMalformed, LineNumbersCountBlankLines) {
  const auto file = dir_.file("blank.jsonl");
  write_file(file, good_[0] + "\n\n{broken\n");
  const auto r = replay(file);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find(file + ":3:"), std::string::npos) << r.describe();
}

TEST_F(ReplayMalformed, MissingFileExitsTwo) {
  const auto file = dir_.file("does-not-exist.jsonl");
  const auto r = replay(file);
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find(file), std::string::npos) << r.describe();
  EXPECT_EQ(rx_.count(), 0u);
}

TEST_F(ReplayMalformed, MissingOrWrongFieldsAndBadBase64NameTheLine) {
  struct Case {
    std::string what;
    std::function<void(json&)> edit;
    std::string needle;
  };
  const std::vector<Case> cases{
      {"no headers", [](json& j) { j.erase("headers"); }, "\"headers\""},
      {"headers not pairs", [](json& j) { j["headers"] = json::array({"X-A: 1"}); }, "headers"},
      {"no id", [](json& j) { j.erase("id"); }, "\"id\""},
      {"no method", [](json& j) { j.erase("method"); }, "\"method\""},
      {"no body", [](json& j) { j.erase("body"); }, "\"body\""},
      {"bad base64",
       [](json& j) {
         j.erase("body");
         j["body_base64"] = "@@not base64@@";
       },
       "base64"},
      {"bad received_at", [](json& j) { j["received_at"] = "yesterday"; }, "received_at"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto j = json::parse(good_[1]);
    c.edit(j);
    const auto file = dir_.file("field.jsonl");
    write_file(file, good_[0] + "\n" + j.dump() + "\n" + good_[2] + "\n");
    rx_.clear();
    const auto r = replay(file);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_NE(r.err.find(file + ":2:"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << r.describe();
    EXPECT_EQ(rx_.count(), 0u);
  }
}

// =======================================================================================
// 9. send --save → replay without listen

TEST(ReplaySendSave, SavedDeliveryReplaysWithIdenticalBytesAndHeaders) {
  TempDir dir;
  const auto saved = dir.file("s.jsonl");
  Receiver first;
  Receiver second;
  send_save("stripe", "invoice.paid", at(first, "/hook"), kStripe, saved);
  send_save("shopify", "orders/paid", at(first, "/shop?x=1"), kShopify, saved);
  ASSERT_TRUE(first.wait_for(2, 5s));
  const auto r = ht({"replay", saved, "--to", at(second)});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(second.wait_for(2, 5s));
  const auto a = first.requests();
  const auto b = second.requests();
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE("delivery " + std::to_string(i));
    EXPECT_EQ(b[i].method, a[i].method);
    EXPECT_EQ(b[i].target, a[i].target);
    EXPECT_EQ(b[i].body, a[i].body);
    EXPECT_EQ(wire_headers(b[i], true), wire_headers(a[i], true));
    EXPECT_EQ(b[i].header("Host"), at(second));
  }

  // And the saved signature still verifies at a listener.
  auto l2 = start_listen({"--secret", "stripe=" + kStripe, "--json"});
  const auto r2 = ht({"replay", saved, "--to", at(*l2), "--provider", "stripe"});
  ASSERT_EQ(r2.exit_code, 0) << r2.describe();
  EXPECT_EQ(verdict(listen_record(*l2, 1)), "valid");
}

// =======================================================================================
// 10. --as-curl

bool have_curl() {
  return run_bash("command -v curl >/dev/null").exit_code == 0;
}

class ReplayCurl : public ::testing::Test {
protected:
  void SetUp() override {
    if (!have_curl())
      GTEST_SKIP() << "curl is not installed";
  }
  TempDir dir_;
  Receiver rx_;
};

struct CurlCase {
  std::string id;
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool base64;
};

TEST_F(ReplayCurl, PrintedCommandsRunByBashReproduceTheExactBytesAndHeaders) {
  const std::vector<CurlCase> cases{
      {"cap_text",
       "POST",
       "/curl/a",
       "x=1&y=%20z",
       {{"Content-Type", "application/json"},
        {"X-Quote", "it's \"quoted\" \\ back"},
        {"X-Unicode", "caf\xc3\xa9"},
        {"X-Dup", "a"},
        {"X-Dup", "b"}},
       "{\"msg\":\"line1\nline2 it's \\\"q\\\" \\\\ back\\\\slash\",\n \"\xc3\xbc\":\"\xe2\x82\xac"
       "\xf0\x9f\x98\x80\"}\n\t$HOME `id` $(id) !x %s \x01\x7f\r\n",
       false},
      {"cap_latin1",
       "PUT",
       "/curl/b",
       "",
       {{"Content-Type", "application/octet-stream"}},
       "\xff\xfe\x80"
       "abc\x1b[0m'\"\\ \xe9t\xe9",
       true},
      {"cap_nul",
       "POST",
       "/curl/c",
       "",
       {{"Content-Type", "application/octet-stream"}},
       "\x00\x01"
       "bin\x00"
       "ary\n\xff"s,
       true},
      {"cap_notype", "POST", "/curl/d", "", {{"X-Sig", "s"}}, "a=1&b=2", false},
  };
  const auto file = dir_.file("cap.jsonl");
  std::string text;
  for (const auto& c : cases)
    text += capture_line(c.id, c.method, c.path, c.query, c.headers, c.body, c.base64);
  write_file(file, text);
  const auto curl_dir = dir_.file("bodies");
  fs::create_directory(curl_dir);

  const auto r = ht({"replay", file, "--as-curl", "--to", at(rx_), "--curl-dir", curl_dir});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx_.count(), 0u) << "--as-curl prints, it does not send";
  EXPECT_NE(r.out.find("curl "), std::string::npos) << r.out;

  // The NUL body went to a file referenced with --data-binary @file.
  const auto body_file = curl_dir + "/hooktool-body-cap_nul.bin";
  ASSERT_TRUE(fs::exists(body_file)) << r.out;
  EXPECT_EQ(read_file(body_file), cases[2].body);
  struct stat st {};
  ASSERT_EQ(::stat(body_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(r.out.find("--data-binary @"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hooktool-body-cap_nul.bin"), std::string::npos) << r.out;

  const auto ran = run_bash(r.out);
  ASSERT_EQ(ran.exit_code, 0) << "bash ran:\n" << r.out << "\n" << ran.describe();
  ASSERT_TRUE(rx_.wait_for(cases.size(), 5s));
  const auto got = rx_.requests();
  ASSERT_EQ(got.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    SCOPED_TRACE(c.id);
    EXPECT_EQ(got[i].method, c.method);
    EXPECT_EQ(got[i].target, c.path + (c.query.empty() ? "" : "?" + c.query));
    EXPECT_EQ(got[i].body, c.body)
        << "expected hex " << hex(c.body) << "\n     got hex " << hex(got[i].body);
    for (const auto& [name, value] : c.headers) {
      if (name == "X-Dup")
        continue;
      EXPECT_EQ(got[i].header(name), value) << name;
    }
    EXPECT_EQ(got[i].header_count("Expect"), 0u);
    EXPECT_EQ(got[i].header("Host"), at(rx_));
  }
  EXPECT_EQ(got[0].header_count("X-Dup"), 2u);
  EXPECT_EQ(got[3].header("Content-Type"), std::nullopt)
      << "curl must not add its form default Content-Type";
}

TEST_F(ReplayCurl, WithoutToTheCommandTargetsTheOriginalUrl) {
  const auto saved = dir_.file("s.jsonl");
  Receiver origin;
  send_save("github", "push", at(origin, "/orig?z=9"), kGithub, saved);
  ASSERT_TRUE(origin.wait_for(1, 5s));
  const auto r = ht({"replay", saved, "--as-curl", "--curl-dir", dir_.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("http://" + at(origin, "/orig?z=9")), std::string::npos) << r.out;
  const auto ran = run_bash(r.out);
  ASSERT_EQ(ran.exit_code, 0) << ran.describe();
  ASSERT_TRUE(origin.wait_for(2, 5s));
  const auto got = origin.requests();
  EXPECT_EQ(got[1].target, "/orig?z=9");
  EXPECT_EQ(got[1].body, got[0].body);
  EXPECT_EQ(got[1].header("X-Hub-Signature-256"), got[0].header("X-Hub-Signature-256"));
}

TEST_F(ReplayCurl, CurlReplayOfAStripeCaptureVerifiesValidAtAListener) {
  const auto cap = dir_.file("cap.jsonl");
  auto l1 = start_listen({"--secret", "stripe=" + kStripe, "--capture", cap});
  auto l2 = start_listen({"--secret", "stripe=" + kStripe, "--json"});
  const auto sent =
      ht({"send", "stripe", "invoice.payment_failed", "--to", at(*l1, "/s"), "--secret", kStripe});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto original = read_jsonl(cap).at(0);
  const auto r =
      ht({"replay", cap, "--as-curl", "--to", at(*l2), "--curl-dir", dir_.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto ran = run_bash(r.out);
  ASSERT_EQ(ran.exit_code, 0) << ran.describe();
  const auto got = listen_record(*l2, 1);
  EXPECT_EQ(body_of(got), body_of(original));
  EXPECT_EQ(header_of(got, "Stripe-Signature"), header_of(original, "Stripe-Signature"));
  EXPECT_EQ(verdict(got), "valid") << got.dump();
}

// Running --as-curl twice into the same --curl-dir must leave each body file holding the body
// once (the file is written, not appended to).
TEST_F(ReplayCurl, RunningAsCurlTwiceLeavesTheNulBodyFileExact) {
  const auto file = dir_.file("nul.jsonl");
  const std::string body = "\x00zero\x00"s;
  write_file(file, capture_line("cap_twice", "POST", "/n", "",
                                {{"Content-Type", "application/octet-stream"}}, body, true));
  const auto curl_dir = dir_.path().string();
  auto r = ht({"replay", file, "--as-curl", "--to", at(rx_), "--curl-dir", curl_dir});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  r = ht({"replay", file, "--as-curl", "--to", at(rx_), "--curl-dir", curl_dir});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(read_file(curl_dir + "/hooktool-body-cap_twice.bin"), body)
      << "the body file was appended to instead of rewritten";
  const auto ran = run_bash(r.out);
  ASSERT_EQ(ran.exit_code, 0) << ran.describe();
  ASSERT_TRUE(rx_.wait_for(1, 5s));
  EXPECT_EQ(rx_.requests().at(0).body, body);
}

// =======================================================================================
// 11. Usage errors

TEST(ReplayUsage, BadFlagsExitTwoAndSendNothing) {
  TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  Receiver origin;
  send_save("stripe", "invoice.paid", at(origin, "/hook"), kStripe, cap);
  send_save("standard", "invoice.paid", at(origin, "/hook"), kStandard, cap);
  Receiver rx;
  const std::string to = at(rx);
  const std::vector<std::vector<std::string>> cases{
      {"replay", cap},                         // neither --to nor --as-curl
      {"replay", cap, "--to", to, "--resign"}, // --resign without a secret
      {"replay", cap, "--to", to, "--since", "yesterday"},
      {"replay", cap, "--to", to, "--until", "soon"},
      {"replay", cap, "--to", to, "--keep-path", "maybe"},
      {"replay", cap, "--to", to, "--times", "0"},
      {"replay", cap, "--to", to, "--concurrency", "0"},
      {"replay", cap, "--to", to, "--last", "0"},
      {"replay", cap, "--to", to, "--provider", "nosuchprovider"},
      {"replay", cap, "--to", to, "--expect", "sometimes"},
      {"replay", cap, "--to", to, "--header", "no colon here"},
      {"replay", cap, "--to", to, "--provider", "stripe", "--resign", "--secret",
       "github=" + kGithub}, // a secret for another provider only
      {"replay", cap, "--to", to, "--provider", "standard", "--resign", "--secret",
       "standard=whsec_%%%not-base64%%%"},
      {"replay", "--to", to},                      // no file
      {"replay", dir.path().string(), "--to", to}, // a directory
  };
  for (const auto& args : cases) {
    std::string shown;
    for (const auto& a : args)
      shown += a + " ";
    SCOPED_TRACE(shown);
    const auto r = ht(args);
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_FALSE(r.err.empty());
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(rx.count(), 0u) << "a usage error must not send anything";
}

} // namespace

} // namespace e2e_replay
