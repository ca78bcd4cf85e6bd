// Every built-in fixture renders, parses, names its event as its file does, and gets fresh ids.
#include "core/compose.hpp"
#include "core/embedded_fixtures.hpp"
#include "core/fixtures.hpp"
#include "providers/registry.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/json.hpp"
#include "util/time.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

using namespace hooktool;
namespace fs = std::filesystem;

namespace {

core::Payload render(const core::FixtureStore& store, const std::string& provider,
                     const std::string& event) {
  core::PayloadSpec spec;
  spec.fixture_family = std::string(providers::fixture_family(provider));
  spec.event = event;
  spec.pretty_json = providers::make_provider(provider)->pretty_json();
  spec.now_ms = util::now_ms();
  return core::render_payload(store, spec);
}

core::Composed compose(const std::string& provider_id, const std::string& event,
                       const core::Payload& payload) {
  const auto provider = providers::make_provider(provider_id);
  core::ComposeInput in;
  in.provider = provider.get();
  in.event = event;
  in.payload = payload;
  in.url = "http://localhost:3000/";
  in.secret = provider->generate_secret();
  in.timestamp = util::now_s();
  return core::compose(in);
}

} // namespace

TEST(Fixtures, EmbeddedMatchFilesOnDisk) {
  std::set<std::string> on_disk;
  for (const auto& e : fs::recursive_directory_iterator(HOOKTOOL_FIXTURES_DIR)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".json" || ext == ".form"))
      on_disk.insert(fs::relative(e.path(), HOOKTOOL_FIXTURES_DIR).generic_string());
  }
  std::set<std::string> embedded;
  for (const auto& f : core::embedded_fixtures()) {
    embedded.insert(std::string(f.path));
    // The bytes too: each entry's offset and size into the one embedded blob.
    std::ifstream in(fs::path(HOOKTOOL_FIXTURES_DIR) / std::string(f.path), std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(bytes, f.data) << f.path;
  }
  EXPECT_EQ(on_disk, embedded);
  const auto all = core::embedded_fixtures();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.path < b.path;
  })) << "sorted by path";
}

TEST(Fixtures, EnoughEventsPerProvider) {
  const core::FixtureStore store;
  std::map<std::string, std::size_t> count;
  for (const auto& f : store.list())
    ++count[f.provider];
  EXPECT_GE(count["stripe"], 249u) << "every event type of the pinned Stripe API version";
  EXPECT_GE(count["github"], 224u); // every event/action pair of @octokit/webhooks-schemas
  for (const auto* p : {"shopify", "twilio", "slack", "standard", "generic"})
    EXPECT_GE(count[p], 4u) << p;
}

TEST(Fixtures, RequiredEventsExist) {
  const core::FixtureStore store;
  const std::map<std::string, std::vector<std::string>> required{
      {"stripe",
       {"invoice.payment_failed", "invoice.paid", "payment_intent.succeeded",
        "payment_intent.payment_failed", "customer.subscription.created",
        "customer.subscription.deleted", "checkout.session.completed", "charge.refunded"}},
      {"github",
       {"ping", "push", "pull_request.opened", "issues.opened", "issue_comment.created",
        "release.published", "workflow_run.completed"}},
      {"shopify",
       {"orders/create", "orders/paid", "products/update", "app/uninstalled", "customers/create",
        // The mandatory compliance topics every public app must handle.
        "customers/data_request", "customers/redact", "shop/redact"}},
      {"twilio",
       {"message.incoming", "message.status.delivered", "call.incoming", "call.status.completed"}},
      {"slack", {"url_verification", "app_mention", "message", "slash_command", "block_actions"}},
  };
  for (const auto& [provider, events] : required)
    for (const auto& e : events)
      EXPECT_NO_THROW((void)store.load(provider, e)) << provider << "/" << e;
}

TEST(Fixtures, EveryFixtureRendersAndNamesItsEvent) {
  const core::FixtureStore store;
  for (const auto& f : store.list()) {
    SCOPED_TRACE(f.provider + "/" + f.event);
    const auto payload = render(store, f.provider, f.event);
    // Every {{ left is the text of a {{literal:…}} escape (Shopify's money formats).
    const auto count = [](const std::string& text, const std::string& what) {
      std::size_t n = 0;
      for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
      return n;
    };
    EXPECT_EQ(count(payload.body, "{{"), count(store.load(f.provider, f.event).text, "{{literal:"))
        << "placeholder left unrendered";
    if (f.format == providers::BodyFormat::json)
      EXPECT_TRUE(util::parse_json(payload.body).has_value());
    else
      EXPECT_FALSE(util::parse_form(payload.body).empty());
    const auto delivery = compose(f.provider, f.event, payload);
    const auto info = providers::make_provider(f.provider)->event_info(delivery.request);
    EXPECT_EQ(info.type, f.event);
    EXPECT_FALSE(info.id.empty()) << "no event id read back";
  }
}

