// The web inspector's store: the in-memory window, the filter, waiting for new deliveries and
// reading older ones back from the capture file.
#include "../e2e/temp_dir.hpp"
#include "core/capture.hpp"
#include "webui/store.hpp"

#include <gtest/gtest.h>

namespace hooktool::webui {
namespace {

core::CaptureRecord record(const std::string& id, const std::string& provider = "github",
                           const std::string& event = "push", int status = 200) {
  core::CaptureRecord r;
  r.id = id;
  r.received_at_ms = 1764590000000;
  r.method = "POST";
  r.path = "/hooks";
  r.headers = {{"Content-Type", "application/json"}, {"X-Trace", "Needle-" + id}};
  r.body = R"({"id":")" + id + R"("})";
  r.provider = provider;
  r.event_type = event;
  r.verification.status = model::VerdictStatus::valid;
  r.response_status = status;
  return r;
}

std::vector<std::string> ids(const std::vector<std::shared_ptr<const Entry>>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back(e->record.id);
  return out;
}

TEST(InspectorFilter, ParsesTheQueryStringTheFilterBoxWrites) {
  const auto f = parse_filter("provider=GitHub&event=invoice.*&verdict=invalid&status=4xx&path=%2Fb"
                              "&q=Hello+World&other=1");
  EXPECT_EQ(f.provider, "GitHub");
  EXPECT_EQ(f.event, "invoice.*");
  EXPECT_EQ(f.verdict, "invalid");
  EXPECT_EQ(f.status, "4xx");
  EXPECT_EQ(f.path, "/b");
  EXPECT_EQ(f.text, "hello world"); // matched case-insensitively
  EXPECT_TRUE(parse_filter("").empty());
}

TEST(InspectorFilter, MatchesEachField) {
  const auto r = record("cap_1", "stripe", "invoice.paid", 404);
  EXPECT_TRUE(parse_filter("provider=STRIPE").matches(r));
  EXPECT_FALSE(parse_filter("provider=github").matches(r));
  EXPECT_TRUE(parse_filter("event=invoice.*").matches(r));
  EXPECT_FALSE(parse_filter("event=customer.*").matches(r));
  EXPECT_TRUE(parse_filter("verdict=valid").matches(r));
  EXPECT_FALSE(parse_filter("verdict=invalid").matches(r));
  EXPECT_TRUE(parse_filter("status=4xx").matches(r));
  EXPECT_TRUE(parse_filter("status=404").matches(r));
  EXPECT_FALSE(parse_filter("status=2xx").matches(r));
  EXPECT_TRUE(parse_filter("path=hook").matches(r));
  EXPECT_FALSE(parse_filter("path=other").matches(r));
  EXPECT_TRUE(parse_filter("q=needle-cap_1").matches(r));  // a header value
  EXPECT_TRUE(parse_filter("q=%22ID%22").matches(r));      // the body
  EXPECT_TRUE(parse_filter("q=post+%2Fhooks").matches(r)); // the start line
  EXPECT_FALSE(parse_filter("q=absent").matches(r));
}

TEST(InspectorStore, KeepsTheNewestInItsWindowNewestFirst) {
  Store store(StoreOptions{3, 1u << 20, ""});
  for (int i = 1; i <= 5; ++i)
    store.observe(record("cap_" + std::to_string(i)), std::nullopt);
  const auto page = store.list({}, 0, 10);
  EXPECT_EQ(ids(page.entries), (std::vector<std::string>{"cap_5", "cap_4", "cap_3"}));
  EXPECT_FALSE(page.more);
  EXPECT_FALSE(page.history_before); // no capture file
  EXPECT_EQ(page.entries.front()->seq, 5u);
  EXPECT_EQ(store.find("cap_2"), nullptr);
  ASSERT_NE(store.find("cap_4"), nullptr);
}

TEST(InspectorStore, BoundsTheBytesItHolds) {
  Store store(StoreOptions{1000, 10000, ""});
  for (int i = 1; i <= 10; ++i) {
    auto r = record("cap_" + std::to_string(i));
    r.body.assign(4000, 'x');
    store.observe(r, std::nullopt);
  }
  const auto page = store.list({}, 0, 100);
  EXPECT_EQ(ids(page.entries), (std::vector<std::string>{"cap_10", "cap_9"}));
}

TEST(InspectorStore, PagesBackwardsWithBefore) {
  Store store(StoreOptions{});
  for (int i = 1; i <= 5; ++i)
    store.observe(record("cap_" + std::to_string(i)), std::nullopt);
  auto page = store.list({}, 0, 2);
  EXPECT_EQ(ids(page.entries), (std::vector<std::string>{"cap_5", "cap_4"}));
  EXPECT_TRUE(page.more);
  page = store.list({}, page.entries.back()->seq, 2);
  EXPECT_EQ(ids(page.entries), (std::vector<std::string>{"cap_3", "cap_2"}));
  page = store.list({}, page.entries.back()->seq, 2);
  EXPECT_EQ(ids(page.entries), (std::vector<std::string>{"cap_1"}));
  EXPECT_FALSE(page.more);
}

TEST(InspectorStore, WaitReturnsWhatArrivedAfterAndHonoursTheFilter) {
  Store store(StoreOptions{});
  store.observe(record("cap_1", "github"), std::nullopt);
  store.observe(record("cap_2", "stripe"), std::nullopt);
  store.observe(record("cap_3", "github"), std::nullopt);
  const auto all = store.wait_after(1, {}, std::chrono::milliseconds(0), 10);
  EXPECT_EQ(ids(all), (std::vector<std::string>{"cap_2", "cap_3"})); // oldest first
  const auto stripe =
      store.wait_after(0, parse_filter("provider=stripe"), std::chrono::milliseconds(0), 10);
  EXPECT_EQ(ids(stripe), (std::vector<std::string>{"cap_2"}));
  EXPECT_TRUE(store.wait_after(3, {}, std::chrono::milliseconds(5), 10).empty()); // timed out
}

TEST(InspectorStore, CloseEndsEveryWaitAtOnce) {
  Store store(StoreOptions{});
  store.close();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(store.wait_after(0, {}, std::chrono::seconds(30), 10).empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// A capture file of n records whose bodies are `body_size` bytes; returns each line's offset.
std::vector<std::uint64_t> write_capture(const std::string& path, int n, std::size_t body_size) {
  std::string text;
  std::vector<std::uint64_t> offsets;
  for (int i = 1; i <= n; ++i) {
    auto r = record("cap_" + std::to_string(i), i % 2 == 0 ? "stripe" : "github");
    r.body = std::string(body_size, 'a' + static_cast<char>(i % 26));
    offsets.push_back(text.size());
    text += core::to_capture_line(r);
  }
  e2e::write_file(path, text);
  return offsets;
}

TEST(InspectorStore, ReadsOlderDeliveriesBackFromTheCaptureFile) {
  const e2e::TempDir dir;
  const auto path = dir.file("c.jsonl");
  // Lines of ~30 KB straddle the reader's 64 KiB chunks.
  const auto offsets = write_capture(path, 9, 30000);
  const Store store(StoreOptions{1000, 64u << 20, path});
  const auto size = std::filesystem::file_size(path);
  std::vector<std::string> seen;
  std::optional<std::uint64_t> before = size;
  for (int round = 0; before && round < 10; ++round) {
    const auto page = store.history({}, *before, 4);
    for (const auto& e : page.entries) {
      seen.push_back(e.record.id);
      const auto n = std::stoul(e.record.id.substr(4));
      EXPECT_EQ(e.offset, offsets.at(n - 1)) << e.record.id;
      EXPECT_EQ(e.record.body.size(), 30000u);
    }
    before = page.next_before;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"cap_9", "cap_8", "cap_7", "cap_6", "cap_5", "cap_4",
                                            "cap_3", "cap_2", "cap_1"}));
  const auto stripe = store.history(parse_filter("provider=stripe"), size, 100);
  ASSERT_EQ(stripe.entries.size(), 4u);
  EXPECT_EQ(stripe.entries.front().record.id, "cap_8");
  EXPECT_FALSE(stripe.next_before); // reached the start
}

TEST(InspectorStore, HistoryScansABoundedNumberOfLinesPerCall) {
  const e2e::TempDir dir;
  const auto path = dir.file("c.jsonl");
  const auto offsets = write_capture(path, 20, 10);
  const Store store(StoreOptions{1000, 64u << 20, path});
  const auto page =
      store.history(parse_filter("q=nowhere"), std::filesystem::file_size(path), 10, 5);
  EXPECT_TRUE(page.entries.empty());
  ASSERT_TRUE(page.next_before);
  EXPECT_EQ(*page.next_before, offsets.at(15)); // five lines examined: 20 … 16
}

TEST(InspectorStore, FreeTextOverTheFileFindsWhatTheFilterFindsInMemory) {
  const e2e::TempDir dir;
  const auto path = dir.file("c.jsonl");
  write_capture(path, 4, 10);
  auto binary = record("cap_bin");
  binary.body = std::string("\xff\xfe zzMark", 9); // not UTF-8: body_base64 in the line
  auto quoted = record("cap_quote");
  quoted.body = R"(say "quoted" here)"; // the line holds \"quoted\"
  std::string text =
      e2e::read_file(path) + core::to_capture_line(binary) + core::to_capture_line(quoted);
  e2e::write_file(path, text);
  const Store store(StoreOptions{1000, 64u << 20, path});
  const auto size = std::filesystem::file_size(path);
  const auto found = [&](const std::string& query) {
    std::vector<std::string> out;
    for (const auto& e : store.history(parse_filter(query), size, 100).entries)
      out.push_back(e.record.id);
    return out;
  };
  EXPECT_EQ(found("q=NEEDLE-CAP_3"), (std::vector<std::string>{"cap_3"}));     // header, any case
  EXPECT_EQ(found("q=zzmark"), (std::vector<std::string>{"cap_bin"}));         // decoded body
  EXPECT_EQ(found("q=%22quoted%22"), (std::vector<std::string>{"cap_quote"})); // escaped in JSON
  EXPECT_EQ(found("q=x-trace%3A+needle-cap_2"), (std::vector<std::string>{"cap_2"}));
  EXPECT_EQ(found("q=post+%2Fhooks").size(), 6u); // the start line joins two fields
  EXPECT_TRUE(found("q=absent").empty());
}

TEST(InspectorStore, ReadAtChecksTheOffsetAndTheId) {
  const e2e::TempDir dir;
  const auto path = dir.file("c.jsonl");
  const auto offsets = write_capture(path, 3, 10);
  const Store store(StoreOptions{1000, 64u << 20, path});
  ASSERT_TRUE(store.read_at(offsets[1], "cap_2"));
  EXPECT_EQ(store.read_at(offsets[1], "cap_2")->record.id, "cap_2");
  EXPECT_FALSE(store.read_at(offsets[1], "cap_3"));     // another delivery's line
  EXPECT_FALSE(store.read_at(offsets[1] + 5, "cap_2")); // not a line start
  ASSERT_TRUE(store.search_file("cap_3"));
  EXPECT_EQ(store.search_file("cap_3")->offset, offsets[2]);
  EXPECT_FALSE(store.search_file("cap_4"));
}

TEST(InspectorStore, HistoryStartsBeforeTheOldestLineInMemory) {
  const e2e::TempDir dir;
  const auto path = dir.file("c.jsonl");
  const auto offsets = write_capture(path, 4, 10); // two from earlier runs, two from this one
  Store store(StoreOptions{1000, 64u << 20, path});
  store.observe(record("cap_3"), offsets[2]);
  store.observe(record("cap_4"), offsets[3]);
  const auto page = store.list({}, 0, 10);
  EXPECT_EQ(page.entries.size(), 2u);
  ASSERT_TRUE(page.history_before);
  EXPECT_EQ(*page.history_before, offsets[2]);
  const auto older = store.history({}, *page.history_before, 10);
  ASSERT_EQ(older.entries.size(), 2u);
  EXPECT_EQ(older.entries[0].record.id, "cap_2");
}

} // namespace
} // namespace hooktool::webui
