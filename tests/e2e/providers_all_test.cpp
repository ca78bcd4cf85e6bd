// End to end over every registered provider (a loop over the registry, no list to keep up):
// one `listen` with no --provider, holding a key for every provider, detects each provider's
// fixtures as that provider (Resend and Clerk among Svix's, each with its own secret), names
// the event and verifies it; every provider's capture replays as captured and re-signed with
// `replay --resign` (stale for the schemes with a window); `sign` prints what `verify`
// accepts, and another key is refused; `check` passes a correct handler. Keys come from each
// provider's own generator. Waits are bounded and on output, never sleeps.

#include "background.hpp"
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "providers/registry.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_providers_all {

namespace {

namespace providers = hooktool::providers;
using e2e::Background;
using e2e::listen_record;
using e2e::start_listen;
using e2e::TempDir;
using json = nlohmann::json;
using namespace std::chrono_literals;

// The one provider listen never guesses: generic's headers are whatever the user configures.
constexpr std::string_view kNeverGuessed = "generic";

struct Keys {
  std::string sign;   // what send, sign and replay --resign take
  std::string verify; // what listen and verify take
};

// One key per secret family (svix shares standard's), made by the provider's own generator
// (a key pair for the asymmetric schemes).
const Keys& keys_of(std::string_view id) {
  static const auto made = [] {
    std::map<std::string, Keys, std::less<>> out;
    for (const auto& p : providers::all_providers()) {
      const std::string family(p->secret_family());
      if (out.contains(family))
        continue;
      auto secret = p->generate_secret();
      auto verify = p->verifying_key(secret);
      out.emplace(family, Keys{std::move(secret), std::move(verify)});
    }
    return out;
  }();
  return made.find(providers::secret_family(id))->second;
}

// `--secret FAMILY=KEY` for every secret family, then extra.
std::vector<std::string> every_key(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto id : providers::provider_ids()) {
    const std::string family(providers::secret_family(id));
    if (!seen.insert(family).second)
      continue;
    out.emplace_back("--secret");
    out.push_back(family + "=" + keys_of(id).verify);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::string to(const Background& l) {
  return "http://127.0.0.1:" + std::to_string(l.port()) + "/hook";
}

std::string str(const json& j) {
  return j.is_string() ? j.get<std::string>() : "";
}

std::vector<std::string> events_of(std::string_view id) {
  std::vector<std::string> out;
  for (const auto& f : hooktool::core::FixtureStore({}, {}).list(providers::fixture_family(id)))
    out.push_back(f.event);
  return out;
}

// The values of a captured header (the record's headers are [name, value] pairs).
std::vector<std::string> header_values(const json& rec, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& h : rec["headers"]) {
    const auto n = h.at(0).get<std::string>();
    if (n.size() == name.size() && std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        }))
      out.push_back(h.at(1).get<std::string>());
  }
  return out;
}

} // namespace

// Issue 14's "auto-detection never confuses two providers": every provider's fixtures to one
// listen with no --provider: every fixture (over 800), each sent by the binary.
TEST(AllProvidersE2E, OneListenDetectsEveryProvidersFixturesAsItsOwn) {
  auto l = start_listen(every_key({"--json"}));
  std::size_t n = 0;
  std::set<std::string> covered;
  for (const auto id_view : providers::provider_ids()) {
    if (id_view == kNeverGuessed)
      continue;
    const std::string id(id_view);
    const auto events = events_of(id);
    ASSERT_FALSE(events.empty()) << id;
    for (const auto& event : events) {
      SCOPED_TRACE(id + " " + event);
      const auto s = e2e::hooktool(
          {"send", id, event, "--to", to(*l), "--secret", keys_of(id).sign, "--json"});
      ASSERT_EQ(s.exit_code, 0) << s.describe();
      const auto rec = listen_record(*l, ++n);
      EXPECT_EQ(str(rec["provider"]), id) << rec.dump();
      EXPECT_EQ(str(rec["event_type"]), event) << rec.dump();
      EXPECT_EQ(str(rec["verification"]["status"]), "valid") << rec.dump();
    }
    covered.insert(id);
  }
  EXPECT_EQ(covered.size() + 1, providers::provider_ids().size());
}

