#include "crypto/keys.hpp"

#include "crypto/handles.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <climits>
#include <cstring>
#include <memory>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace hooktool::crypto {

namespace {

constexpr std::size_t kEd25519KeyBytes = 32;
constexpr std::size_t kEd25519SignatureBytes = 64;

// OpenSSL leaves the reasons for a failure queued; a failed parse must not leak them into the
// next, unrelated call.
[[noreturn]] void fail(const std::string& message) {
  ERR_clear_error();
  throw usage_error(message);
}

// An encrypted PEM key would otherwise make OpenSSL prompt on the terminal.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*user*/) {
  return -1;
}

BioPtr read_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX))
    fail("key too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio)
    throw Error(ExitCode::failure, "OpenSSL: cannot allocate a memory BIO");
  return bio;
}

BioPtr write_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio)
    throw Error(ExitCode::failure, "OpenSSL: cannot allocate a memory BIO");
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

PkeyPtr ed25519_private(std::string_view seed) {
  if (seed.size() != kEd25519KeyBytes)
    fail("an Ed25519 private key is a 32-byte seed, got " + std::to_string(seed.size()) + " bytes");
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size()));
  if (!key)
    fail("not a usable Ed25519 private key");
  return key;
}

PkeyPtr ed25519_public(std::string_view public_key) {
  if (public_key.size() != kEd25519KeyBytes)
    fail("an Ed25519 public key is 32 bytes, got " + std::to_string(public_key.size()) + " bytes");
  PkeyPtr key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(public_key), public_key.size()));
  if (!key)
    fail("not a usable Ed25519 public key");
  return key;
}

std::string raw_public(EVP_PKEY* key) {
  std::string out(kEd25519KeyBytes, '\0');
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != kEd25519KeyBytes)
    fail("cannot read the Ed25519 public key");
  return out;
}

bool is_p256(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC") != 1)
    return false;
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1)
    return false;
  const std::string_view name(group, len);
  return name == "prime256v1" || name == "P-256" || name == "secp256r1";
}

PkeyPtr read_private_pem(std::string_view pem, const char* what) {
  if (!is_pem(pem))
    fail(std::string(what) + " must be a PEM private key (-----BEGIN PRIVATE KEY-----)");
  auto bio = read_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key)
    fail(std::string(what) + ": the PEM block is not a readable, unencrypted private key");
  return key;
}

PkeyPtr p256_private(std::string_view pem) {
  auto key = read_private_pem(pem, "an ECDSA P-256 private key");
  if (!is_p256(key.get()))
    fail("the PEM private key is not an ECDSA P-256 (prime256v1) key");
  return key;
}

PkeyPtr p256_public(std::string_view der) {
  const unsigned char* p = bytes(der);
  if (der.size() > static_cast<std::size_t>(LONG_MAX))
    fail("public key too large");
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key || p != bytes(der) + der.size())
    fail("the public key is not a DER SubjectPublicKeyInfo");
  if (!is_p256(key.get()))
    fail("the public key is not an ECDSA P-256 (prime256v1) key");
  return key;
}

std::string public_der_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0)
    fail("cannot encode the public key");
  const std::unique_ptr<unsigned char, OpensslDeleter> owned(der);
  return {reinterpret_cast<const char*>(der), static_cast<std::size_t>(n)};
}

std::string private_pem_of(EVP_PKEY* key) {
  auto bio = write_bio();
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot encode the private key");
  return bio_text(bio.get());
}

PkeyPtr generate(const char* type, const char* group) {
  PkeyPtr key(group != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, group)
                               : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
  if (!key)
    throw Error(ExitCode::failure, std::string("OpenSSL: cannot generate an ") + type + " key");
  return key;
}

std::string digest_sign(EVP_PKEY* key, const EVP_MD* md, std::string_view message) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1)
    throw Error(ExitCode::failure, "OpenSSL: cannot start a signature");
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, bytes(message), message.size()) != 1)
    throw Error(ExitCode::failure, "OpenSSL: cannot size a signature");
  std::string out(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, bytes(message),
                     message.size()) != 1)
    throw Error(ExitCode::failure, "OpenSSL: signing failed");
  out.resize(len);
  return out;
}

