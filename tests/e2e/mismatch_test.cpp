// End-to-end: an invalid signature says which usual mistake it matches, on listen's output
// (pretty and --json), in its capture file, and from `hooktool verify`. The deliveries are
// signed here over a re-serialised body (as a handler or proxy that parses the JSON does) and
// posted as the original raw bytes.

#include "background.hpp"
#include "listen_fixture.hpp"
#include "process.hpp"
#include "reference_crypto.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <ctime>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <string>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_mismatch {

namespace {

using e2e::Stream;
using json = nlohmann::json;

const std::string kMismatchStripe = "whsec_mismatchE2eSecret7f3a";
// A Stripe payload as Stripe sends it (pretty-printed), and its compact re-serialisation.
const std::string kMismatchPretty = "{\n  \"id\": \"evt_mm_1\",\n  \"object\": \"event\",\n  "
                                    "\"type\": \"invoice.paid\",\n  \"data\": {\n    \"object\": "
                                    "{\n      \"amount_paid\": 2000\n    }\n  }\n}\n";
const std::string kMismatchCompact = nlohmann::ordered_json::parse(kMismatchPretty).dump();
const std::string kCompactReason = "signature does not match; it matches the body re-serialised "
                                   "compactly (the sender parsed and re-encoded the JSON before "
                                   "signing)";

std::string stripe_header(const std::string& secret, const std::string& signed_body, long long ts) {
  const auto t = std::to_string(ts);
  return "t=" + t + ",v1=" + e2e::ref::hex(e2e::ref::hmac_sha256(secret, t + "." + signed_body));
}

long long mismatch_now() {
  return static_cast<long long>(std::time(nullptr));
}

// Posts the pretty body with a signature made over signed_body; returns the HTTP status.
int post_stripe(int port, const std::string& secret, const std::string& signed_body) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(5, 0);
  c.set_read_timeout(5, 0);
  httplib::Headers h{{"Stripe-Signature", stripe_header(secret, signed_body, mismatch_now())}};
  const auto res = c.Post("/stripe", h, kMismatchPretty, "application/json; charset=utf-8");
  return res ? res->status : -1;
}

} // namespace

TEST(MismatchE2E, ListenNamesTheCompactReSerialisationInJsonAndCapture) {
  e2e::TempDir dir;
  const auto cap = dir.file("cap.jsonl");
  auto l = e2e::start_listen({"--json", "--capture", cap, "--secret", "stripe=" + kMismatchStripe});
  ASSERT_EQ(post_stripe(l->port(), kMismatchStripe, kMismatchCompact), 200);
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "invalid") << rec.dump();
  EXPECT_EQ(rec["verification"]["reason"], kCompactReason) << rec.dump();
  const auto lines = e2e::lines_of(e2e::read_file(cap));
  ASSERT_EQ(lines.size(), 1u);
  const auto captured = json::parse(lines[0]);
  EXPECT_EQ(captured["verification"]["status"], "invalid");
  EXPECT_EQ(captured["verification"]["reason"], kCompactReason);
  EXPECT_EQ(captured["body"], kMismatchPretty) << "the raw bytes are captured as received";
  EXPECT_EQ(lines[0].find(kMismatchStripe.substr(6)), std::string::npos);
}

TEST(MismatchE2E, ListenPrintsTheExplanationAndNeverTheSecret) {
  auto l = e2e::start_listen({"--secret", "stripe=" + kMismatchStripe});
  // Signed with the secret's whsec_ prefix dropped, over the raw bytes.
  ASSERT_EQ(post_stripe(l->port(), kMismatchStripe.substr(6), kMismatchPretty), 200);
  const auto line = l->wait_for_text(Stream::out, "✘ invalid:", std::chrono::seconds(10));
  ASSERT_TRUE(line) << l->describe();
  EXPECT_NE(line->find("✘ invalid: signature does not match; it matches the secret without its "
                       "whsec_ prefix (Stripe keys the HMAC with the whole whsec_ string)"),
            std::string::npos)
      << *line;
  // A secret matching no usual mistake: what was tried, and still no secret.
  ASSERT_EQ(post_stripe(l->port(), "whsec_someOtherSecret000", kMismatchPretty), 200);
  const auto tried = l->wait_for_text(Stream::out, "(tried: ", std::chrono::seconds(10));
  ASSERT_TRUE(tried) << l->describe();
  EXPECT_NE(tried->find("trailing newline, compact/sorted/4-space/Python-style body, secret "
                        "without whsec_"),
            std::string::npos)
      << *tried;
  const auto out = l->text(Stream::out);
  EXPECT_EQ(out.find(kMismatchStripe.substr(6)), std::string::npos) << out;
  EXPECT_EQ(out.find("someOtherSecret"), std::string::npos) << out;
}

TEST(MismatchE2E, VerifyNamesTheCompactReSerialisation) {
  e2e::TempDir dir;
  const auto body = dir.write("body.json", kMismatchPretty);
  const auto header =
      "Stripe-Signature: " + stripe_header(kMismatchStripe, kMismatchCompact, mismatch_now());
  auto r = e2e::hooktool(
      {"verify", "stripe", "--secret", kMismatchStripe, "-H", header, "--body", "@" + body});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_EQ(r.err, "hooktool: invalid: " + kCompactReason + "\n") << r.describe();
  r = e2e::hooktool({"verify", "stripe", "--secret", kMismatchStripe, "-H", header, "--body",
                     "@" + body, "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["status"], "invalid");
  EXPECT_EQ(j["reason"], kCompactReason);
}

TEST(MismatchE2E, CheckNamesTheSecretSlipsWhenAValidDeliveryGets4xx) {
  // A handler whose signature check always fails: listen answering 401.
  auto handler = e2e::start_listen({"-q", "--status", "401"});
  const auto r = e2e::hooktool({"check", "stripe", "--to",
                                "127.0.0.1:" + std::to_string(handler->port()) + "/hook",
                                "--secret", kMismatchStripe});
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("→ answer a correctly signed delivery with 2xx: a 401 here is usually the "
                       "signature check failing; verify the raw body bytes, not re-serialised "
                       "JSON, with the secret exactly as hooktool signs with it (the usual slips: "
                       "secret without whsec_, secret with a trailing newline)"),
            std::string::npos)
      << r.describe();
  EXPECT_EQ(r.out.find(kMismatchStripe.substr(6)), std::string::npos) << r.describe();
}

TEST(MismatchE2E, ListenTriesItsOtherSecretsAndNamesWhichMatched) {
  const std::string bare = "whsec_mismatchBareSecret55";
  auto l = e2e::start_listen({"--json", "--secret", "stripe=" + kMismatchStripe, "--secret", bare});
  ASSERT_EQ(post_stripe(l->port(), bare, kMismatchPretty), 200);
  const auto rec = e2e::listen_record(*l, 1);
  EXPECT_EQ(rec["verification"]["status"], "invalid") << rec.dump();
  EXPECT_EQ(rec["verification"]["reason"],
            "signature does not match; it matches the bare --secret instead")
      << rec.dump();
}

} // namespace e2e_mismatch