// replay for every provider: the capture sent again as captured keeps its signature (expired
// for a scheme with a window, with a warning naming --resign; invalid at another URL for the
// schemes that sign the URL), and `--resign` makes it valid again with its event id kept.
TEST(AllProvidersE2E, EveryProviderReplaysAsCapturedAndResigned) {
  for (const auto& p : providers::all_providers()) {
    const std::string id(p->id());
    SCOPED_TRACE(id);
    const auto& keys = keys_of(id);
    const std::string family(p->secret_family());
    const TempDir dir;
    const auto cap = dir.file("cap.jsonl");
    std::vector<std::string> flags{"--json", "--secret", family + "=" + keys.verify};
    if (id == kNeverGuessed)
      flags.insert(flags.end(), {"--provider", id});
    auto l2 = start_listen(flags);
    flags.insert(flags.end(), {"--capture", cap});
    auto l1 = start_listen(flags);

    const bool windowed = p->window() != providers::Window::none;
    std::vector<std::string> send{
        "send", id, std::string(p->default_event()), "--to", to(*l1), "--secret", keys.sign};
    if (windowed)
      send.insert(send.end(), {"--age", "3600"});
    const auto s = e2e::hooktool(send);
    ASSERT_EQ(s.exit_code, 0) << s.describe();
    const auto original = listen_record(*l1, 1);
    ASSERT_EQ(str(original["verification"]["status"]), windowed ? "expired" : "valid")
        << original.dump();
    ASSERT_EQ(str(original["provider"]), id) << original.dump();

    auto r = e2e::hooktool({"replay", cap, "--to", to(*l2)});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto again = listen_record(*l2, 1);
    EXPECT_EQ(str(again["provider"]), id) << again.dump();
    EXPECT_EQ(again["event_id"], original["event_id"]);
    EXPECT_EQ(again["body"], original["body"]) << "replay keeps the bytes";
    const auto verdict = str(again["verification"]["status"]);
    const auto want = p->signs_url() ? "invalid" : windowed ? "expired" : "valid";
    EXPECT_EQ(verdict, want) << again.dump();
    // (Linear's signed time is the body's webhookTimestamp: the warning reads it there.)
    if (windowed) {
      EXPECT_NE(r.err.find("--resign"), std::string::npos) << r.describe();
    }
    for (const auto name : p->signature_headers())
      EXPECT_EQ(header_values(again, name), header_values(original, name)) << name;

    r = e2e::hooktool(
        {"replay", cap, "--to", to(*l2), "--resign", "--secret", family + "=" + keys.sign});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    const auto fresh = listen_record(*l2, 2);
    EXPECT_EQ(str(fresh["provider"]), id) << fresh.dump();
    EXPECT_EQ(str(fresh["verification"]["status"]), "valid") << fresh.dump();
    EXPECT_EQ(fresh["event_id"], original["event_id"]) << fresh.dump();
  }
}

