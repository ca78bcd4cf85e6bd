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

} // namespace

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
