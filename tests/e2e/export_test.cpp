// `hooktool export` and HAR end to end: capture with listen, export to HAR, replay the HAR
// byte for byte (signatures still verify), convert back to capture lines, and bad input.

#include "listen_fixture.hpp"
#include "process.hpp"
#include "receiver.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_export {

namespace {

using namespace std::chrono_literals;
using e2e::hooktool;
using e2e::listen_record;
using e2e::start_listen;
using e2e::TempDir;
using json = nlohmann::json;

const std::string kGithub = "gh-export-secret";
const std::string kShopify = "shpss_exportsecret";

// Sends a GitHub push and a Shopify order through a capturing listener; returns the capture path.
std::string make_capture(const TempDir& dir) {
  const auto capture = dir.file("cap.jsonl");
  auto l = start_listen({"--json", "--capture", capture, "--secret", "github=" + kGithub,
                         "--secret", "shopify=" + kShopify});
  const auto to = "127.0.0.1:" + std::to_string(l->port());
  EXPECT_EQ(
      hooktool({"send", "github", "push", "--to", to + "/gh?x=1", "--secret", kGithub}).exit_code,
      0);
  EXPECT_EQ(
      hooktool({"send", "shopify", "orders/create", "--to", to + "/shop", "--secret", kShopify})
          .exit_code,
      0);
  (void)listen_record(*l, 2);
  return capture;
}

TEST(ExportE2E, HarFromACaptureReplaysAndStillVerifies) {
  TempDir dir;
  const auto capture = make_capture(dir);
  const auto har = dir.file("out.har");
  const auto r = hooktool({"export", "--har", capture, "-o", har});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("exported 2 deliveries of 2"), std::string::npos) << r.err;
  struct stat st {};
  ASSERT_EQ(::stat(har.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U) << "a HAR holds signed deliveries: private like captures";
  const auto doc = json::parse(e2e::read_file(har));
  ASSERT_EQ(doc["log"]["entries"].size(), 2U);
  EXPECT_EQ(doc["log"]["entries"][0]["_hooktool"]["provider"], "github");
  EXPECT_NE(doc["log"]["entries"][0]["request"]["url"].get<std::string>().find("/gh?x=1"),
            std::string::npos);

  // Replayed from the HAR, the original signatures verify at a second listener.
  auto l =
      start_listen({"--json", "--secret", "github=" + kGithub, "--secret", "shopify=" + kShopify});
  const auto rep =
      hooktool({"replay", har, "--to", "127.0.0.1:" + std::to_string(l->port()), "--json"});
  ASSERT_EQ(rep.exit_code, 0) << rep.describe();
  const auto first = listen_record(*l, 1);
  const auto second = listen_record(*l, 2);
  EXPECT_EQ(first["path"], "/gh");
  EXPECT_EQ(first["query"], "x=1");
  EXPECT_EQ(first["verification"]["status"], "valid") << first.dump();
  EXPECT_EQ(second["verification"]["status"], "valid") << second.dump();
  const auto originals = e2e::json_lines(e2e::read_file(capture));
  EXPECT_EQ(first["body"], originals[0]["body"]) << "exact bytes";
  EXPECT_EQ(first["event_id"], originals[0]["event_id"]);
}

TEST(ExportE2E, SelectionFlagsAndStdoutAndBackToCaptureLines) {
  TempDir dir;
  const auto capture = make_capture(dir);
  const auto r = hooktool({"export", capture, "--provider", "shopify"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto doc = json::parse(r.out);
  ASSERT_EQ(doc["log"]["entries"].size(), 1U);
  EXPECT_EQ(doc["log"]["entries"][0]["_hooktool"]["event_type"], "orders/create");

  const auto har = dir.write("all.har", hooktool({"export", capture}).out);
  const auto back = hooktool({"export", "--jsonl", har, "--last", "1"});
  ASSERT_EQ(back.exit_code, 0) << back.describe();
  const auto lines = e2e::json_lines(back.out);
  ASSERT_EQ(lines.size(), 1U);
  const auto originals = e2e::json_lines(e2e::read_file(capture));
  EXPECT_EQ(lines[0]["id"], originals[1]["id"]);
  EXPECT_EQ(lines[0]["body"], originals[1]["body"]);
  EXPECT_EQ(lines[0]["headers"], originals[1]["headers"]);
  // The converted lines are a capture file replay reads.
  const auto converted = dir.write("back.jsonl", back.out);
  const auto curl = hooktool({"replay", converted, "--as-curl"});
  EXPECT_EQ(curl.exit_code, 0) << curl.describe();
}

// Every field a capture line can hold, duplicate and forward included: `export --jsonl` of a
// capture file writes each line back byte for byte.
TEST(ExportE2E, JsonlKeepsEveryFieldOfACaptureLine) {
  TempDir dir;
  const std::string line =
      R"({"id":"cap_0123456789ABCDEFabcd","received_at":"2026-11-25T10:08:46.123Z",)"
      R"("method":"POST","path":"/hooks","query":"a=1","url":"http://localhost:3000/hooks?a=1",)"
      R"("headers":[["Content-Type","application/json"],["X-Dup","1"],["x-dup","2"]],)"
      R"("body":"{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}\n","remote":"127.0.0.1:5000",)"
      R"("provider":"stripe","event_type":"invoice.paid","event_id":"evt_1",)"
      R"("verification":{"status":"invalid","reason":"signature does not match"},)"
      R"("response":{"status":502,"duration_ms":31},)"
      R"("duplicate":{"seen":2,"first_id":"cap_first","first_seen":"2026-11-25T10:08:40.000Z"},)"
      R"("forward":{"url":"http://localhost:3000/billing","status":null,"duration_ms":30,)"
      R"("error":"Couldn't connect to server"}})"
      "\n";
  const auto capture = dir.write("full.jsonl", line + line);
  const auto r = hooktool({"export", "--jsonl", capture});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, line + line);
  // And through HAR and back, hooktool's own fields ride in _hooktool.
  const auto har = dir.write("full.har", hooktool({"export", "--har", capture}).out);
  const auto back = hooktool({"export", "--jsonl", har, "--last", "1"});
  ASSERT_EQ(back.exit_code, 0) << back.describe();
  const auto lines = e2e::json_lines(back.out);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0]["id"], "cap_0123456789ABCDEFabcd");
}