// sign prints the headers (and the body, for the schemes that sign inside it); verify accepts
// them with that body, and refuses them under another provider-made key.
TEST(AllProvidersE2E, SignThenVerifyForEveryProvider) {
  const TempDir dir;
  const hooktool::core::FixtureStore store({}, {});
  const std::string url = "https://hooks.example/in?src=e2e";
  for (const auto& p : providers::all_providers()) {
    const std::string id(p->id());
    SCOPED_TRACE(id);
    const auto& keys = keys_of(id);
    hooktool::core::PayloadSpec spec;
    spec.fixture_family = std::string(p->fixture_family());
    spec.event = std::string(p->default_event());
    spec.pretty_json = p->pretty_json();
    spec.now_ms = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
    const auto payload = hooktool::core::render_payload(store, spec);
    const auto body = dir.write(id + ".body", payload.body);
    const auto signed_ =
        e2e::hooktool({"sign", id, "--secret", keys.sign, "--body", "@" + body, "--url", url});
    ASSERT_EQ(signed_.exit_code, 0) << signed_.describe();
    // Headers, then (when signing rewrote the body) a blank line and the body to send.
    auto headers = signed_.out;
    auto sent = body;
    // (Mailgun and Adyen sign only inside the body: no header line before the blank one.)
    const auto& out = signed_.out;
    if (const auto blank = out.starts_with("\n") ? 0 : out.find("\n\n");
        blank != std::string::npos) {
      headers = out.substr(0, blank);
      auto rewritten = out.substr(blank + (blank == 0 ? 1 : 2));
      if (!rewritten.empty() && rewritten.back() == '\n')
        rewritten.pop_back();
      sent = dir.write(id + ".sent", rewritten);
    }
    // As received: the provider's envelope (content type, event and id headers: Shopify's
    // are required), then what sign printed.
    std::vector<std::string> verify{"verify", id, "--body", "@" + sent, "--url", url};
    const auto signed_lines = e2e::lines_of(headers);
    for (const auto& h : p->envelope({spec.event, payload.format, std::time(nullptr)})) {
      const bool printed = std::any_of(signed_lines.begin(), signed_lines.end(),
                                       [&](auto& l) { return l.starts_with(h.name + ":"); });
      if (!printed)
        verify.insert(verify.end(), {"-H", h.name + ": " + h.value});
    }
    for (const auto& line : signed_lines)
      verify.insert(verify.end(), {"-H", line});
    auto good = verify;
    good.insert(good.end(), {"--secret", keys.verify});
    const auto v = e2e::hooktool(good);
    EXPECT_EQ(v.exit_code, 0) << v.describe() << "\nsigned:\n" << signed_.out;
    auto other = verify;
    other.insert(other.end(), {"--secret", p->verifying_key(p->generate_secret())});
    EXPECT_EQ(e2e::hooktool(other).exit_code, 1) << "another key";
  }
}

// check for every provider: the whole battery against the test handler in its correct mode
// (verifying with the provider's verifying key) passes, with no internal error; the timestamp
// drills are skipped exactly for the schemes without a window, and answers-handshake is on the
// card exactly for the providers with a handshake.
TEST(AllProvidersE2E, CheckPassesACorrectHandlerForEveryProvider) {
  for (const auto& p : providers::all_providers()) {
    const std::string id(p->id());
    SCOPED_TRACE(id);
    const auto& keys = keys_of(id);
    const TempDir dir;
    const auto state = dir.file("processed.txt");
    Background handler(HOOKTOOL_TEST_HANDLER, {"--mode", "correct", "--provider", id, "--secret",
                                               keys.verify, "--state", state});
    static const std::regex kBanner(R"(handler listening on http://127\.0\.0\.1:([0-9]+))");
    const auto line = handler.wait_for_line(e2e::Stream::err, kBanner, 10s);
    std::smatch m;
    ASSERT_TRUE(line && std::regex_search(*line, m, kBanner)) << handler.describe();
    const auto r =
        e2e::hooktool({"check", id, "--to", "127.0.0.1:" + m[1].str() + "/hook", "--secret",
                       keys.sign, "--json", "--probe", "cat '" + state + "'"},
                      60s);
    EXPECT_EQ(r.exit_code, 0) << r.describe() << "\n--- handler ---\n" << handler.describe();
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.describe();
    std::map<std::string, std::string> result;
    for (const auto& j : e2e::json_lines(r.out))
      if (j.contains("check"))
        result[j["check"].get<std::string>()] = j.value("result", "");
    for (const auto& [check, outcome] : result)
      EXPECT_TRUE(outcome == "PASS" || outcome == "SKIP") << check << ": " << outcome;
    EXPECT_EQ(result["accepts-valid"], "PASS") << r.describe();
    const bool windowed = p->window() != providers::Window::none;
    EXPECT_EQ(result["rejects-stale-timestamp"] == "SKIP", !windowed) << r.describe();
    EXPECT_EQ(result.contains("answers-handshake"), !p->handshake_event().empty()) << r.describe();
  }
}

} // namespace e2e_providers_all
