#include "crypto/crypto.hpp"

#include <gtest/gtest.h>

using namespace hooktool::crypto;

// RFC 4231 test case 2 and RFC 2202 test case 2: key "Jefe".
TEST(Crypto, HmacMatchesRfcVectors) {
  const std::string data = "what do ya want for nothing?";
  EXPECT_EQ(to_hex(hmac(Digest::sha256, "Jefe", data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(to_hex(hmac(Digest::sha1, "Jefe", data)), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(to_hex(hmac(Digest::sha512, "Jefe", data)),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f"
            "65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(Crypto, HmacAcceptsEmptyKeyAndData) {
  // HMAC-SHA256 with empty key and message (widely published value).
  EXPECT_EQ(to_hex(hmac(Digest::sha256, "", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Crypto, Sha256OfAbc) {
  EXPECT_EQ(to_hex(hash(Digest::sha256, "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, Base64RoundTripsAndRejectsJunk) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zg==").value(), "f");
  EXPECT_EQ(base64_decode("Zg").value(), "f"); // missing padding tolerated
  EXPECT_EQ(base64_decode("Zm8=").value(), "fo");
  EXPECT_FALSE(base64_decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(base64_decode("Z").has_value());
  EXPECT_FALSE(base64_decode("Zg===").has_value());
  const std::string binary("\x00\xff\x10\x80", 4);
  EXPECT_EQ(base64_decode(base64_encode(binary)).value(), binary);
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Crypto, RandomValuesHaveTheirShape) {
  const auto uuid = random_uuid();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);
  EXPECT_NE(random_uuid(), uuid);
  const auto s = random_string("ab", 64);
  EXPECT_EQ(s.size(), 64u);
  EXPECT_EQ(s.find_first_not_of("ab"), std::string::npos);
  const auto d = random_digits(13);
  EXPECT_EQ(d.size(), 13u);
  EXPECT_NE(d[0], '0');
}
