// End-to-end tests for `hooktool listen`: the built binary runs in the background on
// --port 0 and is driven by `hooktool send`, by requests signed here with OpenSSL alone,
// by httplib::Client and by a raw socket. Every wait is bounded; waits are on the
// listener's output (condition variable), on a child's exit, or on a polled file.

#include "background.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <gtest/gtest.h>
#include <httplib.h>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <thread>
#include <tuple>
#include <unistd.h>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_listen {

namespace {

using e2e::Background;
using e2e::json_lines;
using e2e::listen_record;
using e2e::ProcessResult;
using e2e::Receiver;
using e2e::start_listen;
using e2e::Stream;
using e2e::TempDir;
using e2e::ref::b64decode;
using e2e::ref::b64encode;
using e2e::ref::hex;
using e2e::ref::hmac_sha256;
using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------
// Secrets used throughout

const std::string kStripe = "whsec_listenStripeSecret42";
const std::string kGithub = "gh-listen-secret";
const std::string kShopify = "shpss_listen_secret";
const std::string kTwilio = "twilio_auth_token_0123456789abcd";
const std::string kSlack = "slack_signing_secret_8f7e6d";
const std::string kStandard = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // base64 of 24 bytes
const std::string kGeneric = "generic-listen-secret";

long long now_s() {
  return static_cast<long long>(std::time(nullptr));
}

// ---------------------------------------------------------------------------------------
// Processes

std::string addr(const Background& l, const std::string& path = "/hook") {
  return "127.0.0.1:" + std::to_string(l.port()) + path;
}

// `hooktool send P E --to 127.0.0.1:PORT/path --json ARGS…`
ProcessResult send(const Background& l, const std::string& provider, const std::string& event,
                   const std::vector<std::string>& extra = {}, const std::string& path = "/hook") {
  std::vector<std::string> argv{"send", provider, event, "--to", addr(l, path), "--json"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return e2e::hooktool(argv);
}

std::string str_or_empty(const json& j) {
  return j.is_string() ? j.get<std::string>() : "";
}

// First value of a header in a capture record (case-insensitive).
std::string header_of(const json& rec, const std::string& name) {
  for (const auto& h : rec.at("headers"))
    if (e2e::iequals(h.at(0).get<std::string>(), name))
      return h.at(1).get<std::string>();
  return {};
}

// ---------------------------------------------------------------------------------------
// HTTP from the test itself

std::unique_ptr<httplib::Client> client(int port) {
  auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(5, 0);
  c->set_write_timeout(5, 0);
  c->set_keep_alive(false);
  return c;
}

// A TCP connection to 127.0.0.1:port whose sends and receives time out after `timeout_s`
// seconds; the caller closes the descriptor.
int connect_loopback(int port, std::time_t timeout_s) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  timeval tv{timeout_s, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  return fd;
}

// Writes raw bytes on a fresh TCP connection. With read_reply, returns the response head
// (up to the blank line; bounded by a 3 s receive timeout), else closes at once.
std::string raw_exchange(int port, const std::string& bytes, bool read_reply = true) {
  const int fd = connect_loopback(port, 3);
  (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  while (read_reply && got.find("\r\n\r\n") == std::string::npos) {
    const auto r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0)
      break; // EOF, error, or the receive timeout
    got.append(buf, static_cast<std::size_t>(r));
  }
  ::close(fd);
  return got;
}

// A plain listening socket on a free loopback port (no SO_REUSEPORT), closed on scope exit.
class PlainPortHolder {
public:
  PlainPortHolder() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(fd_, 8) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
      throw std::runtime_error("cannot hold a loopback port");
    port_ = ntohs(sa.sin_port);
  }
  PlainPortHolder(const PlainPortHolder&) = delete;
  PlainPortHolder& operator=(const PlainPortHolder&) = delete;
  ~PlainPortHolder() { ::close(fd_); }
  [[nodiscard]] int port() const { return port_; }

private:
  int fd_ = -1;
  int port_ = 0;
};

// The SHA-256 fingerprint (AA:BB:…) of the certificate a TLS server presents.
std::string served_fingerprint(int port) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        &SSL_CTX_free);
  if (!ctx)
    throw std::runtime_error("SSL_CTX_new failed");
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  const int fd = connect_loopback(port, 5);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
  SSL_set_fd(ssl.get(), fd);
  std::string out;
  if (SSL_connect(ssl.get()) == 1) {
    X509* cert = SSL_get1_peer_certificate(ssl.get());
    if (cert != nullptr) {
      unsigned char md[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      X509_digest(cert, EVP_sha256(), md, &len);
      char b[4];
      for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(b, sizeof b, "%02X", md[i]);
        out += (i == 0 ? "" : ":");
        out += b;
      }
      X509_free(cert);
    }
    SSL_shutdown(ssl.get());
  }
  ::close(fd);
  return out;
}

// ---------------------------------------------------------------------------------------
// Files

std::size_t newline_count(const std::string& path) {
  const auto text = e2e::read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Every line of a capture file, parsed; fails the test on a torn or invalid line.
std::vector<json> capture_records(const std::string& path) {
  const auto text = e2e::read_file(path);
  std::vector<json> out;
  if (!text.empty()) {
    EXPECT_EQ(text.back(), '\n') << "capture file ends in a partial line";
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos)
      nl = text.size();
    const auto line = text.substr(pos, nl - pos);
    const auto j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line.substr(0, 200);
    if (!j.is_discarded())
      out.push_back(j);
    pos = nl + 1;
  }
  return out;
}

// Polls a file's line count (allowed wait: bounded loop with a short interval).
bool wait_file_lines(const std::string& path, std::size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (newline_count(path) >= n)
      return true;
    std::this_thread::sleep_for(2ms);
  }
  return newline_count(path) >= n;
}

// `--secret provider=SECRET` for every provider but generic, then `extra`.
std::vector<std::string> all_secrets(const std::vector<std::string>& extra = {}) {
  return e2e::secret_flags({{"stripe", kStripe},
                            {"github", kGithub},
                            {"shopify", kShopify},
                            {"twilio", kTwilio},
                            {"slack", kSlack},
                            {"standard", kStandard}},
                           extra);
}

// =======================================================================================
// 1. send → listen for every provider

TEST(ListenE2E, EveryProviderSentByHooktoolVerifiesValid) {
  auto l = start_listen(all_secrets({"--json"}));
  struct Case {
    std::string provider, event, secret;
  };
  const std::vector<Case> cases{
      {"stripe", "invoice.paid", kStripe},    {"github", "push", kGithub},
      {"shopify", "orders/create", kShopify}, {"twilio", "message.incoming", kTwilio},
      {"slack", "app_mention", kSlack},       {"standard", "user.created", kStandard},
      {"svix", "user.created", kStandard},
  };
  std::size_t n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.provider + " " + c.event);
    const auto s = send(*l, c.provider, c.event, {"--secret", c.secret});
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    const auto sent = json_lines(s.out);
    ASSERT_EQ(sent.size(), 1u) << s.describe();
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(str_or_empty(rec["provider"]), c.provider) << rec.dump();
    EXPECT_EQ(str_or_empty(rec["event_type"]), c.event) << rec.dump();
    EXPECT_FALSE(str_or_empty(rec["event_id"]).empty()) << rec.dump();
    EXPECT_EQ(str_or_empty(rec["event_id"]), sent[0].value("event_id", "")) << rec.dump();
    EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
    EXPECT_EQ(rec["response"]["status"], 200) << rec.dump();
    EXPECT_EQ(rec["method"], "POST");
    EXPECT_EQ(rec["path"], "/hook");
  }
  // Secrets are never echoed in full.
  const auto everything = l->out() + l->err();
  for (const auto& secret : {kStripe, kGithub, kShopify, kTwilio, kSlack, kStandard})
    EXPECT_EQ(everything.find(secret), std::string::npos) << "secret echoed: " << secret;
}

