#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hooktool::crypto {

// Hash functions the providers sign with.
enum class Digest { sha1, sha256, sha512 };

// Parses "sha1" / "sha256" / "sha512"; nullopt for anything else.
std::optional<Digest> parse_digest(std::string_view name) noexcept;
// HMAC of data under key, as raw bytes. The last few keys used on a thread are kept as
// HmacKey (pads hashed once), so signing many messages with one secret hashes only the data.
std::string hmac(Digest digest, std::string_view key, std::string_view data);

// One HMAC key with its inner and outer pads already hashed (RFC 2104); mac() copies the
// two states and hashes the data, with no algorithm fetch or key set-up per call.
// Not thread-safe: one instance per thread.
class HmacKey {
public:
  HmacKey(Digest digest, std::string_view key);
  HmacKey(HmacKey&&) noexcept;
  HmacKey& operator=(HmacKey&&) noexcept;
  ~HmacKey();
  [[nodiscard]] std::string mac(std::string_view data) const;

private:
  struct State;
  std::unique_ptr<State> state_;
};
// Plain message digest, as raw bytes.
std::string hash(Digest digest, std::string_view data);
// Lowercase hex of raw bytes.
std::string to_hex(std::string_view bytes);
// Standard base64 (RFC 4648, '=' padding kept).
std::string base64_encode(std::string_view bytes);
// Strict standard-base64 decode; missing padding is tolerated, other junk is not.
std::optional<std::string> base64_decode(std::string_view text);
// Compares in time that depends only on the lengths, never on where the bytes differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;
// Cryptographically random bytes from the kernel (getrandom(2)), pooled per thread.
std::string random_bytes(std::size_t n);
// n characters drawn uniformly from alphabet (no modulo bias).
std::string random_string(std::string_view alphabet, std::size_t n);
// n random decimal digits without a leading zero (numeric ids); n from 1 to 18.
std::string random_digits(std::size_t n);
// A random RFC 4122 version-4 UUID in lowercase.
std::string random_uuid();

} // namespace hooktool::crypto
