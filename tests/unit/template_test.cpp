#include "core/template.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using namespace hooktool;
using nlohmann::ordered_json;

namespace {
constexpr std::int64_t kNow = 1764065326123; // 2025-11-25T10:08:46.123Z
}

TEST(Template, GeneratorsHaveTheirShapes) {
  core::Renderer r(kNow, "invoice.paid");
  EXPECT_EQ(r.value_of("now"), 1764065326);
  EXPECT_EQ(r.value_of("now-60"), 1764065266);
  EXPECT_EQ(r.value_of("now_ms"), kNow);
  EXPECT_EQ(r.value_of("now_iso"), "2025-11-25T10:08:46Z");
  EXPECT_EQ(r.value_of("now_iso_ms"), "2025-11-25T10:08:46.123Z");
  EXPECT_EQ(r.value_of("now_iso_offset+3600"), "2025-11-25T11:08:46+00:00");
  EXPECT_EQ(r.value_of("now_rfc2822"), "Tue, 25 Nov 2025 10:08:46 +0000");
  EXPECT_EQ(r.value_of("event"), "invoice.paid");
  const auto id = r.value_of("id:evt_").get<std::string>();
  EXPECT_EQ(id.size(), 28u);
  EXPECT_TRUE(id.starts_with("evt_"));
  EXPECT_TRUE(r.value_of("int:9").is_number_integer());
  EXPECT_EQ(r.value_of("int:9").dump().size(), 9u);
  EXPECT_EQ(r.value_of("hex:40").get<std::string>().size(), 40u);
  EXPECT_EQ(r.value_of("hex:7").get<std::string>().size(), 7u);
  EXPECT_EQ(r.value_of("upper:10")
                .get<std::string>()
                .find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            std::string::npos);
  EXPECT_TRUE(r.value_of("now_slack_ts").get<std::string>().starts_with("1764065326."));
}

TEST(Template, SameTokenSameValueTagsDiffer) {
  core::Renderer r(kNow, "e");
  EXPECT_EQ(r.value_of("uuid"), r.value_of("uuid"));
  EXPECT_NE(r.value_of("uuid"), r.value_of("uuid#2"));
  core::Renderer other(kNow, "e");
  EXPECT_NE(r.value_of("uuid"), other.value_of("uuid"));
}

TEST(Template, UnknownOrBadPlaceholdersAreUsageErrors) {
  core::Renderer r(kNow, "e");
  EXPECT_THROW(r.value_of("nope"), Error);
  EXPECT_THROW(r.value_of("int:0"), Error);
  EXPECT_THROW(r.value_of("int:19"), Error);
  EXPECT_THROW(r.value_of("hex:x"), Error);
  EXPECT_THROW(r.value_of("now-x"), Error);
}

TEST(Template, JsonRenderTypesWholePlaceholdersAndSplicesOthers) {
  core::Renderer r(kNow, "e");
  const auto body = r.render_json(
      R"({"created":"{{now}}","url":"https://x/{{now}}","n":[1,"{{int:3}}"],"s":"é"})", "t", {},
      false);
  const auto j = ordered_json::parse(body);
  EXPECT_EQ(j["created"], 1764065326);
  EXPECT_EQ(j["url"], "https://x/1764065326");
  EXPECT_TRUE(j["n"][1].is_number_integer());
  EXPECT_NE(body.find("é"), std::string::npos) << "UTF-8 is kept, not escaped";
  EXPECT_EQ(body.find('\n'), std::string::npos);
  EXPECT_NE(r.render_json(R"({"a":1})", "t", {}, true).find("\n  \"a\": 1"), std::string::npos);
  EXPECT_THROW(r.render_json("{not json", "fixture.json", {}, false), Error);
}

TEST(Template, KeyOrderIsKept) {
  core::Renderer r(kNow, "e");
  EXPECT_EQ(r.render_json(R"({"z":1,"a":2,"m":3})", "t", {}, false), R"({"z":1,"a":2,"m":3})");
}

TEST(Template, FormValuesAreEncoded) {
  core::Renderer r(kNow, "e");
  EXPECT_EQ(r.render_form("Timestamp={{now_rfc2822}}&A=1\n", {}),
            "Timestamp=Tue%2C+25+Nov+2025+10%3A08%3A46+%2B0000&A=1");
}