TEST(ListenE2E, GenericProviderForcedVerifiesValid) {
  auto l = start_listen({"--json", "--provider", "generic", "--secret", "generic=" + kGeneric});
  const auto s = send(*l, "generic", "order.created", {"--secret", kGeneric});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["provider"], "generic") << rec.dump();
  EXPECT_EQ(rec["event_type"], "order.created") << rec.dump();
  EXPECT_FALSE(str_or_empty(rec["event_id"]).empty()) << rec.dump();
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();

  // The same delivery to a listener that is not told "generic" is not recognised.
  auto plain = start_listen({"--json", "--secret", "generic=" + kGeneric});
  const auto s2 = send(*plain, "generic", "order.created", {"--secret", kGeneric});
  ASSERT_EQ(s2.exit_code, 0) << s2.describe();
  const auto rec2 = listen_record(*plain, 1);
  EXPECT_TRUE(rec2["provider"].is_null()) << rec2.dump();
  EXPECT_EQ(rec2["verification"]["status"], "unsigned") << rec2.dump();
}

TEST(ListenE2E, TwilioBehindTunnelVerifiesWithPublicUrl) {
  const std::string public_url = "https://tunnel.example.test";
  auto tunnel =
      start_listen({"--json", "--secret", "twilio=" + kTwilio, "--public-url", public_url});
  auto direct = start_listen({"--json", "--secret", "twilio=" + kTwilio});
  for (auto* l : {tunnel.get(), direct.get()}) {
    const auto s = send(*l, "twilio", "message.incoming",
                        {"--secret", kTwilio, "--signing-url", public_url + "/hook?src=tunnel"},
                        "/hook?src=tunnel");
    ASSERT_EQ(s.exit_code, 0) << s.describe();
  }
  const auto via_tunnel = listen_record(*tunnel, 1);
  EXPECT_EQ(via_tunnel["verification"]["status"], "valid") << via_tunnel.dump();
  EXPECT_EQ(via_tunnel["query"], "src=tunnel");
  // Without --public-url the listener only knows http://127.0.0.1:PORT/…: not what was signed.
  const auto without = listen_record(*direct, 1);
  EXPECT_EQ(without["verification"]["status"], "invalid") << without.dump();
}

// =======================================================================================
// 2. Verdicts other than valid

TEST(ListenE2E, TamperedDeliveriesAreInvalidWithReason) {
  auto l = start_listen(all_secrets({"--json"}));
  const std::vector<std::pair<std::string, std::string>> cases{{"stripe", kStripe},
                                                               {"github", kGithub},
                                                               {"shopify", kShopify},
                                                               {"slack", kSlack},
                                                               {"standard", kStandard}};
  const std::map<std::string, std::string> events{{"stripe", "invoice.paid"},
                                                  {"github", "push"},
                                                  {"shopify", "orders/create"},
                                                  {"slack", "app_mention"},
                                                  {"standard", "user.created"}};
  std::size_t n = 0;
  for (const auto& [provider, secret] : cases) {
    for (const std::string tamper : {"signature", "body"}) {
      SCOPED_TRACE(provider + " --tamper " + tamper);
      const auto s =
          send(*l, provider, events.at(provider), {"--secret", secret, "--tamper", tamper});
      // A tampered delivery expects 4xx; the listener answers 200, so send reports failure.
      EXPECT_EQ(s.exit_code, 1) << s.describe();
      const auto rec = listen_record(*l, ++n);
      EXPECT_EQ(rec["provider"], provider) << rec.dump();
      EXPECT_EQ(rec["verification"]["status"], "invalid") << rec.dump();
      const auto reason = str_or_empty(rec["verification"]["reason"]);
      if (provider == "standard")
        // Standard Webhooks words it "no v1 signature matches" (header list semantics).
        EXPECT_NE(reason.find("match"), std::string::npos) << reason;
      else
        EXPECT_NE(reason.find("does not match"), std::string::npos) << reason;
    }
  }
}

TEST(ListenE2E, BackdatedDeliveriesExpireOnTimestampedSchemes) {
  auto l = start_listen(all_secrets({"--json"}));
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"stripe", "invoice.paid", kStripe},
      {"slack", "app_mention", kSlack},
      {"standard", "user.created", kStandard}};
  std::size_t n = 0;
  for (const auto& [provider, event, secret] : cases) {
    SCOPED_TRACE(provider);
    const auto s = send(*l, provider, event, {"--secret", secret, "--age", "3600"});
    EXPECT_EQ(s.exit_code, 0) << s.describe(); // the listener still answers 200
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(rec["verification"]["status"], "expired") << rec.dump();
    EXPECT_FALSE(str_or_empty(rec["verification"]["reason"]).empty()) << rec.dump();
  }
  // Within the window (--age 60 < 300 s) the same schemes are valid.
  for (const auto& [provider, event, secret] : cases) {
    SCOPED_TRACE(provider + " --age 60");
    const auto s = send(*l, provider, event, {"--secret", secret, "--age", "60"});
    EXPECT_EQ(s.exit_code, 0) << s.describe();
    EXPECT_EQ(listen_record(*l, ++n)["verification"]["status"], "valid");
  }
}

TEST(ListenE2E, ToleranceFlagWidensTheWindow) {
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe, "--tolerance", "7200"});
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--age", "3600"});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_EQ(listen_record(*l, 1)["verification"]["status"], "valid");
}

TEST(ListenE2E, WrongSecretIsInvalid) {
  auto l = start_listen(all_secrets({"--json"}));
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"stripe", "invoice.paid", "whsec_notTheRightOne"},
      {"github", "push", "wrong"},
      {"twilio", "message.incoming", "wrong-token"},
      {"standard", "user.created", "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}};
  std::size_t n = 0;
  for (const auto& [provider, event, secret] : cases) {
    SCOPED_TRACE(provider);
    const auto s = send(*l, provider, event, {"--secret", secret});
    EXPECT_EQ(s.exit_code, 0) << s.describe();
    const auto rec = listen_record(*l, ++n);
    EXPECT_EQ(rec["verification"]["status"], "invalid") << rec.dump();
    EXPECT_FALSE(str_or_empty(rec["verification"]["reason"]).empty());
  }
}

TEST(ListenE2E, SecretFilesKeepSecretsOffTheCommandLine) {
  TempDir dir;
  const auto stripe = dir.write("stripe.secret", "stripe=" + kStripe + "\n");
  const auto github = dir.write("github.secret", "github=" + kGithub + "\n");
  auto l = start_listen({"--json", "--secret-file", stripe, "--secret-file", github});
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  ASSERT_EQ(send(*l, "github", "push", {"--secret", kGithub}).exit_code, 0);
  EXPECT_EQ(listen_record(*l, 1)["verification"]["status"], "valid");
  EXPECT_EQ(listen_record(*l, 2)["verification"]["status"], "valid");
  const auto missing =
      e2e::hooktool({"listen", "--port", "0", "--secret-file", "/nonexistent/secret"});
  EXPECT_EQ(missing.exit_code, 2) << missing.describe();
}

