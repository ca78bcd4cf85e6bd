#include "core/capture_reader.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace hooktool;
namespace fs = std::filesystem;

namespace {

std::string good_line(const std::string& id) {
  core::CaptureRecord r;
  r.id = id;
  r.received_at_ms = 1764065326123;
  r.body = "{}";
  auto line = core::to_capture_line(r);
  line.pop_back(); // callers place the newlines
  return line;
}

fs::path write(const std::string& name, const std::string& content) {
  const auto path =
      fs::temp_directory_path() / ("hooktool-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// Every field of a capture record set, with values that need escaping.
core::CaptureRecord full_record() {
  core::CaptureRecord r;
  r.id = "cap_0123456789ABCDEFabcd";
  r.received_at_ms = 1764065326123;
  r.method = "PATCH";
  r.path = "/hooks/in";
  r.query = "a=1&b=%20";
  r.url = "http://localhost:3000/hooks/in?a=1&b=%20";
  r.headers = {{"Content-Type", "application/json"},
               {"x-repeat", "one"},
               {"X-Repeat", "two \"quoted\""},
               {"Stripe-Signature", "t=1,v1=ab"}};
  r.body = "{\"type\":\"invoice.paid\",\"note\":\"caf\xC3\xA9\\n\"}\n";
  r.remote = "127.0.0.1:54321";
  r.provider = "stripe";
  r.event_type = "invoice.paid";
  r.event_id = "evt_1";
  r.verification.status = decltype(r.verification.status)::expired;
  r.verification.reason = "timestamp is 400 s old";
  r.response_status = 502;
  r.duration_ms = 37;
  r.duplicate = core::DuplicateInfo{3, "cap_first", 1764065300000};
  r.forward = core::ForwardInfo{"http://localhost:3000/billing", 503, 12, "", ""};
  return r;
}

void expect_same(const core::CaptureRecord& a, const core::CaptureRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.received_at_ms, b.received_at_ms);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.query, b.query);
  EXPECT_EQ(a.url, b.url);
  ASSERT_EQ(a.headers.size(), b.headers.size());
  for (std::size_t i = 0; i < a.headers.size(); ++i) {
    EXPECT_EQ(a.headers[i].name, b.headers[i].name);
    EXPECT_EQ(a.headers[i].value, b.headers[i].value);
  }
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.remote, b.remote);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.event_type, b.event_type);
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.verification.status, b.verification.status);
  EXPECT_EQ(a.verification.reason, b.verification.reason);
  EXPECT_EQ(a.response_status, b.response_status);
  EXPECT_EQ(a.duration_ms, b.duration_ms);
  ASSERT_EQ(a.duplicate.has_value(), b.duplicate.has_value());
  if (a.duplicate) {
    EXPECT_EQ(a.duplicate->seen, b.duplicate->seen);
    EXPECT_EQ(a.duplicate->first_id, b.duplicate->first_id);
    EXPECT_EQ(a.duplicate->first_seen_ms, b.duplicate->first_seen_ms);
  }
  ASSERT_EQ(a.forward.has_value(), b.forward.has_value());
  if (a.forward) {
    EXPECT_EQ(a.forward->url, b.forward->url);
    EXPECT_EQ(a.forward->status, b.forward->status);
    EXPECT_EQ(a.forward->duration_ms, b.forward->duration_ms);
    EXPECT_EQ(a.forward->error, b.forward->error);
    // forward.body is shown on screen only, never written to a capture line.
  }
}

} // namespace

TEST(CaptureReader, EveryFieldSurvivesARoundTripByteForByte) {
  auto unreachable = full_record();
  unreachable.body = std::string("\x00\xff\x1f binary", 10); // written as body_base64
  unreachable.response_status.reset();
  unreachable.forward->status.reset();
  unreachable.forward->error = "Couldn't connect to server";
  unreachable.verification.reason.clear();
  for (const auto& record : {full_record(), unreachable}) {
    const auto line = core::to_capture_line(record);
    const auto parsed = core::parse_capture_line(line);
    expect_same(record, parsed);
    EXPECT_EQ(core::to_capture_line(parsed), line);
  }
  // The same through a capture file.
  const auto line = core::to_capture_line(full_record());
  const auto path = write("full.jsonl", line);
  core::CaptureReader reader(path.string());
  const auto read = reader.next();
  ASSERT_TRUE(read);
  EXPECT_EQ(core::to_capture_line(reader.parse(*read)), line);
  fs::remove(path);
}

TEST(CaptureReader, DuplicateAndForwardFieldsAreChecked) {
  const auto with = [](std::string_view field) {
    auto record = full_record();
    record.duplicate.reset();
    record.forward.reset();
    auto line = core::to_capture_line(record);
    line.pop_back(); // '\n'
    line.pop_back(); // '}'
    return line.append(",").append(field).append("}");
  };
  // Out-of-range numbers are dropped rather than converted (no UB, no wrap-around).
  const auto big = core::parse_capture_line(
      with(R"("forward":{"url":"u","status":99999999999,"duration_ms":1e300})"));
  ASSERT_TRUE(big.forward);
  EXPECT_FALSE(big.forward->status);
  EXPECT_EQ(big.forward->duration_ms, 0);
  EXPECT_THROW((void)core::parse_capture_line(with(R"("duplicate":{"first_seen":"yesterday"})")),
               Error);
  EXPECT_THROW((void)core::parse_capture_line(with(R"("forward":{"url":5})")), Error);
}