TEST(Set, ParsesPathsAndValues) {
  const auto a = core::parse_set("data.object.amount_due=5000");
  EXPECT_EQ(a.path, (std::vector<std::string>{"data", "object", "amount_due"}));
  EXPECT_EQ(a.value, 5000);
  EXPECT_EQ(core::parse_set("a=hello world").value, "hello world");
  EXPECT_EQ(core::parse_set("a=true").value, true);
  EXPECT_EQ(core::parse_set("a={\"b\":1}").value["b"], 1);
  EXPECT_EQ(core::parse_set("a=\"42\"").value, "42");
  EXPECT_EQ(core::parse_set("a=x=y").value, "x=y");
  EXPECT_EQ(core::parse_set("a\\.b.c=1").path, (std::vector<std::string>{"a.b", "c"}));
  EXPECT_THROW(core::parse_set("novalue"), Error);
  EXPECT_THROW(core::parse_set("a..b=1"), Error);
  EXPECT_THROW(core::parse_set("=1"), Error);
}

TEST(Set, AppliesToObjectsArraysAndCreatesFields) {
  auto doc = ordered_json::parse(R"({"data":{"lines":[{"amount":1}]},"s":"x"})");
  core::apply_set(doc, core::parse_set("data.lines.0.amount=7"));
  core::apply_set(doc, core::parse_set("data.new.deep=ok", core::SetMode::create));
  core::apply_set(doc, core::parse_set("data.lines.1={\"amount\":2}", core::SetMode::create));
  EXPECT_EQ(doc["data"]["lines"][0]["amount"], 7);
  EXPECT_EQ(doc["data"]["new"]["deep"], "ok");
  EXPECT_EQ(doc["data"]["lines"][1]["amount"], 2);
  EXPECT_THROW(core::apply_set(doc, core::parse_set("data.lines.5=1")), Error);
  EXPECT_THROW(core::apply_set(doc, core::parse_set("data.lines.x=1")), Error);
  EXPECT_THROW(core::apply_set(doc, core::parse_set("s.inner=1")), Error);
}

TEST(Set, ExistingModeRefusesNewKeysWithTheNearestPath) {
  auto doc = ordered_json::parse(R"({"data":{"object":{"amount_paid":1}},"list":[1]})");
  try {
    core::apply_set(doc, core::parse_set("data.objct.amount_paid=5000"));
    FAIL() << "a path the payload does not have was added";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean data.object.amount_paid?"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("--set-new"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(doc["data"].contains("objct"));
  EXPECT_THROW(core::apply_set(doc, core::parse_set("list.1=2")), Error);
  core::apply_set(doc, core::parse_set("data.object.amount_paid=5000"));
  EXPECT_EQ(doc["data"]["object"]["amount_paid"], 5000);
}

TEST(Set, WholeNumbersWithAnExponentStayIntegers) {
  EXPECT_EQ(core::parse_set("a=1e3").value.dump(), "1000");
  EXPECT_EQ(core::parse_set("a=2.5E3").value.dump(), "2500");
  EXPECT_EQ(core::parse_set("a=1000").value.dump(), "1000");
  EXPECT_EQ(core::parse_set("a=2.5").value.dump(), "2.5");
  EXPECT_EQ(core::parse_set("a=1.5e0").value.dump(), "1.5");
}

TEST(Set, FormFieldsAreReplacedOrAppended) {
  core::Renderer r(kNow, "e");
  EXPECT_EQ(r.render_form("A=1&B=2&A=3", {core::parse_set("A=x y")}), "A=x+y&B=2");
  EXPECT_EQ(r.render_form("A=1", {core::parse_set("Body=héllo")}), "A=1&Body=h%C3%A9llo");
}

// The compiled path (serialise once, fill per render) must give the document path's bytes.
TEST(Template, CompiledFillMatchesDocumentRender) {
  const std::string text =
      R"({"id":"{{id:evt_}}","created":"{{now}}","n":"{{int:5}}","url":"https://x/{{now}}/{{event}}",)"
      R"("nested":{"list":["{{uuid}}",1,"lit \"q\" {{hex:4}}"]},"t":"{{now_iso}}","caf\u00e9":"é"})";
  for (const bool pretty : {false, true}) {
    core::Renderer r(kNow, "orders/create");
    const auto via_document = r.render_json(text, "t", {}, pretty);
    const auto compiled = nlohmann::ordered_json::parse(text).dump(pretty ? 2 : -1, ' ', false);
    EXPECT_EQ(r.fill_json_text(compiled), via_document) << "pretty=" << pretty;
  }
}