TEST(ListenE2E, NoSecretForProviderIsUnverifiedAndPlainPostIsUnsigned) {
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe});
  const auto s = send(*l, "github", "push", {"--secret", kGithub});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["provider"], "github") << rec.dump();
  EXPECT_EQ(rec["verification"]["status"], "unverified") << rec.dump();

  // A plain POST with no provider headers.
  auto c = client(l->port());
  const auto res = c->Post("/plain", R"({"hello":"world"})", "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  const auto rec2 = listen_record(*l, 2);
  EXPECT_TRUE(rec2["provider"].is_null()) << rec2.dump();
  EXPECT_EQ(rec2["verification"]["status"], "unsigned") << rec2.dump();
  EXPECT_EQ(rec2["body"], R"({"hello":"world"})");
  EXPECT_EQ(rec2["path"], "/plain");

  // And the same with curl, as a user would do it, when curl is installed.
  if (::access("/usr/bin/curl", X_OK) == 0) {
    const auto r = e2e::run_process("/usr/bin/curl", {"-sS", "--max-time", "5", "-o", "/dev/null",
                                                      "-w", "%{http_code}", "-X", "POST", "-H",
                                                      "Content-Type: application/json", "-d",
                                                      "{\"a\":1}", "http://" + addr(*l, "/curl")});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "200");
    const auto rec3 = listen_record(*l, 3);
    EXPECT_EQ(rec3["verification"]["status"], "unsigned") << rec3.dump();
    EXPECT_EQ(rec3["path"], "/curl");
  }
}

// =======================================================================================
// 3. Requests signed independently in the test

TEST(ListenE2E, IndependentlySignedStripeIsValidAndRotationIsAccepted) {
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe});
  auto c = client(l->port());
  const std::string body =
      R"({"id":"evt_indep_1","object":"event","type":"invoice.paid","data":{"object":{}}})";
  const auto ts = std::to_string(now_s());
  const auto v1 = hex(hmac_sha256(kStripe, ts + "." + body));
  httplib::Headers h{{"Stripe-Signature", "t=" + ts + ",v1=" + v1}};
  auto res = c->Post("/stripe", h, body, "application/json; charset=utf-8");
  ASSERT_TRUE(res);
  auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["provider"], "stripe");
  EXPECT_EQ(rec["event_type"], "invoice.paid");
  EXPECT_EQ(rec["event_id"], "evt_indep_1");
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  EXPECT_EQ(rec["body"], body);

  // Secret rotation: a wrong v1 first and the right one second is still valid.
  const auto old_v1 = hex(hmac_sha256("whsec_oldSecret", ts + "." + body));
  httplib::Headers h2{{"Stripe-Signature", "t=" + ts + ",v1=" + old_v1 + ",v1=" + v1}};
  res = c->Post("/stripe", h2, body, "application/json");
  ASSERT_TRUE(res);
  rec = listen_record(*l, 2);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();

  // Only the old one: invalid.
  httplib::Headers h3{{"Stripe-Signature", "t=" + ts + ",v1=" + old_v1}};
  res = c->Post("/stripe", h3, body, "application/json");
  ASSERT_TRUE(res);
  rec = listen_record(*l, 3);
  EXPECT_EQ(rec["verification"]["status"], "invalid") << rec.dump();

  // A future timestamp passes for Stripe (window is into the past only).
  const auto future = std::to_string(now_s() + 3600);
  httplib::Headers h4{{"Stripe-Signature",
                       "t=" + future + ",v1=" + hex(hmac_sha256(kStripe, future + "." + body))}};
  res = c->Post("/stripe", h4, body, "application/json");
  ASSERT_TRUE(res);
  rec = listen_record(*l, 4);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
}

TEST(ListenE2E, IndependentlySignedGithubIsValid) {
  auto l = start_listen({"--json", "--secret", "github=" + kGithub});
  auto c = client(l->port());
  const std::string body = R"({"ref":"refs/heads/main","héllo":"wörld ✓"})";
  httplib::Headers h{{"X-GitHub-Event", "push"},
                     {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
                     {"X-Hub-Signature-256", "sha256=" + hex(hmac_sha256(kGithub, body))}};
  auto res = c->Post("/gh", h, body, "application/json");
  ASSERT_TRUE(res);
  auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["provider"], "github");
  EXPECT_EQ(rec["event_type"], "push") << rec.dump();
  EXPECT_EQ(rec["event_id"], "72d3162e-cc78-11e3-81ab-4c9367dc0958") << rec.dump();
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();

  // The legacy sha1 header alone does not make a delivery valid.
  httplib::Headers h2{{"X-GitHub-Event", "push"}, {"X-Hub-Signature", "sha1=0000"}};
  res = c->Post("/gh", h2, body, "application/json");
  ASSERT_TRUE(res);
  rec = listen_record(*l, 2);
  EXPECT_NE(rec["verification"]["status"], "valid") << rec.dump();
}

TEST(ListenE2E, IndependentlySignedStandardWebhooksIsValid) {
  auto l = start_listen({"--json", "--secret", "standard=" + kStandard});
  auto c = client(l->port());
  const auto key = b64decode(kStandard.substr(6));
  const std::string body =
      R"({"type":"user.created","timestamp":"2024-01-01T00:00:00Z","data":{"id":"u_1"}})";
  const std::string id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  const auto ts = std::to_string(now_s());
  const auto sig = b64encode(hmac_sha256(key, id + "." + ts + "." + body));
  // A list: an unknown version and a wrong v1 before the right one.
  httplib::Headers h{{"webhook-id", id},
                     {"webhook-timestamp", ts},
                     {"webhook-signature", "v1a,AAAA v1,bm90IHRoZSBzaWduYXR1cmU= v1," + sig}};
  auto res = c->Post("/std", h, body, "application/json");
  ASSERT_TRUE(res);
  auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["provider"], "standard") << rec.dump();
  EXPECT_EQ(rec["event_type"], "user.created") << rec.dump();
  EXPECT_EQ(rec["event_id"], id) << rec.dump();
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();

  // Standard's window is also into the future: +3600 s is expired.
  const auto future = std::to_string(now_s() + 3600);
  httplib::Headers h2{
      {"webhook-id", id},
      {"webhook-timestamp", future},
      {"webhook-signature", "v1," + b64encode(hmac_sha256(key, id + "." + future + "." + body))}};
  res = c->Post("/std", h2, body, "application/json");
  ASSERT_TRUE(res);
  rec = listen_record(*l, 2);
  EXPECT_EQ(rec["verification"]["status"], "expired") << rec.dump();
}

// =======================================================================================
// 4. Duplicates

