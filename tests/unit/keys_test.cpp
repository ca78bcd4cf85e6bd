// crypto/keys: Ed25519 and ECDSA P-256 through OpenSSL, and the key encodings.
#include "crypto/crypto.hpp"
#include "crypto/keys.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using namespace hooktool;

namespace {

// RFC 8032 section 7.1, test 2: a one-byte message.
constexpr std::string_view kRfcSeed =
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
constexpr std::string_view kRfcPublic =
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
constexpr std::string_view kRfcSignature =
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f1"
    "1d8c387b2eaeb4302aeeb00d291612bb0c00";

// The P-256 key of the sendgrid vectors (tests/vectors/signatures.json).
constexpr std::string_view kPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQhtkBnXa+BjQ1KQJ\n"
    "bgfORep6727Wy87TG1tdiLuBeSahRANCAASFD1OB2x6J+H8O2RWqO0EudzMHy5YG\n"
    "bHVKJ6hKvnYjhRC7p8bOC3xbjLa2isDY77zp1pqE/czpw0KuP4dR7Esa\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kPublicB64 =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhQ9Tgdseifh/DtkVqjtBLnczB8uWBmx1SieoSr52I4UQu6fGzgt8W4y2"
    "torA2O+86daahP3M6cNCrj+HUexLGg==";

std::string hex(std::string_view h) {
  return *crypto::from_hex(h);
}

template <class F> std::string usage_message(F f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::usage);
    return e.what();
  }
  ADD_FAILURE() << "no usage error";
  return {};
}

} // namespace

TEST(Keys, FromHexTakesEitherCaseAndRefusesJunk) {
  EXPECT_EQ(crypto::from_hex("00ffAB"), std::string("\x00\xff\xab", 3));
  EXPECT_EQ(crypto::from_hex(""), std::string());
  EXPECT_FALSE(crypto::from_hex("abc"));
  EXPECT_FALSE(crypto::from_hex("zz"));
  EXPECT_FALSE(crypto::from_hex("0x00"));
}

TEST(Keys, Ed25519ReproducesRfc8032) {
  const auto seed = hex(kRfcSeed);
  EXPECT_EQ(crypto::to_hex(crypto::ed25519_public_key(seed)), kRfcPublic);
  const auto sig = crypto::ed25519_sign(seed, "\x72");
  EXPECT_EQ(crypto::to_hex(sig), kRfcSignature);
  EXPECT_TRUE(crypto::ed25519_verify(hex(kRfcPublic), "\x72", sig));
  EXPECT_FALSE(crypto::ed25519_verify(hex(kRfcPublic), "\x73", sig));
  auto bad = sig;
  bad[10] = static_cast<char>(bad[10] ^ 1);
  EXPECT_FALSE(crypto::ed25519_verify(hex(kRfcPublic), "\x72", bad));
  EXPECT_FALSE(crypto::ed25519_verify(hex(kRfcPublic), "\x72", sig.substr(0, 63)));
  EXPECT_FALSE(crypto::ed25519_verify(hex(kRfcPublic), "\x72", ""));
}

TEST(Keys, Ed25519GeneratedPairsSignAndPemRoundTrips) {
  const auto keys = crypto::ed25519_generate();
  ASSERT_EQ(keys.seed.size(), 32u);
  EXPECT_EQ(crypto::ed25519_public_key(keys.seed), keys.public_key);
  EXPECT_NE(crypto::ed25519_generate().seed, keys.seed);
  const auto pem = crypto::ed25519_seed_to_pem(keys.seed);
  EXPECT_TRUE(crypto::is_pem(pem));
  EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_EQ(crypto::ed25519_seed_from_pem(pem), keys.seed);
  // read_secret_file strips the final newline: the PEM must still read.
  EXPECT_EQ(crypto::ed25519_seed_from_pem(pem.substr(0, pem.size() - 1)), keys.seed);
  EXPECT_TRUE(crypto::ed25519_verify(keys.public_key, "m", crypto::ed25519_sign(keys.seed, "m")));
}

