// send's load mode (--count/--concurrency/--rate/--duration) against an in-test receiver.
#include "process.hpp"
#include "receiver.hpp"
#include "reference_crypto.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <set>

namespace {

using e2e::Receiver;
using json = nlohmann::json;

const std::string kSecret = "load-secret";

bool github_valid(const e2e::ReceivedRequest& q) {
  return q.header("X-Hub-Signature-256").value_or("") ==
         "sha256=" + e2e::ref::hex(e2e::ref::hmac(EVP_sha256(), kSecret, q.body));
}

e2e::ProcessResult load(const std::vector<std::string>& extra, const std::string& url) {
  std::vector<std::string> args{"send", "github", "push", "--to", url, "--secret", kSecret};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::hooktool(args);
}

} // namespace

TEST(LoadMode, CountDeliversEachFreshlySignedOnce) {
  Receiver rx;
  const auto r = load({"--count", "60", "--concurrency", "8", "--json"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 60u);
  std::set<std::string> deliveries;
  std::set<std::string> bodies;
  for (const auto& q : reqs) {
    EXPECT_TRUE(github_valid(q));
    deliveries.insert(q.header("X-GitHub-Delivery").value_or(""));
    bodies.insert(q.body);
  }
  EXPECT_EQ(deliveries.size(), 60u) << "every delivery has its own id";
  EXPECT_EQ(bodies.size(), 60u) << "every payload is rendered afresh";

  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("requests"), 60);
  EXPECT_EQ(summary.at("statuses").at("200"), 60);
  EXPECT_TRUE(summary.at("errors").empty());
  EXPECT_TRUE(summary.at("ok").get<bool>());
  for (const auto* key : {"p50", "p90", "p99", "max"})
    EXPECT_GE(summary.at("latency_ms").at(key).get<double>(), 0.0) << key;
  EXPECT_LE(summary.at("latency_ms").at("p50").get<double>(),
            summary.at("latency_ms").at("max").get<double>());
  EXPECT_GT(summary.at("requests_per_second").get<double>(), 0.0);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one JSON object, nothing else on stdout";
}

TEST(LoadMode, SamePayloadRepeatsOneSignedDelivery) {
  Receiver rx;
  const auto r = load({"--count", "20", "--concurrency", "4", "--same-payload"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto reqs = rx.requests();
  ASSERT_EQ(reqs.size(), 20u);
  for (const auto& q : reqs) {
    EXPECT_EQ(q.body, reqs[0].body);
    EXPECT_EQ(q.header("X-GitHub-Delivery"), reqs[0].header("X-GitHub-Delivery"));
  }
}

TEST(LoadMode, HumanSummaryAndNoProgressWhenNotATerminal) {
  Receiver rx;
  const auto r = load({"--count", "10", "--concurrency", "2"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("10 deliveries in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("200 × 10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("latency: p50"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress bar on a pipe: " << r.err;
}

TEST(LoadMode, UnexpectedStatusesFailTheRun) {
  Receiver rx;
  rx.set_statuses({200, 500});
  const auto r = load({"--count", "6", "--json"}, rx.url());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto summary = json::parse(r.out);
  EXPECT_FALSE(summary.at("ok").get<bool>());
  EXPECT_GE(summary.at("unexpected").get<int>(), 1);
  EXPECT_EQ(summary.at("requests"), 6);
}

TEST(LoadMode, UnreachableTargetCountsConnectErrors) {
  const auto r = load({"--count", "5", "--json", "--timeout", "2"}, "http://127.0.0.1:1/hook");
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto summary = json::parse(r.out);
  EXPECT_EQ(summary.at("errors").at("connect"), 5);
}

TEST(LoadMode, RateLimitsStarts) {
  Receiver rx;
  // 20 deliveries at 100/s cannot finish before the 20th start at 190 ms.
  const auto r = load({"--count", "20", "--rate", "100", "--concurrency", "4", "--json"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(rx.requests().size(), 20u);
  EXPECT_GE(json::parse(r.out).at("duration_ms").get<int>(), 190);
}

TEST(LoadMode, DurationBoundsTheRun) {
  Receiver rx;
  const auto r = load({"--duration", "0.3", "--rate", "50", "--json"}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const auto n = json::parse(r.out).at("requests").get<int>();
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 16); // 0.3 s at 50/s starts at most 16
  EXPECT_EQ(rx.requests().size(), static_cast<std::size_t>(n));
}

TEST(LoadMode, SaveWritesOneRecordPerDelivery) {
  Receiver rx;
  const auto path = std::filesystem::temp_directory_path() /
                    ("hooktool-e2e-load-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(path);
  const auto r = load({"--count", "7", "--concurrency", "3", "--save", path.string()}, rx.url());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const auto rec = json::parse(line);
    EXPECT_EQ(rec.at("verification").at("status"), "valid");
    EXPECT_EQ(rec.at("response").at("status"), 200);
    ++lines;
  }
  EXPECT_EQ(lines, 7);
  std::filesystem::remove(path);
}

TEST(LoadMode, IncompatibleFlagsAreUsageErrors) {
  Receiver rx;
  for (const auto& extra :
       std::vector<std::vector<std::string>>{{"--concurrency", "4"},
                                             {"--rate", "10"},
                                             {"--same-payload"},
                                             {"--count", "5", "--retries", "1"},
                                             {"--count", "5", "--duplicate", "2"},
                                             {"--count", "0"}}) {
    const auto r = load(extra, rx.url());
    EXPECT_EQ(r.exit_code, 2) << r.describe();
  }
  EXPECT_EQ(rx.requests().size(), 0u);
}