TEST(ListenE2E, DuplicatesAreFlaggedWithSeenCountAndFirstId) {
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe});
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--duplicate", "3"});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  ASSERT_EQ(json_lines(s.out).size(), 3u);
  const auto r1 = listen_record(*l, 1);
  const auto r2 = listen_record(*l, 2);
  const auto r3 = listen_record(*l, 3);
  EXPECT_FALSE(r1.contains("duplicate")) << r1.dump();
  ASSERT_TRUE(r2.contains("duplicate")) << r2.dump();
  ASSERT_TRUE(r3.contains("duplicate")) << r3.dump();
  EXPECT_EQ(r2["duplicate"]["seen"], 2);
  EXPECT_EQ(r3["duplicate"]["seen"], 3);
  EXPECT_EQ(r2["duplicate"]["first_id"], r1["id"]);
  EXPECT_EQ(r3["duplicate"]["first_id"], r1["id"]);
  EXPECT_EQ(r1["event_id"], r2["event_id"]);
  EXPECT_NE(r1["id"], r2["id"]);
  // The identical delivery: same bytes, same signature.
  EXPECT_EQ(r1["body"], r3["body"]);
  EXPECT_EQ(header_of(r1, "Stripe-Signature"), header_of(r3, "Stripe-Signature"));
  for (const auto& r : {r1, r2, r3})
    EXPECT_EQ(r["verification"]["status"], "valid");

  // A different event is not a duplicate.
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  EXPECT_FALSE(listen_record(*l, 4).contains("duplicate"));
}

TEST(ListenE2E, QuietModeMarksDuplicates) {
  auto l = start_listen({"-q", "--secret", "stripe=" + kStripe});
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--duplicate", "2"});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  ASSERT_TRUE(l->wait_for_lines(Stream::out, 2, 10s)) << l->describe();
  const auto lines = l->lines(Stream::out);
  ASSERT_EQ(lines.size(), 2u) << l->describe(); // one line per delivery
  EXPECT_EQ(lines[0].find("dup#"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("dup#2"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("valid"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("invoice.paid"), std::string::npos) << lines[1];
}

// =======================================================================================
// 5. Capture file

TEST(ListenE2E, CaptureFileHasDocumentedFormat) {
  TempDir dir;
  const auto cap = dir.file("captures.jsonl");
  auto l = start_listen({"-q", "--capture", cap, "--secret", "stripe=" + kStripe});

  // (a) A signed delivery from hooktool send.
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe});
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  // Written before the response: the line is on disk as soon as the sender has its answer.
  EXPECT_EQ(newline_count(cap), 1u);

  struct stat st {};
  ASSERT_EQ(::stat(cap.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << std::oct << (st.st_mode & 0777);

  // (b) A body that is not UTF-8.
  auto c = client(l->port());
  const std::string binary("\xff\xfe\x00"
                           "abc",
                           6);
  auto res = c->Post("/bin?x=1&y=two%20words", binary, "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(newline_count(cap), 2u);

  // (c) Header name case and repeated headers, with another method.
  httplib::Headers h;
  h.emplace("X-MiXeD-Case", "1");
  h.emplace("X-Rep", "one");
  h.emplace("X-Rep", "two");
  res = c->Put("/mixed/path", h, "plain text", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(newline_count(cap), 3u);

  const auto recs = capture_records(cap);
  ASSERT_EQ(recs.size(), 3u);
  const std::regex rfc3339(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(Z|[+-]\d{2}:\d{2})$)");
  const std::regex remote(R"(^127\.0\.0\.1:\d+$)");
  std::set<std::string> ids;
  for (const auto& r : recs) {
    SCOPED_TRACE(r.dump().substr(0, 300));
    for (const char* k : {"id", "received_at", "method", "path", "query", "headers", "remote",
                          "provider", "event_type", "event_id", "verification", "response"})
      EXPECT_TRUE(r.contains(k)) << "missing " << k;
    EXPECT_TRUE(r.contains("body") != r.contains("body_base64"))
        << "exactly one of body/body_base64";
    ASSERT_TRUE(r["id"].is_string());
    ids.insert(r["id"].get<std::string>());
    EXPECT_TRUE(std::regex_match(r["received_at"].get<std::string>(), rfc3339)) << r["received_at"];
    EXPECT_TRUE(std::regex_match(r["remote"].get<std::string>(), remote)) << r["remote"];
    ASSERT_TRUE(r["headers"].is_array());
    for (const auto& pair : r["headers"]) {
      ASSERT_TRUE(pair.is_array());
      ASSERT_EQ(pair.size(), 2u);
      EXPECT_TRUE(pair[0].is_string() && pair[1].is_string());
    }
    ASSERT_TRUE(r["verification"].is_object());
    EXPECT_TRUE(r["verification"].contains("status"));
    EXPECT_TRUE(r["verification"].contains("reason"));
    ASSERT_TRUE(r["response"].is_object());
    EXPECT_EQ(r["response"]["status"], 200);
    EXPECT_TRUE(r["response"]["duration_ms"].is_number_integer());
  }
  EXPECT_EQ(ids.size(), 3u) << "capture ids are unique";

  // (a)
  EXPECT_EQ(recs[0]["method"], "POST");
  EXPECT_EQ(recs[0]["path"], "/hook");
  EXPECT_EQ(recs[0]["query"], "");
  EXPECT_EQ(recs[0]["provider"], "stripe");
  EXPECT_EQ(recs[0]["event_type"], "invoice.paid");
  EXPECT_EQ(recs[0]["event_id"], json_lines(s.out).at(0)["event_id"]);
  EXPECT_EQ(recs[0]["verification"]["status"], "valid");
  EXPECT_FALSE(header_of(recs[0], "Stripe-Signature").empty());
  // (b)
  EXPECT_EQ(recs[1]["path"], "/bin");
  EXPECT_EQ(recs[1]["query"], "x=1&y=two%20words");
  EXPECT_FALSE(recs[1].contains("body")) << recs[1].dump();
  ASSERT_TRUE(recs[1].contains("body_base64")) << recs[1].dump();
  EXPECT_EQ(b64decode(recs[1]["body_base64"].get<std::string>()), binary);
  EXPECT_TRUE(recs[1]["provider"].is_null());
  EXPECT_EQ(recs[1]["verification"]["status"], "unsigned");
  // (c)
  EXPECT_EQ(recs[2]["method"], "PUT");
  EXPECT_EQ(recs[2]["path"], "/mixed/path");
  EXPECT_EQ(recs[2]["body"], "plain text");
  int mixed = 0;
  std::multiset<std::string> reps;
  for (const auto& pair : recs[2]["headers"]) {
    const auto name = pair[0].get<std::string>();
    if (name == "X-MiXeD-Case" && pair[1] == "1")
      ++mixed;
    if (e2e::iequals(name, "X-Rep"))
      reps.insert(pair[1].get<std::string>());
  }
  EXPECT_EQ(mixed, 1) << "header name case kept: " << recs[2]["headers"].dump();
  EXPECT_EQ(reps, (std::multiset<std::string>{"one", "two"})) << recs[2]["headers"].dump();

  // A second listener appends to the same file instead of truncating it.
  l.reset();
  auto l2 = start_listen({"-q", "--capture", cap});
  res = client(l2->port())->Post("/again", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(newline_count(cap), 4u);
  const auto recs2 = capture_records(cap);
  ASSERT_EQ(recs2.size(), 4u);
  EXPECT_EQ(recs2[0]["id"], recs[0]["id"]);
  EXPECT_EQ(recs2[3]["path"], "/again");
}

// =======================================================================================
// 6. Burst + SIGTERM: acknowledged deliveries are all on disk

TEST(ListenE2E, BurstThenSigtermKeepsEveryAcknowledgedDelivery) {
  TempDir dir;
  const auto cap = dir.file("burst.jsonl");
  auto l = start_listen({"-q", "--capture", cap, "--delay", "2", "--secret", "stripe=" + kStripe});
  constexpr int kSenders = 4;
  constexpr int kCopies = 200;
  std::vector<ProcessResult> results(kSenders);
  std::vector<std::thread> senders;
  const auto to = addr(*l);
  for (int i = 0; i < kSenders; ++i)
    senders.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] =
          e2e::hooktool({"send", "stripe", "invoice.paid", "--to", to, "--secret", kStripe,
                         "--json", "--duplicate", std::to_string(kCopies), "--timeout", "5"},
                        std::chrono::seconds(30));
    });
  const bool reached = wait_file_lines(cap, 50, 15s);
  const bool signalled = l->send_signal(SIGTERM);
  const auto exit = l->wait_exit(5s);
  for (auto& t : senders)
    t.join();
  ASSERT_TRUE(reached) << "the burst never reached 50 captures: " << l->describe();
  ASSERT_TRUE(signalled);
  EXPECT_FALSE(exit.timed_out) << "listen did not stop within 5 s of SIGTERM";
  EXPECT_EQ(exit.exit_code, 0) << exit.describe() << "\n" << l->err();

  const auto recs = capture_records(cap);
  std::map<std::string, std::size_t> captured_by_event;
  for (const auto& r : recs)
    ++captured_by_event[str_or_empty(r["event_id"])];

  std::size_t acked_total = 0;
  std::size_t reported_total = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    SCOPED_TRACE("sender " + std::to_string(i));
    EXPECT_FALSE(r.timed_out) << r.describe();
    const auto lines = json_lines(r.out);
    reported_total += lines.size();
    EXPECT_EQ(lines.size(), static_cast<std::size_t>(kCopies)) << "every copy is reported";
    std::size_t acked = 0;
    std::string event_id;
    for (const auto& j : lines) {
      event_id = j.value("event_id", "");
      if (j.value("ok", false))
        ++acked;
    }
    acked_total += acked;
    // Each sender sends one event id: its acknowledged copies are all in the capture.
    EXPECT_LE(acked, captured_by_event[event_id]) << "acknowledged but not captured";
  }
  RecordProperty("captured", static_cast<int>(recs.size()));
  RecordProperty("acknowledged", static_cast<int>(acked_total));
  EXPECT_LE(acked_total, recs.size());
  EXPECT_GE(recs.size(), 50u);
  EXPECT_GE(acked_total, 40u);
  // The stop happened mid-burst (otherwise this test would not exercise shutdown).
  EXPECT_LT(acked_total, static_cast<std::size_t>(kSenders * kCopies));
  EXPECT_NE(l->err().find("deliveries"), std::string::npos) << l->err();
}

// =======================================================================================
// 7. Response simulation, as the sender sees it

TEST(ListenE2E, StatusSimulation) {
  auto l = start_listen({"-q", "--status", "503"});
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe});
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  const auto j = json_lines(s.out);
  ASSERT_EQ(j.size(), 1u) << s.describe();
  EXPECT_EQ(j[0]["status"], 503);
  EXPECT_EQ(j[0]["ok"], false);
  // --expect 503 turns it into success.
  EXPECT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--expect", "503"}).exit_code,
            0);
}