// Load mode overwrites only the values of an earlier rendering: the bytes must be the ones a
// full fill with the same values gives, for every generator, JSON and form.
TEST(Template, PatchingSlotsGivesTheBytesOfAFullFill) {
  const std::string json =
      R"({"id":"{{id:evt_}}","created":"{{now}}","n":"{{int:5}}","url":"https://x/{{now}}/{{event}}",)"
      R"("u":["{{uuid}}","{{hex:7}}","{{alnum:9}}","{{upper:4}}","{{now_ms}}","{{now_iso_ms}}"],)"
      R"("t":"{{now_iso-60}} {{now_iso_offset}} {{now_rfc2822}} {{now_slack_ts}}","l":"{{literal:x}}",)"
      R"("same":"{{uuid}}","tagged":"{{uuid#2}}"})";
  std::vector<core::Renderer::Slot> slots;
  core::Renderer first(kNow, "orders/create");
  const auto base = first.fill_json_text(json, &slots);
  EXPECT_EQ(slots.size(), 17u) << "every placeholder but the literal";
  for (int i = 0; i < 20; ++i) {
    core::Renderer next(kNow + 1000LL * 3600 * 24 * i + i, "orders/create");
    auto patched = base;
    ASSERT_TRUE(next.patch(patched, slots));
    EXPECT_EQ(patched, next.fill_json_text(json)) << "round " << i;
    EXPECT_NE(patched, base);
  }
  const std::string form = "A={{uuid}}&B={{now_iso}}&C=x%20{{now_rfc2822}}&D={{int:3}}";
  core::Renderer f1(kNow, "e");
  const auto form_base = f1.fill_form_text(form, &slots);
  ASSERT_EQ(slots.size(), 4u);
  EXPECT_TRUE(slots[1].form);
  core::Renderer f2(kNow + 86'400'000, "e");
  auto patched = form_base;
  ASSERT_TRUE(f2.patch(patched, slots));
  EXPECT_EQ(patched, f2.fill_form_text(form));
}

// A value whose text is not as long as the one it would replace (a time before 2001 has nine
// digits) is not patched in: the caller renders in full.
TEST(Template, PatchRefusesAValueOfAnotherWidth) {
  const std::string json = R"({"created":"{{now}}","id":"{{uuid}}"})";
  std::vector<core::Renderer::Slot> slots;
  core::Renderer first(kNow, "e");
  auto text = first.fill_json_text(json, &slots);
  core::Renderer old(946'684'799'000, "e"); // 1999-12-31T23:59:59Z: 9-digit seconds
  EXPECT_FALSE(old.patch(text, slots));
}

// {{literal:TEXT}} is the escape for a literal {{TEXT}} (Shopify's money formats).
TEST(Template, LiteralEscapeRendersBracesInJsonStrings) {
  core::Renderer r(kNow, "shop/update");
  const auto body = r.render_json(
      R"({"money_format":"${{literal:amount}}","with":"€{{literal:amount_with_comma_separator}} EUR","n":"{{now}}","only":"{{literal:amount}}"})",
      "t", {}, false);
  const auto j = ordered_json::parse(body);
  EXPECT_EQ(j["money_format"], "${{amount}}");
  EXPECT_EQ(j["with"], "€{{amount_with_comma_separator}} EUR");
  EXPECT_EQ(j["only"], "{{amount}}") << "a string that is only the escape stays a string";
  EXPECT_EQ(j["n"], 1764065326) << "placeholders beside the escape are still filled";
  EXPECT_EQ(r.value_of("literal:amount"), "{{amount}}");
  // TEXT is kept as the file writes it: JSON escapes are not escaped a second time.
  const auto quoted = r.render_json(R"({"q":"{{literal:say \"hi\"}}"})", "t", {}, false);
  EXPECT_EQ(ordered_json::parse(quoted)["q"], "{{say \"hi\"}}") << quoted;
}

TEST(Template, LiteralEscapeAtTheEndOfTheBody) {
  core::Renderer r(kNow, "e");
  EXPECT_EQ(r.fill_json_text(R"("x {{literal:amount}})"), R"("x {{amount}})");
  EXPECT_EQ(r.fill_json_text("{{literal:amount}}"), "{{amount}}");
  // In a form the text is form-encoded like the rest of the value.
  EXPECT_EQ(r.render_form("Format=${{literal:amount}}", {}), "Format=$%7B%7Bamount%7D%7D");
  // As the rest of a form fixture, TEXT is already form-encoded: '+' is a space.
  EXPECT_EQ(r.render_form("F={{literal:a+b}}", {}), "F=%7B%7Ba+b%7D%7D");
}

TEST(Template, UnescapedUnknownPlaceholderStillFails) {
  core::Renderer r(kNow, "e");
  try {
    r.render_json(R"({"money_format":"${{amount}}"})", "t", {}, false);
    FAIL() << "{{amount}} rendered without the escape";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown fixture placeholder {{amount}}"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("{{literal:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(r.render_form("Format={{amount}}", {}), Error);
  EXPECT_THROW(r.value_of("literally:amount"), Error);
}
