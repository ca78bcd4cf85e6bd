#include "crypto/crypto.hpp"

#include "crypto/handles.hpp"
#include "util/error.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/random.h>
#include <vector>

namespace hooktool::crypto {

namespace {

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

std::size_t block_size(Digest d) noexcept {
  return d == Digest::sha512 ? 128 : 64;
}

void check(int ok) {
  if (ok != 1)
    throw Error(ExitCode::failure, "OpenSSL: HMAC failed");
}

MdCtxPtr new_md_ctx() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx)
    throw Error(ExitCode::failure, "OpenSSL: cannot allocate a digest context");
  return ctx;
}

// Fills out with n bytes from the kernel (getrandom(2): no DRBG to instantiate, no file).
void kernel_random(unsigned char* out, std::size_t n) {
  while (n > 0) {
    const auto got = ::getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR)
        continue;
      // No getrandom (very old kernels, seccomp): OpenSSL's generator instead.
      if (RAND_bytes(out, static_cast<int>(n)) != 1)
        throw Error(ExitCode::failure, "random generator failed");
      return;
    }
    out += got;
    n -= static_cast<std::size_t>(got);
  }
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

struct HmacKey::State {
  Digest digest = Digest::sha256;
  MdCtxPtr inner; // hash state after (key ^ ipad)
  MdCtxPtr outer; // hash state after (key ^ opad)
  MdCtxPtr work;  // scratch, reused by every mac()
};

HmacKey::HmacKey(Digest digest, std::string_view key) : state_(std::make_unique<State>()) {
  // RFC 2104: keys longer than the block are hashed first, shorter ones zero-padded.
  const auto block = block_size(digest);
  std::vector<unsigned char> k(block, 0);
  if (key.size() > block) {
    const auto h = hash(digest, key);
    std::memcpy(k.data(), h.data(), h.size());
  } else if (!key.empty()) {
    std::memcpy(k.data(), key.data(), key.size());
  }
  std::vector<unsigned char> pad(block);
  state_->digest = digest;
  state_->inner = new_md_ctx();
  state_->outer = new_md_ctx();
  state_->work = new_md_ctx();
  for (std::size_t i = 0; i < block; ++i)
    pad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
  check(EVP_DigestInit_ex(state_->inner.get(), digest_md(digest), nullptr));
  check(EVP_DigestUpdate(state_->inner.get(), pad.data(), block));
  for (std::size_t i = 0; i < block; ++i)
    pad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
  check(EVP_DigestInit_ex(state_->outer.get(), digest_md(digest), nullptr));
  check(EVP_DigestUpdate(state_->outer.get(), pad.data(), block));
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(pad.data(), pad.size());
}

HmacKey::HmacKey(HmacKey&&) noexcept = default;
HmacKey& HmacKey::operator=(HmacKey&&) noexcept = default;
HmacKey::~HmacKey() = default;

std::string HmacKey::mac(std::string_view data) const {
  auto& s = *state_;
  std::array<unsigned char, EVP_MAX_MD_SIZE> inner{};
  unsigned int len = 0;
  check(EVP_MD_CTX_copy_ex(s.work.get(), s.inner.get()));
  check(EVP_DigestUpdate(s.work.get(), data.data(), data.size()));
  check(EVP_DigestFinal_ex(s.work.get(), inner.data(), &len));
  check(EVP_MD_CTX_copy_ex(s.work.get(), s.outer.get()));
  check(EVP_DigestUpdate(s.work.get(), inner.data(), len));
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  check(EVP_DigestFinal_ex(s.work.get(), out.data(), &len));
  return {reinterpret_cast<const char*>(out.data()), len};
}

std::string hmac(Digest digest, std::string_view key, std::string_view data) {
  // The keys of the last few calls on this thread, pads already hashed: a load run signs
  // every delivery with the same secret (GitHub with two digests).
  struct Entry {
    Digest digest = Digest::sha256;
    std::string key;
    HmacKey mac;
  };
  constexpr std::size_t kEntries = 4;
  thread_local std::vector<Entry> cache;
  for (auto& e : cache)
    if (e.digest == digest && e.key == key)
      return e.mac.mac(data);
  if (cache.size() == kEntries) {
    OPENSSL_cleanse(cache.front().key.data(), cache.front().key.size());
    cache.erase(cache.begin());
  }
  cache.push_back({digest, std::string(key), HmacKey(digest, key)});
  return cache.back().mac.mac(data);
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
  // Small requests (ids, nonces) come from a per-thread pool refilled 4 KiB at a time from
  // getrandom(2): one system call per couple of hundred ids instead of one each. Bytes are wiped
  // once handed out.
  constexpr std::size_t kPool = 4096;
  thread_local std::array<unsigned char, kPool> pool{};
  thread_local std::size_t used = kPool;
  std::string out(n, '\0');
  if (n == 0)
    return out;
  if (n > kPool / 16) {
    kernel_random(reinterpret_cast<unsigned char*>(out.data()), n);
    return out;
  }
  if (used + n > kPool) {
    kernel_random(pool.data(), kPool);
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