TEST(ListenE2E, DelaySimulation) {
  auto l = start_listen({"-q", "--delay", "300"});
  const auto s = send(*l, "github", "push", {"--secret", kGithub});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  const auto j = json_lines(s.out);
  ASSERT_EQ(j.size(), 1u) << s.describe();
  EXPECT_GE(j[0]["duration_ms"].get<long long>(), 300);
  EXPECT_LT(j[0]["duration_ms"].get<long long>(), 5000);
  // A sender with a shorter timeout sees no answer.
  const auto t = send(*l, "github", "push", {"--secret", kGithub, "--timeout", "0.1"});
  EXPECT_EQ(t.exit_code, 1) << t.describe();
  const auto tj = json_lines(t.out);
  ASSERT_EQ(tj.size(), 1u);
  EXPECT_TRUE(tj[0]["status"].is_null()) << tj[0].dump();
}

// A delayed answer waits in a handler thread marked as waiting (net::BlockingScope), so the
// listener starts more threads: 8 deliveries delayed 1 s each, sent at once, take about 1 s,
// not 4 s (two threads, one per core, taking them two at a time).
TEST(ListenE2E, DelayedDeliveriesAreAnsweredInParallel) {
  auto l = start_listen({"-q", "--delay", "1000"});
  const auto start = std::chrono::steady_clock::now();
  const auto s =
      send(*l, "github", "push", {"--secret", kGithub, "--count", "8", "--concurrency", "8"});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_LT(took, std::chrono::milliseconds(3500)) << s.describe();
}

TEST(ListenE2E, FailRateOneAlwaysAnswers500) {
  auto l = start_listen({"-q", "--fail-rate", "1"});
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--duplicate", "3"});
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  const auto j = json_lines(s.out);
  ASSERT_EQ(j.size(), 3u);
  for (const auto& x : j)
    EXPECT_EQ(x["status"], 500);
}

TEST(ListenE2E, FailRateWithSeedIsRepeatable) {
  const auto run = [] {
    auto l = start_listen({"-q", "--fail-rate", "0.5", "--seed", "42"});
    const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--duplicate", "20"});
    std::vector<int> statuses;
    for (const auto& j : json_lines(s.out))
      statuses.push_back(j["status"].is_number() ? j["status"].get<int>() : -1);
    return statuses;
  };
  const auto a = run();
  const auto b = run();
  ASSERT_EQ(a.size(), 20u);
  EXPECT_EQ(a, b) << "same seed, different sequence";
  EXPECT_EQ(std::count(a.begin(), a.end(), 200) + std::count(a.begin(), a.end(), 500), 20);
  EXPECT_GT(std::count(a.begin(), a.end(), 500), 0) << "rate 0.5 never failed in 20";
  EXPECT_GT(std::count(a.begin(), a.end(), 200), 0) << "rate 0.5 always failed in 20";
}