TEST(CaptureReader, StreamsLinesWithNumbersAndOffsetsSkippingBlanks) {
  const auto a = good_line("cap_a");
  const auto b = good_line("cap_b");
  const auto path = write("ok.jsonl", a + "\n   \n" + b);
  core::CaptureReader reader(path.string());
  const auto first = reader.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->number, 1u);
  EXPECT_EQ(first->offset, 0u);
  EXPECT_EQ(reader.parse(*first).id, "cap_a");
  const auto second = reader.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->number, 3u);
  EXPECT_EQ(second->offset, a.size() + 5);
  EXPECT_FALSE(second->complete); // no newline at the end of the file
  EXPECT_EQ(reader.parse(*second).id, "cap_b");
  EXPECT_FALSE(reader.next());
  // Second pass by offset.
  EXPECT_EQ(reader.parse(reader.read_at(first->offset, 1)).id, "cap_a");
  EXPECT_EQ(reader.parse(reader.read_at(second->offset, 3)).id, "cap_b");
  fs::remove(path);
}

TEST(CaptureReader, MalformedLineNamesFileAndLine) {
  const auto path = write("bad.jsonl", good_line("cap_a") + "\n{\"id\": oops}\n");
  core::CaptureReader reader(path.string());
  ASSERT_TRUE(reader.next());
  const auto bad = reader.next();
  ASSERT_TRUE(bad);
  try {
    (void)reader.parse(*bad);
    ADD_FAILURE() << "parsed a malformed line";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":2: ", 0), 0u) << e.what();
    EXPECT_EQ(e.code(), ExitCode::usage);
  }
  fs::remove(path);
}

TEST(CaptureReader, TornLastLineIsReportedAsTruncated) {
  const auto line = good_line("cap_a");
  const auto path = write("torn.jsonl", line + "\n" + line.substr(0, line.size() / 2));
  core::CaptureReader reader(path.string());
  ASSERT_TRUE(reader.next());
  const auto torn = reader.next();
  ASSERT_TRUE(torn);
  EXPECT_FALSE(torn->complete);
  try {
    (void)reader.parse(*torn);
    ADD_FAILURE() << "parsed a torn line";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
  fs::remove(path);
}

TEST(CaptureReader, MissingFileOrDirectoryIsAUsageError) {
  EXPECT_THROW(core::CaptureReader("/nonexistent/capture.jsonl"), Error);
  EXPECT_THROW(core::CaptureReader(fs::temp_directory_path().string()), Error);
}

// #18 item 2: a header value that is not UTF-8 goes through a file and back byte for byte.
TEST(CaptureReader, NonUtf8HeaderValueSurvivesAFileByteForByte) {
  auto r = full_record();
  r.headers.push_back({"X-Raw", std::string("caf\xe9 \xff", 6)});
  const auto path = write("obs-text.jsonl", core::to_capture_line(r));
  core::CaptureReader reader(path.string());
  const auto line = reader.next();
  ASSERT_TRUE(line);
  const auto back = reader.parse(*line);
  ASSERT_EQ(back.headers.size(), r.headers.size());
  EXPECT_EQ(back.headers.back().value, std::string("caf\xe9 \xff", 6));
  expect_same(back, r);
  fs::remove(path);
}

namespace {
// The message CaptureReader::parse gives for line `n` of a file, or "parsed".
std::string reader_error(const fs::path& path, std::size_t n) {
  core::CaptureReader reader(path.string());
  for (std::size_t i = 1; i < n; ++i)
    (void)reader.next();
  const auto line = reader.next();
  if (!line)
    return "no line";
  try {
    (void)reader.parse(*line);
  } catch (const Error& e) {
    return e.code() == ExitCode::usage ? e.what() : "not a usage error";
  }
  return "parsed";
}

std::string evil_line() {
  return R"({"id":"cap_evil","method":"POST","path":"/r","query":"",)"
         R"("headers":[["Host","x"],["X-A","v\r\nInjected: 1"]],"body":"{}"})";
}
} // namespace

// #18 item 6: a line whose header would inject a header line is refused with FILE:LINE and
// the header, escaped; on the first line too, where it is not "not a hooktool capture file".
TEST(CaptureReader, HeaderWithCrLfIsRefusedWithFileAndLine) {
  const std::string why = "header X-A: the value holds CR, LF or NUL, which would end the "
                          "header line: \"v\\x0D\\x0AInjected: 1\"";
  const auto second = write("evil2.jsonl", good_line("cap_a") + "\n" + evil_line() + "\n");
  EXPECT_EQ(reader_error(second, 1), "parsed");
  EXPECT_EQ(reader_error(second, 2), second.string() + ":2: " + why);
  const auto first = write("evil1.jsonl", evil_line() + "\n" + good_line("cap_a") + "\n");
  EXPECT_EQ(reader_error(first, 1), first.string() + ":1: " + why);
  fs::remove(second);
  fs::remove(first);
}
