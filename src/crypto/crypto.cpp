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
#include <openssl/sha.h>
#include <sys/random.h>
#include <variant>
#include <vector>

namespace hooktool::crypto {

namespace {

std::size_t block_size(Digest d) noexcept {
  return d == Digest::sha512 ? 128 : 64;
}

void check(int ok) {
  if (ok != 1)
    throw Error(ExitCode::failure, "OpenSSL: digest failed");
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

// SHA-1, SHA-256 and SHA-512 through OpenSSL's low-level functions: the same code as EVP's
// (SHA-NI where the CPU has it) and the same bytes, without EVP's provider fetch, whose first
// call initialises the whole library (reads openssl.cnf, registers every cipher and digest
// name): 10 % of a single `send --dry-run` went there. The functions are deprecated in
// OpenSSL 3 in favour of EVP, not removed; no other part of hooktool needs them.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
class Sha {
public:
  explicit Sha(Digest d) {
    switch (d) {
    case Digest::sha1:
      ctx_.emplace<SHA_CTX>();
      check(SHA1_Init(&std::get<SHA_CTX>(ctx_)));
      break;
    case Digest::sha256:
      ctx_.emplace<SHA256_CTX>();
      check(SHA256_Init(&std::get<SHA256_CTX>(ctx_)));
      break;
    case Digest::sha512:
      ctx_.emplace<SHA512_CTX>();
      check(SHA512_Init(&std::get<SHA512_CTX>(ctx_)));
      break;
    }
  }
  void update(const void* data, std::size_t n) {
    std::visit(
        [&](auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, SHA_CTX>)
            check(SHA1_Update(&c, data, n));
          else if constexpr (std::is_same_v<C, SHA256_CTX>)
            check(SHA256_Update(&c, data, n));
          else
            check(SHA512_Update(&c, data, n));
        },
        ctx_);
  }
  // Writes the digest to out (room for 64 bytes); its length.
  std::size_t final(unsigned char* out) {
    return std::visit(
        [&](auto& c) -> std::size_t {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, SHA_CTX>) {
            check(SHA1_Final(out, &c));
            return SHA_DIGEST_LENGTH;
          } else if constexpr (std::is_same_v<C, SHA256_CTX>) {
            check(SHA256_Final(out, &c));
            return SHA256_DIGEST_LENGTH;
          } else {
            check(SHA512_Final(out, &c));
            return SHA512_DIGEST_LENGTH;
          }
        },
        ctx_);
  }
  void cleanse() noexcept {
    std::visit([](auto& c) { OPENSSL_cleanse(&c, sizeof c); }, ctx_);
  }

private:
  std::variant<SHA_CTX, SHA256_CTX, SHA512_CTX> ctx_;
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

struct HmacKey::State {
  State(Digest d) : inner(d), outer(d) {}
  State(const State&) = default;
  State& operator=(const State&) = default;
  ~State() {
    inner.cleanse();
    outer.cleanse();
  }
  Sha inner; // hash state after (key ^ ipad)
  Sha outer; // hash state after (key ^ opad)
};

HmacKey::HmacKey(Digest digest, std::string_view key) : state_(std::make_unique<State>(digest)) {
  // RFC 2104: keys longer than the block are hashed first, shorter ones zero-padded.
  const auto block = block_size(digest);
  std::array<unsigned char, 128> k{};
  if (key.size() > block) {
    const auto h = hash(digest, key);
    std::memcpy(k.data(), h.data(), h.size());
  } else if (!key.empty()) {
    std::memcpy(k.data(), key.data(), key.size());
  }
  std::array<unsigned char, 128> pad{};
  for (std::size_t i = 0; i < block; ++i)
    pad[i] = static_cast<unsigned char>(k[i] ^ 0x36);
  state_->inner.update(pad.data(), block);
  for (std::size_t i = 0; i < block; ++i)
    pad[i] = static_cast<unsigned char>(k[i] ^ 0x5c);
  state_->outer.update(pad.data(), block);
  OPENSSL_cleanse(k.data(), k.size());
  OPENSSL_cleanse(pad.data(), pad.size());
}

HmacKey::HmacKey(HmacKey&&) noexcept = default;
HmacKey& HmacKey::operator=(HmacKey&&) noexcept = default;
HmacKey::~HmacKey() = default;

std::string HmacKey::mac(std::string_view data) const {
  std::array<unsigned char, 64> inner{};
  Sha work = state_->inner; // a copy of the state is a copy of a plain struct
  work.update(data.data(), data.size());
  const auto len = work.final(inner.data());
  work = state_->outer;
  work.update(inner.data(), len);
  std::array<unsigned char, 64> out{};
  const auto n = work.final(out.data());
  work.cleanse();
  OPENSSL_cleanse(inner.data(), inner.size());
  return {reinterpret_cast<const char*>(out.data()), n};
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
  Sha sha(digest);
  sha.update(data.data(), data.size());
  std::array<unsigned char, 64> out{};
  const auto n = sha.final(out.data());
  return {reinterpret_cast<const char*>(out.data()), n};
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