TEST(ListenE2E, ResponseBodyReachesTheClient) {
  auto l = start_listen({"-q", "--response-body", R"({"ok":true})", "--status", "202"});
  auto res = client(l->port())->Post("/x", "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(res->body, R"({"ok":true})");
  EXPECT_NE(res->get_header_value("Content-Type").find("application/json"), std::string::npos);
}

// =======================================================================================
// 8. Robustness: --max-body and garbage

TEST(ListenE2E, MaxBodyAnswers413AndKeepsServing) {
  auto l = start_listen({"--json", "--max-body", "1000"});
  auto c = client(l->port());
  auto res = c->Post("/big", std::string(5000, 'a'), "text/plain");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 413);
  ASSERT_TRUE(l->wait_for_text(Stream::err, "413", 5s)) << l->describe();

  // Exactly at the limit is accepted; one byte over is not.
  res = client(l->port())->Post("/edge", std::string(1000, 'b'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client(l->port())->Post("/edge", std::string(1001, 'c'), "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);

  res = client(l->port())->Post("/small", "fine", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  // Only the accepted requests are records.
  const auto r1 = listen_record(*l, 1);
  const auto r2 = listen_record(*l, 2);
  EXPECT_EQ(r1["path"], "/edge");
  EXPECT_EQ(r2["path"], "/small");
  EXPECT_EQ(r2["body"], "fine");
  EXPECT_TRUE(l->running());
}

TEST(ListenE2E, GarbageRequestDoesNotStopTheServer) {
  auto l = start_listen({"--json"});
  const auto reply = raw_exchange(l->port(), "GARBAGE\r\n\r\n");
  if (!reply.empty()) {
    EXPECT_NE(reply.find(" 400 "), std::string::npos) << reply;
  }
  // A bad version with a bad Content-Length; then a body cut short and the connection dropped.
  const auto reply2 = raw_exchange(l->port(), "POST /x HTTP/9.9\r\nContent-Length: zz\r\n\r\n");
  if (!reply2.empty()) {
    EXPECT_EQ(reply2.rfind("HTTP/1.1 4", 0), 0u) << reply2;
  }
  (void)raw_exchange(l->port(), "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nshort",
                     false);
  EXPECT_TRUE(l->running()) << l->describe();
  auto res = client(l->port())->Post("/after", "still here", "text/plain");
  ASSERT_TRUE(res) << l->describe();
  EXPECT_EQ(res->status, 200);
  ASSERT_TRUE(l->wait_for_text(Stream::out, "\"/after\"", 5s)) << l->describe();
}

TEST(ListenE2E, DeeplyNestedJsonBodyDoesNotCrashTheListener) {
  // One '[' per level: a parser or printer that recurses per level runs off the stack.
  for (const auto* mode : {"--json", "--quiet", "--no-color"}) {
    auto l = start_listen({mode, "--secret", "stripe=" + kStripe});
    const std::string body = std::string(300000, '[') + std::string(300000, ']');
    httplib::Headers headers{{"Stripe-Signature", "t=1,v1=00"}};
    auto res = client(l->port())->Post("/deep", headers, body, "application/json");
    ASSERT_TRUE(res) << mode << " " << l->describe();
    EXPECT_EQ(res->status, 200);
    auto after = client(l->port())->Post("/after", "ok", "text/plain");
    ASSERT_TRUE(after) << mode << " " << l->describe();
    EXPECT_TRUE(l->running()) << mode;
  }
}

// =======================================================================================
// 9. Forwarding

TEST(ListenE2E, ForwardRelaysExactBytesAndAnswersWithHandlerStatus) {
  TempDir dir;
  Receiver handler({201});
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe, "--forward-to",
                         "127.0.0.1:" + std::to_string(handler.port())});
  const auto saved = dir.file("sent.jsonl");
  const auto s =
      send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--expect", "201", "--save", saved});
  EXPECT_EQ(s.exit_code, 0) << s.describe() << l->describe();
  ASSERT_TRUE(handler.wait_for(1, 5s));
  const auto got = handler.requests().at(0);
  const auto sent = capture_records(saved);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/hook") << "a bare origin keeps the delivery's path";
  EXPECT_EQ(got.body, sent[0]["body"].get<std::string>()) << "exact body bytes";
  EXPECT_EQ(got.header("Stripe-Signature").value_or(""), header_of(sent[0], "Stripe-Signature"));
  EXPECT_EQ(got.header("User-Agent").value_or(""), header_of(sent[0], "User-Agent"));

  const auto rec = listen_record(*l, 1);
  ASSERT_TRUE(rec.contains("forward")) << rec.dump();
  EXPECT_EQ(rec["forward"]["status"], 201) << rec.dump();
  EXPECT_TRUE(rec["forward"]["error"].is_null()) << rec.dump();
  EXPECT_EQ(rec["response"]["status"], 201);
  EXPECT_EQ(rec["verification"]["status"], "valid");

  // The handler's body reaches the sender; query strings are kept too.
  auto res = client(l->port())->Post("/q?a=1&b=2", "payload", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "ok\n");
  ASSERT_TRUE(handler.wait_for(2, 5s));
  const auto got2 = handler.requests().at(1);
  EXPECT_EQ(got2.path, "/q");
  EXPECT_EQ(got2.query, "a=1&b=2");
  EXPECT_EQ(got2.body, "payload");
}

// --forward-header sets headers on the forwarded request only (replacing the delivery's own
// of that name); the capture keeps what arrived.
TEST(ListenE2E, ForwardHeaderIsSetOnForwardedRequestsOnly) {
  Receiver handler({200});
  auto l = start_listen({"--json", "--secret", "stripe=" + kStripe, "--forward-to",
                         "127.0.0.1:" + std::to_string(handler.port()), "--forward-header",
                         "X-Env: staging", "--forward-header", "user-agent: hooktool-relay"});
  ASSERT_NE(l->wait_for_text(Stream::err, "forwarding", 1s), std::nullopt) << l->describe();
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  ASSERT_TRUE(handler.wait_for(1, 5s));
  const auto got = handler.requests().at(0);
  EXPECT_EQ(got.header("X-Env").value_or(""), "staging");
  EXPECT_EQ(got.header("User-Agent").value_or(""), "hooktool-relay");
  EXPECT_TRUE(got.header("Stripe-Signature")) << "the delivery's own headers are kept";
  const auto rec = e2e::listen_record(*l, 1);
  std::string captured_agent;
  bool captured_env = false;
  for (const auto& h : rec["headers"]) {
    if (h[0] == "User-Agent")
      captured_agent = h[1];
    captured_env = captured_env || h[0] == "X-Env";
  }
  EXPECT_NE(captured_agent.find("Stripe"), std::string::npos) << rec["headers"].dump();
  EXPECT_FALSE(captured_env) << rec["headers"].dump();

  const auto alone = e2e::hooktool({"listen", "--forward-header", "X-Env: staging"});
  EXPECT_EQ(alone.exit_code, 2) << alone.describe();
  const auto framing =
      e2e::hooktool({"listen", "--forward-to", ":1", "--forward-header", "Content-Length: 3"});
  EXPECT_EQ(framing.exit_code, 2) << framing.describe();
  const auto malformed =
      e2e::hooktool({"listen", "--forward-to", ":1", "--forward-header", "no colon"});
  EXPECT_EQ(malformed.exit_code, 2) << malformed.describe();
  EXPECT_NE(malformed.err.find("--forward-header 'no colon'"), std::string::npos) << malformed.err;
}

TEST(ListenE2E, ForwardRoutesByProviderAndEventFilter) {
  Receiver billing({200});
  Receiver fallback({202});
  auto l = start_listen(
      {"--json", "--secret", "stripe=" + kStripe, "--secret", "github=" + kGithub, "--forward-to",
       "stripe:invoice.*=127.0.0.1:" + std::to_string(billing.port()) + "/billing", "--forward-to",
       "127.0.0.1:" + std::to_string(fallback.port())});
  ASSERT_NE(l->wait_for_text(Stream::err, "forwarding", 1s), std::nullopt) << l->describe();

  auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--expect", "200"});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  s = send(*l, "github", "push", {"--secret", kGithub, "--expect", "202"}, "/gh");
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  s = send(*l, "stripe", "charge.refunded", {"--secret", kStripe, "--expect", "202"}, "/other");
  EXPECT_EQ(s.exit_code, 0) << s.describe();

  ASSERT_TRUE(billing.wait_for(1, 5s));
  ASSERT_TRUE(fallback.wait_for(2, 5s));
  EXPECT_EQ(billing.count(), 1u);
  EXPECT_EQ(billing.requests()[0].path, "/billing");
  EXPECT_NE(billing.requests()[0].body.find("invoice.paid"), std::string::npos);
  const auto fb = fallback.requests();
  ASSERT_EQ(fb.size(), 2u);
  EXPECT_EQ(fb[0].path, "/gh");
  EXPECT_EQ(fb[0].header("X-GitHub-Event").value_or(""), "push");
  EXPECT_EQ(fb[1].path, "/other");
  EXPECT_NE(fb[1].body.find("charge.refunded"), std::string::npos);
}

TEST(ListenE2E, ForwardToDeadHandlerAnswers502AndStillCaptures) {
  TempDir dir;
  const auto cap = dir.file("fwd.jsonl");
  auto l = start_listen({"-q", "--capture", cap, "--forward-to", "127.0.0.1:1"});
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe});
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  const auto j = json_lines(s.out);
  ASSERT_EQ(j.size(), 1u) << s.describe();
  EXPECT_EQ(j[0]["status"], 502);
  const auto recs = capture_records(cap);
  ASSERT_EQ(recs.size(), 1u);
  ASSERT_TRUE(recs[0].contains("forward")) << recs[0].dump();
  EXPECT_FALSE(str_or_empty(recs[0]["forward"]["error"]).empty()) << recs[0].dump();
  EXPECT_TRUE(recs[0]["forward"]["status"].is_null()) << recs[0].dump();
  EXPECT_EQ(recs[0]["response"]["status"], 502);
  EXPECT_EQ(recs[0]["event_type"], "invoice.paid");
}

