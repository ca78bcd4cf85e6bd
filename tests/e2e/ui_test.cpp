// `listen --ui` from the outside: the inspector's own port, its errors, and the webhook port
// keeping its "any path" promise (/api/… there is a delivery, not the inspector).
#include "background.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sys/socket.h>
#include <unistd.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_ui {

namespace {

using namespace std::chrono_literals;

// A loopback port held open (listening) for the test's duration.
struct HeldPort {
  int fd = -1;
  int port = 0;
  HeldPort() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 1) != 0)
      throw std::runtime_error("cannot hold a port");
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  ~HeldPort() { ::close(fd); }
};

int ui_port(e2e::Background& l) {
  static const std::regex kLine(R"(inspector on http://127\.0\.0\.1:([0-9]+)/)");
  const auto line = l.wait_for_line(e2e::Stream::err, kLine, 10s);
  if (!line)
    return -1;
  std::smatch m;
  std::regex_search(*line, m, kLine);
  return std::stoi(m[1]);
}

TEST(UiE2E, ATakenUiPortIsAUsageErrorNamingIt) {
  const HeldPort held;
  const auto r = e2e::run_process(e2e::kHooktool, {"--no-config", "listen", "--port", "0", "--ui",
                                                   "--ui-port", std::to_string(held.port)});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("hooktool: --ui-port: cannot listen on 127.0.0.1:" +
                       std::to_string(held.port) + ": address in use"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("listening on"), std::string::npos); // failed before serving webhooks
}

TEST(UiE2E, TheUiPortMustDifferFromTheWebhookPort) {
  const auto r = e2e::run_process(
      e2e::kHooktool, {"--no-config", "listen", "--port", "9123", "--ui", "--ui-port", "9123"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("--ui-port must differ from --port"), std::string::npos) << r.err;
}

TEST(UiE2E, ServesThePageOnItsOwnPortAndTheWebhookPortStillTakesAnyPath) {
  auto l = e2e::start_listen({"--ui", "--ui-port", "0", "--json"});
  const int webhook = l->wait_port();
  const int ui = ui_port(*l);
  ASSERT_GT(ui, 0) << l->describe();
  ASSERT_NE(ui, webhook);

  httplib::Client page("127.0.0.1", ui);
  const auto index = page.Get("/");
  ASSERT_TRUE(index) << l->describe();
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("hooktool inspector"), std::string::npos);

  // The webhook port answers /api/deliveries as a delivery, as it does any path.
  httplib::Client hooks("127.0.0.1", webhook);
  const auto delivered = hooks.Post("/api/deliveries", R"({"x":1})", "application/json");
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->status, 200);
  const auto record = e2e::listen_record(*l, 1);
  EXPECT_EQ(record["path"], "/api/deliveries");

  const auto list = page.Get("/api/deliveries");
  ASSERT_TRUE(list);
  const auto j = nlohmann::json::parse(list->body);
  ASSERT_EQ(j["deliveries"].size(), 1u);
  EXPECT_EQ(j["deliveries"][0]["id"], record["id"]);

  // An open event stream does not keep SIGTERM from ending listen.
  httplib::Client stream("127.0.0.1", ui);
  stream.set_read_timeout(30, 0);
  std::thread waiter([&] { (void)stream.Get("/api/events?after=1"); });
  ASSERT_TRUE(l->send_signal(SIGTERM));
  const auto start = std::chrono::steady_clock::now();
  const auto exit = l->wait_exit(10s);
  waiter.join();
  EXPECT_EQ(exit.exit_code, 0) << l->describe();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

std::string token_of(httplib::Client& page) {
  const auto index = page.Get("/");
  static const std::regex kToken(R"re(name="hooktool-token" content="([0-9a-f]+)")re");
  std::smatch m;
  if (!index || !std::regex_search(index->body, m, kToken))
    return {};
  return m[1];
}

// The wiring of the inspector's actions into a real listen run: an edited delivery replayed to
// listen's own webhook port verifies when re-signed with the secret listen holds and not when
// it keeps the original signature; the simulated answer changes for the next delivery.
TEST(UiE2E, EditedReplayToTheWebhookPortAndTheSimulatedAnswerChangedWhileRunning) {
  auto l = e2e::start_listen({"--ui", "--ui-port", "0", "--json", "--secret", "github=s3cret"});
  const int webhook = l->wait_port();
  const int ui = ui_port(*l);
  ASSERT_GT(ui, 0) << l->describe();
  const auto sent =
      e2e::run_process(e2e::kHooktool, {"--no-config", "send", "github", "push", "--to",
                                        ":" + std::to_string(webhook), "--secret", "s3cret"});
  ASSERT_EQ(sent.exit_code, 0) << sent.describe();
  const auto first = e2e::listen_record(*l, 1);
  ASSERT_EQ(first["verification"]["status"], "valid");

  httplib::Client page("127.0.0.1", ui);
  const auto token = token_of(page);
  ASSERT_FALSE(token.empty());
  const httplib::Headers h{{"X-Hooktool-Token", token}};
  const auto edited = "{\"edited\":true," + first["body"].get<std::string>().substr(1);
  const auto replay = [&](const std::string& sign) {
    const nlohmann::json ask = {{"url", "127.0.0.1:" + std::to_string(webhook)},
                                {"sign", sign},
                                {"edit", {{"body", edited}}}};
    return page.Post("/api/deliveries/" + first["id"].get<std::string>() + "/replay", h, ask.dump(),
                     "application/json");
  };
  const auto resigned = replay("resign");
  ASSERT_TRUE(resigned);
  EXPECT_EQ(resigned->status, 200) << resigned->body;
  EXPECT_EQ(resigned->body.find("s3cret"), std::string::npos);
  auto record = e2e::listen_record(*l, 2);
  EXPECT_EQ(record["body"], edited);
  EXPECT_EQ(record["verification"]["status"], "valid") << record.dump();
  const auto kept = replay("keep");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->status, 200) << kept->body;
  record = e2e::listen_record(*l, 3);
  EXPECT_EQ(record["body"], edited);
  EXPECT_EQ(record["verification"]["status"], "invalid") << record.dump();

  const auto changed = page.Post("/api/simulation", h, R"({"status":503})", "application/json");
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200) << changed->body;
  httplib::Client hooks("127.0.0.1", webhook);
  const auto answered = hooks.Post("/next", "x", "text/plain");
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 503);
  EXPECT_EQ(e2e::listen_record(*l, 4)["response"]["status"], 503);
}

} // namespace

} // namespace e2e_ui