bool digest_verify(EVP_PKEY* key, const EVP_MD* md, std::string_view message,
                   std::string_view signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1)
    throw Error(ExitCode::failure, "OpenSSL: cannot start a verification");
  const int rc = EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message),
                                  message.size());
  ERR_clear_error(); // a bad signature queues a reason; it is an answer, not an error
  return rc == 1;
}

} // namespace

Ed25519Keys ed25519_generate() {
  const auto key = generate("ED25519", nullptr);
  std::string seed(kEd25519KeyBytes, '\0');
  std::size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                   &len) != 1 ||
      len != kEd25519KeyBytes)
    throw Error(ExitCode::failure, "OpenSSL: cannot read a generated Ed25519 key");
  return {std::move(seed), raw_public(key.get())};
}

std::string ed25519_public_key(std::string_view seed) {
  return raw_public(ed25519_private(seed).get());
}

std::string ed25519_sign(std::string_view seed, std::string_view message) {
  // Ed25519 hashes internally: the digest must be NULL.
  return digest_sign(ed25519_private(seed).get(), nullptr, message);
}

bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature) {
  const auto key = ed25519_public(public_key);
  if (signature.size() != kEd25519SignatureBytes)
    return false;
  return digest_verify(key.get(), nullptr, message, signature);
}

std::string ed25519_seed_from_pem(std::string_view pem) {
  const auto key = read_private_pem(pem, "an Ed25519 private key");
  if (EVP_PKEY_is_a(key.get(), "ED25519") != 1)
    fail("the PEM private key is not an Ed25519 key");
  std::string seed(kEd25519KeyBytes, '\0');
  std::size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(seed.data()),
                                   &len) != 1 ||
      len != kEd25519KeyBytes)
    fail("cannot read the Ed25519 private key");
  return seed;
}

std::string ed25519_seed_to_pem(std::string_view seed) {
  return private_pem_of(ed25519_private(seed).get());
}

EcdsaKeys ecdsa_p256_generate() {
  const auto key = generate("EC", "P-256");
  return {private_pem_of(key.get()), public_der_of(key.get())};
}

void ecdsa_p256_check_private(std::string_view pem) {
  (void)p256_private(pem);
}

std::string ecdsa_p256_public_der(std::string_view private_pem) {
  return public_der_of(p256_private(private_pem).get());
}

void ecdsa_p256_check_public(std::string_view der) {
  (void)p256_public(der);
}

std::string ecdsa_p256_sign(std::string_view private_pem, std::string_view message) {
  return digest_sign(p256_private(private_pem).get(), EVP_sha256(), message);
}

bool ecdsa_p256_verify(std::string_view public_der, std::string_view message,
                       std::string_view der_signature) {
  const auto key = p256_public(public_der);
  if (der_signature.empty())
    return false;
  return digest_verify(key.get(), EVP_sha256(), message, der_signature);
}

bool is_pem(std::string_view text) noexcept {
  return text.find("-----BEGIN ") != std::string_view::npos;
}

std::optional<std::string> pem_to_der(std::string_view pem, std::string_view label) {
  auto bio = read_bio(pem);
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      ERR_clear_error();
      return std::nullopt;
    }
    const std::unique_ptr<char, OpensslDeleter> n(name);
    const std::unique_ptr<char, OpensslDeleter> h(header);
    const std::unique_ptr<unsigned char, OpensslDeleter> d(data);
    if (std::string_view(name) == label)
      return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(len));
  }
}

std::string der_to_pem(std::string_view der, std::string_view label) {
  auto bio = write_bio();
  const std::string name(label);
  if (der.size() > static_cast<std::size_t>(LONG_MAX) ||
      PEM_write_bio(bio.get(), name.c_str(), "", bytes(der), static_cast<long>(der.size())) <= 0)
    throw Error(ExitCode::failure, "OpenSSL: cannot write a PEM block");
  return bio_text(bio.get());
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = util::hex_value(hex[i]);
    const int lo = util::hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

} // namespace hooktool::crypto
