// listen's duplicate tracker: a flat table of fixed-size entries keyed by a 128-bit SipHash of
// provider and event id.
#include "listen/duplicates.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <string>
#include <vector>

using namespace hooktool;

namespace {

core::CaptureRecord delivery(const std::string& provider, const std::string& event_id,
                             const std::string& capture_id, std::int64_t at_ms = 0) {
  core::CaptureRecord r;
  r.provider = provider;
  r.event_id = event_id;
  r.id = capture_id;
  r.received_at_ms = at_ms;
  return r;
}

// "cap_" and 20 characters, like core::new_capture_id, numbered.
std::string capture_id(std::size_t n) {
  auto digits = std::to_string(n);
  return "cap_" + std::string(20 - digits.size(), '0') + digits;
}

// OpenSSL's SIPHASH MAC (SipHash-2-4) with a 16-byte output, as bytes.
std::string openssl_siphash128(const std::string& key, const std::string& message) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  unsigned int size = 16;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_SIZE, &size),
                               OSSL_PARAM_construct_end()};
  std::string out(16, '\0');
  std::size_t len = 0;
  const bool ok =
      EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) &&
      EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, out.size());
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  EXPECT_TRUE(ok && len == 16);
  return out;
}

std::string le_bytes(const std::array<std::uint64_t, 2>& h) {
  std::string out;
  for (const auto word : h)
    for (int i = 0; i < 8; ++i)
      out += static_cast<char>((word >> (8 * i)) & 0xff);
  return out;
}

} // namespace

TEST(SipHash128, MatchesOpenSslForEveryLengthAndSplit) {
  std::string key;
  for (int i = 0; i < 16; ++i)
    key += static_cast<char>(i);
  std::array<std::uint64_t, 2> k{};
  std::memcpy(k.data(), key.data(), 16);
  std::string message;
  for (int n = 0; n < 40; ++n) { // every tail length, several blocks
    const auto expected = openssl_siphash128(key, message);
    EXPECT_EQ(le_bytes(listen::siphash128(k, {message})), expected) << "length " << n;
    // The same bytes split over parts hash the same.
    const auto cut = message.size() / 3;
    EXPECT_EQ(le_bytes(listen::siphash128(k, {std::string_view(message).substr(0, cut), "",
                                              std::string_view(message).substr(cut)})),
              expected)
        << "length " << n;
    message += static_cast<char>(n * 7 + 1);
  }
}

TEST(DuplicateTracker, FlagsARepeatWithTheFirstSighting) {
  listen::DuplicateTracker t;
  EXPECT_FALSE(t.observe(delivery("stripe", "evt_1", "cap_first", 1000)));
  const auto second = t.observe(delivery("stripe", "evt_1", "cap_second", 2000));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->seen, 2);
  EXPECT_EQ(second->first_id, "cap_first");
  EXPECT_EQ(second->first_seen_ms, 1000);
  const auto third = t.observe(delivery("stripe", "evt_1", "cap_third", 3000));
  ASSERT_TRUE(third);
  EXPECT_EQ(third->seen, 3);
  EXPECT_EQ(third->first_id, "cap_first");
  EXPECT_EQ(third->first_seen_ms, 1000);
  EXPECT_EQ(t.size(), 1U);
}

TEST(DuplicateTracker, TellsIdsAndProvidersApart) {
  listen::DuplicateTracker t;
  EXPECT_FALSE(t.observe(delivery("stripe", "evt_1", "cap_a")));
  EXPECT_FALSE(t.observe(delivery("stripe", "evt_2", "cap_b")));
  EXPECT_FALSE(t.observe(delivery("github", "evt_1", "cap_c"))); // same id, another provider
  // The separator keeps "ab"+"c" apart from "a"+"bc".
  EXPECT_FALSE(t.observe(delivery("ab", "c", "cap_d")));
  EXPECT_FALSE(t.observe(delivery("a", "bc", "cap_e")));
  EXPECT_EQ(t.size(), 5U);
  const auto again = t.observe(delivery("github", "evt_1", "cap_f"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->first_id, "cap_c");
}

TEST(DuplicateTracker, DeliveriesWithoutAnEventIdAreNeverTracked) {
  listen::DuplicateTracker t;
  EXPECT_FALSE(t.observe(delivery("generic", "", "cap_a")));
  EXPECT_FALSE(t.observe(delivery("generic", "", "cap_b")));
  EXPECT_EQ(t.size(), 0U);
}

TEST(DuplicateTracker, KeepsTheFirstCaptureIdToItsFullLength) {
  listen::DuplicateTracker t;
  const auto first = capture_id(7);
  ASSERT_EQ(first.size(), 24U);
  EXPECT_FALSE(t.observe(delivery("stripe", "evt_1", first)));
  EXPECT_EQ(t.observe(delivery("stripe", "evt_1", "x"))->first_id, first);
}

// Ids across many chunks and index growths: every one is new the first time, and each repeat
// finds its own first sighting (nothing is forgotten: there is no eviction).
TEST(DuplicateTracker, RemembersEveryIdAcrossChunksAndIndexGrowth) {
  listen::DuplicateTracker t;
  const std::size_t n = listen::DuplicateTracker::chunk_entries * 40 + 17; // 40,977
  for (std::size_t i = 0; i < n; ++i)
    ASSERT_FALSE(t.observe(delivery("stripe", "evt_" + std::to_string(i), capture_id(i),
                                    static_cast<std::int64_t>(i))))
        << "id " << i << " taken for a duplicate";
  EXPECT_EQ(t.size(), n);
  for (std::size_t i = 0; i < n; i += 7) {
    const auto d = t.observe(delivery("stripe", "evt_" + std::to_string(i), "cap_again"));
    ASSERT_TRUE(d) << "id " << i << " forgotten";
    EXPECT_EQ(d->seen, 2);
    EXPECT_EQ(d->first_id, capture_id(i));
    EXPECT_EQ(d->first_seen_ms, static_cast<std::int64_t>(i));
  }
  EXPECT_EQ(t.size(), n);
}

// Capture ids are kept packed (six bits a character): every character of the alphabet comes
// back as it went in, and an id of another shape is kept whole.
TEST(DuplicateTracker, GivesBackEveryFirstCaptureIdExactly) {
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::vector<std::string> ids;
  for (std::size_t i = 0; i + 20 <= alphabet.size() + 20; i += 3)
    ids.push_back("cap_" + (alphabet + alphabet).substr(i, 20));
  ids.push_back("cap_zzzzzzzzzzzzzzzzzzzz");
  ids.push_back("cap_first");                 // shorter
  ids.push_back("cap_0000000000000000000!");  // not base 62
  ids.push_back("xyz_00000000000000000000");  // another prefix
  ids.push_back("cap_000000000000000000000"); // longer
  listen::DuplicateTracker t;
  for (std::size_t i = 0; i < ids.size(); ++i)
    ASSERT_FALSE(t.observe(delivery("stripe", "evt_" + std::to_string(i), ids[i])));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto d = t.observe(delivery("stripe", "evt_" + std::to_string(i), "cap_again"));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->first_id, ids[i]);
  }
}