TEST(Fixtures, IdsAreFreshOnEachRender) {
  const core::FixtureStore store;
  for (const auto& f : store.list()) {
    SCOPED_TRACE(f.provider + "/" + f.event);
    const auto a = compose(f.provider, f.event, render(store, f.provider, f.event));
    const auto b = compose(f.provider, f.event, render(store, f.provider, f.event));
    EXPECT_NE(a.info.id, b.info.id);
    // A payload with no random value in it (GitHub's custom_property.created: the property,
    // the organisation and the sender; branch_protection_configuration.*: only times, equal
    // within a second) is sent the same each time, as the provider does.
    static const std::regex random_placeholder(R"(\{\{(id|uuid|int|hex|alnum|upper)[:}#])");
    if (std::regex_search(store.load(f.provider, f.event).text, random_placeholder)) {
      EXPECT_NE(a.request.body, b.request.body);
    }
  }
}

// Load mode's render_into (the last rendering with only its values overwritten) gives what
// render gives: every placeholder filled, the same shape, fresh values each time.
TEST(Fixtures, EveryFixtureRendersInPlaceAsInFull) {
  const core::FixtureStore store;
  for (const auto& f : store.list()) {
    SCOPED_TRACE(f.provider + "/" + f.event);
    core::PayloadSpec spec;
    spec.fixture_family = std::string(providers::fixture_family(f.provider));
    spec.event = f.event;
    spec.pretty_json = providers::make_provider(f.provider)->pretty_json();
    core::PayloadTemplate payload(store, spec);
    const auto now = util::now_ms();
    std::string first;
    std::string second;
    payload.render_into(now, first);
    payload.render_into(now + 1000, second);
    const auto full = payload.render(now + 1000).body;
    ASSERT_EQ(second.size(), full.size()) << "same widths: only values differ";
    EXPECT_EQ(second.find("{{"), full.find("{{"));
    if (f.format == providers::BodyFormat::json) {
      const auto a = util::parse_json(second);
      const auto b = util::parse_json(full);
      ASSERT_TRUE(a.has_value() && b.has_value());
      // Same keys in the same order, same value types.
      const auto shape = [](const auto& self, const nlohmann::json& j) -> std::string {
        std::string out(1, static_cast<char>('0' + static_cast<int>(j.type())));
        if (j.is_structured())
          for (const auto& [k, v] : j.items())
            out += k + "(" + self(self, v) + ")";
        return out;
      };
      EXPECT_EQ(shape(shape, *a), shape(shape, *b));
    } else {
      EXPECT_EQ(util::parse_form(second).size(), util::parse_form(full).size());
    }
    static const std::regex random_placeholder(R"(\{\{(id|uuid|int|hex|alnum|upper)[:}#])");
    if (std::regex_search(store.load(f.provider, f.event).text, random_placeholder)) {
      EXPECT_NE(first, second) << "fresh values";
    }
  }
}

TEST(Fixtures, StripeEventsCarryStripeShapes) {
  const core::FixtureStore store;
  const auto body = render(store, "stripe", "invoice.payment_failed").body;
  const auto j = nlohmann::json::parse(body);
  EXPECT_TRUE(j["id"].get<std::string>().starts_with("evt_"));
  EXPECT_EQ(j["object"], "event");
  EXPECT_TRUE(j["created"].is_number_integer());
  EXPECT_TRUE(j["data"]["object"]["id"].get<std::string>().starts_with("in_"));
  EXPECT_NEAR(j["created"].get<double>(), static_cast<double>(util::now_s()), 5.0);
  EXPECT_NE(body.find("\n  \""), std::string::npos) << "Stripe bodies are indented";
  // One render names one invoice everywhere.
  EXPECT_EQ(j["data"]["object"]["lines"]["data"][0]["invoice"], j["data"]["object"]["id"]);
}

TEST(Fixtures, EveryStripeEventIsAnEnvelopeOfThePinnedVersion) {
  const core::FixtureStore store;
  std::size_t events = 0;
  for (const auto& f : store.list("stripe")) {
    if (f.event.starts_with("scenarios/"))
      continue; // scenario files, not events
    SCOPED_TRACE(f.event);
    ++events;
    const auto j = nlohmann::json::parse(render(store, "stripe", f.event).body);
    EXPECT_EQ(j["object"], "event");
    EXPECT_EQ(j["api_version"], "2025-09-30.clover") << "the version fixtures/README.md records";
    EXPECT_EQ(j["type"], f.event);
    EXPECT_TRUE(j["id"].get<std::string>().starts_with("evt_"));
    EXPECT_TRUE(j["created"].is_number_integer());
    ASSERT_TRUE(j["data"]["object"].is_object());
    EXPECT_TRUE(j["data"]["object"]["object"].is_string()) << "data.object names its type";
    EXPECT_EQ(f.event.ends_with(".updated"), j["data"].contains("previous_attributes"))
        << "previous_attributes exactly for *.updated events";
  }
  EXPECT_GE(events, 249u);
}