TEST(ExportE2E, BadInputIsOneLineExit2AndLeavesNoOutputFile) {
  TempDir dir;
  const auto out = dir.file("out.har");
  const auto bad_line = dir.write("bad.jsonl", "{\"id\":\"x\"}\nnot json\n");
  auto r = hooktool({"export", bad_line, "-o", out});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_NE(r.err.find("bad.jsonl:1:"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out)) << "no half-written output";
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1)
      << "no temporary file left behind";

  const auto bad_har = dir.write("bad.har", "{\"log\": {\"entries\": [{\"request\": {}}]}}");
  r = hooktool({"replay", bad_har, "--to", "127.0.0.1:9"});
  EXPECT_EQ(r.exit_code, 2) << r.describe();
  EXPECT_EQ(r.err, "hooktool: " + bad_har + ": entry 1: no \"method\"\n");
  r = hooktool({"replay", bad_har, "--to", "127.0.0.1:9", "--skip-bad"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("0 read, 1 malformed skipped"), std::string::npos) << r.err;

  const auto not_har = dir.write("x.har", "<html>");
  r = hooktool({"export", "--jsonl", not_har});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("x.har: not a HAR file"), std::string::npos) << r.err;
  r = hooktool({"export", "--har", "--jsonl", not_har});
  EXPECT_EQ(r.exit_code, 2) << "--har and --jsonl exclude each other";
  r = hooktool({"export", dir.file("missing.jsonl")});
  EXPECT_EQ(r.exit_code, 2);
}

} // namespace

} // namespace e2e_export