TEST(ListenE2E, ForwardTimeoutAnswers504) {
  Receiver slow({200});
  slow.hold_path("/slow", 2s);
  auto l = start_listen({"--json", "--forward-timeout", "0.2", "--forward-to",
                         "127.0.0.1:" + std::to_string(slow.port())});
  const auto start = std::chrono::steady_clock::now();
  const auto s = send(*l, "stripe", "invoice.paid", {"--secret", kStripe}, "/slow");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  const auto j = json_lines(s.out);
  ASSERT_EQ(j.size(), 1u) << s.describe();
  EXPECT_EQ(j[0]["status"], 504);
  EXPECT_LT(took, 1500ms) << "the forward timeout was not applied";
  const auto rec = listen_record(*l, 1);
  EXPECT_FALSE(str_or_empty(rec["forward"]["error"]).empty()) << rec.dump();
  slow.release();
}

// =======================================================================================
// 10. CI mode

TEST(ListenE2E, CountExitsZeroAfterNDeliveries) {
  auto l = start_listen({"-q", "--count", "2"});
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  EXPECT_TRUE(l->running());
  ASSERT_EQ(send(*l, "github", "push", {"--secret", kGithub}).exit_code, 0);
  const auto e = l->wait_exit(5s);
  EXPECT_FALSE(e.timed_out) << l->describe();
  EXPECT_EQ(e.exit_code, 0) << l->describe();
}

TEST(ListenE2E, CountWithTimeoutExitsOneWhenShort) {
  auto l = start_listen({"-q", "--count", "2", "--timeout", "1"});
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  const auto e = l->wait_exit(5s);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(e.timed_out) << l->describe();
  EXPECT_EQ(e.exit_code, 1) << l->describe();
  EXPECT_GE(took, 800ms);
  EXPECT_NE(l->err().find("1 of 2"), std::string::npos) << l->err();
}

TEST(ListenE2E, RequireValidExitsOneOnTamperedDelivery) {
  auto bad =
      start_listen({"-q", "--require-valid", "--count", "1", "--secret", "stripe=" + kStripe});
  (void)send(*bad, "stripe", "invoice.paid", {"--secret", kStripe, "--tamper", "signature"});
  auto e = bad->wait_exit(5s);
  EXPECT_FALSE(e.timed_out) << bad->describe();
  EXPECT_EQ(e.exit_code, 1) << bad->describe();

  auto good =
      start_listen({"-q", "--require-valid", "--count", "1", "--secret", "stripe=" + kStripe});
  ASSERT_EQ(send(*good, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  e = good->wait_exit(5s);
  EXPECT_FALSE(e.timed_out) << good->describe();
  EXPECT_EQ(e.exit_code, 0) << good->describe();
}

TEST(ListenE2E, SigintStopsCleanlyWithSummary) {
  auto l = start_listen({"-q", "--secret", "stripe=" + kStripe});
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe, "--duplicate", "2"}).exit_code,
            0);
  ASSERT_TRUE(l->wait_for_lines(Stream::out, 2, 5s));
  ASSERT_TRUE(l->send_signal(SIGINT));
  const auto e = l->wait_exit(5s);
  EXPECT_FALSE(e.timed_out) << l->describe();
  EXPECT_EQ(e.exit_code, 0) << l->describe();
  const auto line = l->wait_for_text(Stream::err, "deliveries", 1s);
  ASSERT_TRUE(line) << l->err();
  EXPECT_NE(line->find("2 deliveries"), std::string::npos) << *line;
  EXPECT_NE(line->find("2 valid"), std::string::npos) << *line;
}

// --brief: between the full view and one line: the verdict, key headers, a body preview.
TEST(ListenE2E, BriefShowsTheVerdictKeyHeadersAndABodyPreview) {
  auto l =
      start_listen({"--brief", "--secret", "stripe=" + kStripe, "--count", "1", "--timeout", "20"});
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  const auto e = l->wait_exit(10s);
  EXPECT_FALSE(e.timed_out) << l->describe();
  const auto out = l->out();
  EXPECT_NE(out.find("✔ valid signature"), std::string::npos) << out;
  EXPECT_NE(out.find("   Stripe-Signature: t="), std::string::npos) << out;
  EXPECT_NE(out.find("more headers)"), std::string::npos) << out;
  EXPECT_NE(out.find("\"object\": \"event\""), std::string::npos) << "the preview shows the start";
  EXPECT_NE(out.find("more lines"), std::string::npos) << "the preview is cut: " << out;
  EXPECT_LT(e2e::lines_of(out).size(), 25u) << out;
  const auto both = e2e::hooktool({"listen", "--brief", "-q"});
  EXPECT_EQ(both.exit_code, 2) << both.describe();
}

// The closing summary counts every outcome: verdicts, duplicates, what listen answered and
// what became of the forwarded deliveries, by kind of failure.
TEST(ListenE2E, SigintSummaryCountsEveryOutcome) {
  const std::string nobody = "http://127.0.0.1:" + std::to_string(e2e::free_port());
  auto l = start_listen({"-q", "--secret", "stripe=" + kStripe, "--secret", "github=" + kGithub,
                         "--forward-to", "stripe=" + nobody});
  ASSERT_EQ(send(*l, "stripe", "invoice.paid",
                 {"--secret", kStripe, "--duplicate", "2", "--expect", "502"})
                .exit_code,
            0);
  ASSERT_EQ(send(*l, "github", "push", {"--secret", kGithub}).exit_code, 0);
  ASSERT_TRUE(l->wait_for_lines(Stream::out, 3, 5s));
  ASSERT_TRUE(l->send_signal(SIGINT));
  const auto e = l->wait_exit(5s);
  EXPECT_FALSE(e.timed_out) << l->describe();
  const auto line = l->wait_for_text(Stream::err, "deliveries", 1s);
  ASSERT_TRUE(line) << l->err();
  EXPECT_NE(line->find("3 deliveries: 3 valid; 1 duplicate; answered 200 ×1, 502 ×2; "
                       "forwarded 2: 2 failed (refused ×2)"),
            std::string::npos)
      << *line;
}

