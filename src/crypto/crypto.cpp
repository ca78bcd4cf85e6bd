#include "crypto/crypto.hpp"

#include "util/error.hpp"

#include <array>
#include <cstring>
#include <memory>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace hooktool::crypto {

namespace {

struct MacDeleter {
  void operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};
using MacPtr = std::unique_ptr<EVP_MAC, MacDeleter>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter>;

const char* digest_name(Digest d) noexcept {
  switch (d) {
  case Digest::sha1:
    return "SHA1";
  case Digest::sha256:
    return "SHA256";
  case Digest::sha512:
    return "SHA512";
  }
  return "SHA256";
}

const EVP_MD* digest_md(Digest d) noexcept {
  switch (d) {
  case Digest::sha1:
    return EVP_sha1();
  case Digest::sha256:
    return EVP_sha256();
  case Digest::sha512:
    return EVP_sha512();
  }
  return EVP_sha256();
}

// Fetching the algorithm is costly; it is immutable and thread-safe once fetched.
EVP_MAC* hmac_algorithm() {
  static const MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac)
    throw Error(ExitCode::failure, "OpenSSL: HMAC is not available");
  return mac.get();
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

} // namespace

std::optional<Digest> parse_digest(std::string_view name) noexcept {
  if (name == "sha1")
    return Digest::sha1;
  if (name == "sha256")
    return Digest::sha256;
  if (name == "sha512")
    return Digest::sha512;
  return std::nullopt;
}

std::string hmac(Digest digest, std::string_view key, std::string_view data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  if (!ctx)
    throw Error(ExitCode::failure, "OpenSSL: cannot allocate an HMAC context");
  std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       const_cast<char*>(digest_name(digest)), 0),
      OSSL_PARAM_construct_end()};
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char empty = 0;
  const auto* key_bytes = key.empty() ? &empty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx.get(), key_bytes, key.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1)
    throw Error(ExitCode::failure, "OpenSSL: HMAC failed");
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1)
    throw Error(ExitCode::failure, "OpenSSL: HMAC failed");
  return {reinterpret_cast<const char*>(out.data()), len};
}

std::string hash(Digest digest, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, digest_md(digest), nullptr) != 1)
    throw Error(ExitCode::failure, "OpenSSL: digest failed");
  return {reinterpret_cast<const char*>(out.data()), len};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 0x0F];
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.resize(4 * ((bytes.size() + 2) / 3));
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string padded(text);
  std::size_t data_chars = padded.size();
  while (data_chars > 0 && padded[data_chars - 1] == '=')
    --data_chars;
  if (padded.size() - data_chars > 2)
    return std::nullopt;
  for (std::size_t i = 0; i < data_chars; ++i)
    if (kBase64Alphabet.find(padded[i]) == std::string_view::npos)
      return std::nullopt;
  if (data_chars % 4 == 1)
    return std::nullopt;
  padded.resize(data_chars);
  while (padded.size() % 4 != 0)
    padded.push_back('=');
  const std::size_t pad = padded.size() - data_chars;
  std::string out;
  out.resize(padded.size() / 4 * 3);
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0)
    return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  // Small requests (ids, nonces) come from a per-thread pool refilled 4 KiB at a time: one DRBG
  // call per couple of hundred ids instead of one each. Bytes are wiped once handed out.
  constexpr std::size_t kPool = 4096;
  thread_local std::array<unsigned char, kPool> pool{};
  thread_local std::size_t used = kPool;
  std::string out(n, '\0');
  if (n == 0)
    return out;
  if (n > kPool / 16) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
      throw Error(ExitCode::failure, "OpenSSL: random generator failed");
    return out;
  }
  if (used + n > kPool) {
    if (RAND_bytes(pool.data(), static_cast<int>(kPool)) != 1)
      throw Error(ExitCode::failure, "OpenSSL: random generator failed");
    used = 0;
  }
  std::memcpy(out.data(), pool.data() + used, n);
  OPENSSL_cleanse(pool.data() + used, n);
  used += n;
  return out;
}

std::string random_string(std::string_view alphabet, std::size_t n) {
  std::string out;
  out.reserve(n);
  // Rejection sampling keeps every character equally likely.
  const std::size_t limit = 256 - (256 % alphabet.size());
  while (out.size() < n) {
    for (const char c : random_bytes(n - out.size() + 8)) {
      const auto b = static_cast<unsigned char>(c);
      if (b < limit && out.size() < n)
        out.push_back(alphabet[b % alphabet.size()]);
    }
  }
  return out;
}

std::string random_digits(std::size_t n) {
  if (n == 0)
    return {};
  return random_string("123456789", 1) + random_string("0123456789", n - 1);
}

std::string random_uuid() {
  auto b = random_bytes(16);
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0F) | 0x40);
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x3F) | 0x80);
  const auto h = to_hex(b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

} // namespace hooktool::crypto