TEST(Fixtures, QueriesNameAnEventAGlobOrAGroup) {
  std::vector<core::Fixture> list;
  for (const auto* e : {"pull_request.closed", "pull_request.opened", "pull_request_review.edited",
                        "push", "orders/create", "orders/paid"}) {
    core::Fixture f;
    f.provider = "x";
    f.event = e;
    list.push_back(f);
  }
  const auto events = [](const core::FixtureMatch& m) {
    std::vector<std::string> out;
    for (const auto& f : m.fixtures)
      out.push_back(f.event);
    return out;
  };
  auto m = core::match_fixtures(list, "push");
  EXPECT_TRUE(m.exact);
  EXPECT_EQ(events(m), std::vector<std::string>{"push"});
  m = core::match_fixtures(list, "pull_request");
  EXPECT_FALSE(m.exact);
  EXPECT_EQ(events(m), (std::vector<std::string>{"pull_request.closed", "pull_request.opened"}));
  EXPECT_EQ(events(core::match_fixtures(list, "orders")),
            (std::vector<std::string>{"orders/create", "orders/paid"}));
  EXPECT_EQ(events(core::match_fixtures(list, "pull_request*")).size(), 3u);
  EXPECT_EQ(events(core::match_fixtures(list, "*.opened")),
            std::vector<std::string>{"pull_request.opened"});
  EXPECT_TRUE(core::match_fixtures(list, "pull").fixtures.empty()) << "a group is a whole word";
  EXPECT_TRUE(core::match_fixtures(list, "pull_request.").fixtures.empty());
  const auto names = core::fixture_query_names(list);
  EXPECT_NE(std::find(names.begin(), names.end(), "pull_request"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "orders"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "pull_request.opened"), names.end());
}

TEST(Fixtures, ScenarioFilesAreNotEvents) {
  core::Fixture f;
  EXPECT_FALSE(core::parse_fixture_path("stripe/scenarios/checkout.json", f));
  EXPECT_TRUE(core::parse_fixture_path("stripe/invoice.paid.json", f));
  EXPECT_TRUE(core::parse_fixture_path("shopify/orders/create.json", f));
  EXPECT_EQ(f.event, "orders/create");
}

TEST(Fixtures, UserDirectoryAddsAndShadows) {
  const auto dir = fs::temp_directory_path() / ("hooktool-fixtures-" + std::to_string(::getpid()));
  fs::create_directories(dir / "stripe");
  std::ofstream(dir / "stripe" / "custom.thing.json")
      << R"({"id":"{{id:evt_}}","type":"custom.thing"})";
  std::ofstream(dir / "stripe" / "invoice.paid.json")
      << R"({"id":"evt_mine","type":"invoice.paid"})";
  const core::FixtureStore store({dir});
  EXPECT_EQ(store.load("stripe", "custom.thing").origin,
            (dir / "stripe" / "custom.thing.json").string());
  EXPECT_NE(store.load("stripe", "invoice.paid").text.find("evt_mine"), std::string::npos);
  EXPECT_THROW((void)store.load("stripe", "../etc/passwd"), hooktool::Error);
  EXPECT_THROW((void)store.load("stripe", "nope"), hooktool::Error);
  EXPECT_THROW(core::FixtureStore({dir / "missing"}), hooktool::Error);
  fs::remove_all(dir);
}

TEST(Fixtures, InstalledDirectorySitsBetweenUserDirectoriesAndBuiltIns) {
  const auto root =
      fs::temp_directory_path() / ("hooktool-installed-" + std::to_string(::getpid()));
  const auto installed = root / "share" / "hooktool" / "fixtures";
  const auto user = root / "user";
  fs::create_directories(installed / "stripe");
  fs::create_directories(user / "stripe");
  std::ofstream(installed / "stripe" / "invoice.paid.json")
      << R"({"id":"evt_installed","type":"invoice.paid"})";
  std::ofstream(installed / "stripe" / "site.extra.json") << R"({"id":"evt_extra"})";
  std::ofstream(user / "stripe" / "site.extra.json") << R"({"id":"evt_user"})";
  const core::FixtureStore store({user}, installed);
  const auto paid = store.load("stripe", "invoice.paid");
  EXPECT_NE(paid.text.find("evt_installed"), std::string::npos) << "an edited installed file wins";
  EXPECT_TRUE(paid.installed);
  EXPECT_NE(store.load("stripe", "site.extra").text.find("evt_user"), std::string::npos)
      << "user directories beat the installed one";
  EXPECT_EQ(store.load("stripe", "charge.refunded").origin, "built-in")
      << "events missing from the installed directory still come built in";
  const core::FixtureStore none({}, {});
  EXPECT_EQ(none.load("stripe", "invoice.paid").origin, "built-in");
  fs::remove_all(root);
}