TEST(Keys, Ed25519BadKeysAreUsageErrorsThatQuoteNoKey) {
  const auto msg = usage_message([] { (void)crypto::ed25519_sign("short-seed", "m"); });
  EXPECT_NE(msg.find("32-byte"), std::string::npos);
  EXPECT_EQ(msg.find("short-seed"), std::string::npos);
  (void)usage_message([] { (void)crypto::ed25519_verify(std::string(31, 'k'), "m", ""); });
  (void)usage_message([] { (void)crypto::ed25519_seed_from_pem("not a pem"); });
  // A P-256 PEM is not an Ed25519 key.
  const auto wrong = usage_message([] { (void)crypto::ed25519_seed_from_pem(kPem); });
  EXPECT_NE(wrong.find("not an Ed25519"), std::string::npos);
  EXPECT_EQ(wrong.find("MIGHAgEA"), std::string::npos);
}

TEST(Keys, EcdsaSignsVerifiableDerSignatures) {
  const auto pub = *crypto::base64_decode(kPublicB64);
  EXPECT_EQ(crypto::ecdsa_p256_public_der(kPem), pub);
  const auto a = crypto::ecdsa_p256_sign(kPem, "1764065326payload");
  const auto b = crypto::ecdsa_p256_sign(kPem, "1764065326payload");
  EXPECT_NE(a, b) << "ECDSA nonces are random";
  EXPECT_EQ(a[0], '\x30') << "DER SEQUENCE";
  EXPECT_TRUE(crypto::ecdsa_p256_verify(pub, "1764065326payload", a));
  EXPECT_TRUE(crypto::ecdsa_p256_verify(pub, "1764065326payload", b));
  EXPECT_FALSE(crypto::ecdsa_p256_verify(pub, "1764065327payload", a));
  EXPECT_FALSE(crypto::ecdsa_p256_verify(pub, "1764065326payload", ""));
  EXPECT_FALSE(crypto::ecdsa_p256_verify(pub, "1764065326payload", std::string(64, '\x01')))
      << "raw r||s is not DER";
}

TEST(Keys, EcdsaGeneratedPairs) {
  const auto keys = crypto::ecdsa_p256_generate();
  EXPECT_NE(keys.private_pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  crypto::ecdsa_p256_check_private(keys.private_pem);
  crypto::ecdsa_p256_check_public(keys.public_der);
  EXPECT_EQ(crypto::ecdsa_p256_public_der(keys.private_pem), keys.public_der);
  EXPECT_TRUE(crypto::ecdsa_p256_verify(keys.public_der, "x",
                                        crypto::ecdsa_p256_sign(keys.private_pem, "x")));
  EXPECT_FALSE(crypto::ecdsa_p256_verify(*crypto::base64_decode(kPublicB64), "x",
                                         crypto::ecdsa_p256_sign(keys.private_pem, "x")));
}

TEST(Keys, EcdsaBadKeysAreUsageErrors) {
  (void)usage_message([] { crypto::ecdsa_p256_check_private("MIGHAgEAMBMG"); });
  (void)usage_message([] {
    crypto::ecdsa_p256_check_private(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----");
  });
  // An Ed25519 PEM is not a P-256 key.
  const auto ed = crypto::ed25519_seed_to_pem(std::string(32, '\x07'));
  EXPECT_NE(usage_message([&] { crypto::ecdsa_p256_check_private(ed); }).find("P-256"),
            std::string::npos);
  (void)usage_message([] { crypto::ecdsa_p256_check_public("junk"); });
  auto trailing = *crypto::base64_decode(kPublicB64) + "x";
  (void)usage_message([&] { crypto::ecdsa_p256_check_public(trailing); });
  (void)usage_message([] { (void)crypto::ecdsa_p256_verify("", "m", "sig"); });
}

TEST(Keys, PemBlocksRoundTrip) {
  const auto der = *crypto::base64_decode(kPublicB64);
  const auto pem = crypto::der_to_pem(der, "PUBLIC KEY");
  EXPECT_EQ(pem.rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  EXPECT_EQ(crypto::pem_to_der(pem, "PUBLIC KEY"), der);
  EXPECT_FALSE(crypto::pem_to_der(pem, "PRIVATE KEY"));
  EXPECT_FALSE(crypto::pem_to_der("no pem here", "PUBLIC KEY"));
  EXPECT_TRUE(crypto::is_pem(kPem));
  EXPECT_FALSE(crypto::is_pem(kPublicB64));
}