// --events filters what the terminal shows, nothing else: the hidden delivery is still
// answered, captured and counted toward --count.
TEST(ListenE2E, EventsFilterShowsOnlyMatchingDeliveries) {
  e2e::TempDir dir;
  const auto capture = (dir.path() / "all.jsonl").string();
  auto l = start_listen({"-q", "--secret", "stripe=" + kStripe, "--secret", "github=" + kGithub,
                         "--events", "invoice.*", "--events", "github:pull_request.*", "--capture",
                         capture, "--count", "4", "--timeout", "20"});
  ASSERT_EQ(send(*l, "stripe", "invoice.paid", {"--secret", kStripe}).exit_code, 0);
  ASSERT_EQ(send(*l, "stripe", "customer.created", {"--secret", kStripe}).exit_code, 0);
  ASSERT_EQ(send(*l, "github", "push", {"--secret", kGithub}).exit_code, 0);
  ASSERT_EQ(send(*l, "github", "pull_request.opened", {"--secret", kGithub}).exit_code, 0);
  const auto e = l->wait_exit(10s);
  EXPECT_FALSE(e.timed_out) << l->describe();
  EXPECT_EQ(e.exit_code, 0) << l->describe();
  const auto shown = e2e::lines_of(l->out());
  ASSERT_EQ(shown.size(), 2u) << l->out();
  EXPECT_NE(shown[0].find("invoice.paid"), std::string::npos) << shown[0];
  EXPECT_NE(shown[1].find("pull_request"), std::string::npos) << shown[1];
  EXPECT_EQ(e2e::lines_of(e2e::read_file(capture)).size(), 4u) << "every delivery is captured";
  EXPECT_NE(l->err().find("4 deliveries: 4 valid"), std::string::npos) << l->err();
  EXPECT_NE(l->err().find("2 not shown (--events)"), std::string::npos) << l->err();
}

// =======================================================================================
// 11. TLS

TEST(ListenE2E, TlsWithGeneratedCertificate) {
  auto l = start_listen({"--tls", "--json", "--secret", "stripe=" + kStripe});
  EXPECT_NE(l->wait_for_text(Stream::err, "https://127.0.0.1:", 1s), std::nullopt) << l->err();
  const std::regex fp_re("fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})");
  const auto fp_line = l->wait_for_line(Stream::err, fp_re, 5s);
  ASSERT_TRUE(fp_line) << l->err();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*fp_line, m, fp_re));
  EXPECT_EQ(served_fingerprint(l->port()), m[1].str())
      << "printed fingerprint is the served cert's";

  const auto to = "https://127.0.0.1:" + std::to_string(l->port()) + "/";
  auto s = e2e::hooktool(
      {"send", "stripe", "invoice.paid", "--to", to, "--secret", kStripe, "--insecure", "--json"});
  EXPECT_EQ(s.exit_code, 0) << s.describe();
  const auto rec = listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "valid") << rec.dump();
  EXPECT_EQ(rec["path"], "/");

  s = e2e::hooktool({"send", "stripe", "invoice.paid", "--to", to, "--secret", kStripe, "--json"});
  EXPECT_EQ(s.exit_code, 1) << s.describe();
  EXPECT_TRUE(l->running());
}

// =======================================================================================
// 12. Usage errors

TEST(ListenE2E, BadFlagsExitTwo) {
  const std::vector<std::vector<std::string>> cases{
      {"listen", "--port", "0", "--quiet", "--json"},
      {"listen", "--port", "0", "--secret", "standard=whsec_***"},
      {"listen", "--port", "70000"},
      {"listen", "--port", "0", "--fail-rate", "1.5"},
      {"listen", "--port", "0", "--tls", "--tls-cert", "/nonexistent.pem", "--tls-key", "/x.pem"},
  };
  for (const auto& args : cases) {
    std::string joined;
    for (const auto& a : args)
      joined += a + " ";
    SCOPED_TRACE(joined);
    const auto r = e2e::hooktool(args, 5s);
    EXPECT_FALSE(r.timed_out) << "a bad flag must not start the server: " << r.describe();
    EXPECT_EQ(r.exit_code, 2) << r.describe();
    EXPECT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find("listening on"), std::string::npos) << r.err;
  }
}

TEST(ListenE2E, PortInUseExitsTwoWithOneLine) {
  PlainPortHolder occupant;
  const auto r = e2e::hooktool({"listen", "--port", std::to_string(occupant.port())}, 5s);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(e2e::lines_of(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(std::to_string(occupant.port())), std::string::npos) << r.err;
}

// Two `hooktool listen --port N` in two terminals: the second must refuse the port, not
// silently share it (and split the deliveries) with the first.
TEST(ListenE2E, PortHeldByAnotherListenerExitsTwo) {
  auto first = start_listen({"-q"});
  Background second(e2e::kHooktool, {"listen", "--port", std::to_string(first->port()), "-q"});
  // Either it prints its banner (it bound the port) or its stderr ends (it exited).
  const auto banner = second.wait_for_text(Stream::err, "listening on", 5s);
  EXPECT_FALSE(banner) << "BUG: a second listener bound port " << first->port()
                       << " that the first one holds (SO_REUSEPORT): " << second.describe();
  const auto e = second.wait_exit(banner ? 100ms : 5s);
  EXPECT_EQ(e.exit_code, 2) << e.describe() << "\n" << second.err();
  EXPECT_TRUE(first->running());
}

} // namespace

// A forward filter naming no provider is a typo to point out, not a host to try (issue 13.4).
TEST(ListenForward, UnknownProviderInAFilterIsAUsageErrorWithASuggestion) {
  const auto r = e2e::hooktool({"listen", "--port", "0", "--timeout", "1", "--forward-to",
                                "stirpe:invoice.*=localhost:3000"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("unknown provider 'stirpe' (did you mean 'stripe'?)"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("listening on"), std::string::npos) << r.err;
}

namespace {

// The CI pattern without a race: listen writes its URL once it accepts connections, a script
// waits for the file, and the file is gone once listen has stopped.
TEST(ListenReadyFile, HoldsTheBoundUrlOnceListeningAndIsRemovedAtExit) {
  const e2e::TempDir dir;
  const auto ready = dir.file("listen.ready");
  e2e::write_file(ready, "http://127.0.0.1:1\n"); // a stale file from an earlier run
  const std::string secret = "whsec_readyFileSecret0123456789";
  Background listen(e2e::kHooktool, {"listen", "--port", "0", "--ready-file", ready, "--count", "1",
                                     "--secret", "stripe=" + secret, "--quiet"});
  std::string url;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) { // waits on the file, bounded
    if (std::filesystem::exists(ready)) {
      const auto text = e2e::read_file(ready);
      if (text.starts_with("http://127.0.0.1:") && text != "http://127.0.0.1:1\n") {
        url = text.substr(0, text.find('\n'));
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(url.empty()) << listen.describe();
  const auto sent =
      e2e::hooktool({"send", "stripe", "invoice.paid", "--to", url + "/hook", "--secret", secret});
  EXPECT_EQ(sent.exit_code, 0) << sent.describe();
  const auto st = listen.wait_exit(std::chrono::seconds(10));
  EXPECT_EQ(st.exit_code, 0) << listen.describe();
  EXPECT_FALSE(std::filesystem::exists(ready)) << "the ready file outlived listen";
}

} // namespace

} // namespace e2e_listen
