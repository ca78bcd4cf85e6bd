#pragma once
// Independent reference implementations for end-to-end tests: HMAC, SHA-256, hex, base64,
// form decoding and splitting, written here with OpenSSL and the standard library only.
//
// The tests compare what hooktool puts on the wire (or prints) with what these compute, so
// this header must never include or call hooktool's own src/ code (crypto, providers,
// strings): a bug shared by both sides would then go unseen.

#include <cstddef>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace e2e::ref {

// Raw HMAC bytes of `data` under `key` with digest `md` (EVP_sha256(), EVP_sha1(), …).
inline std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(md, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len) == nullptr)
    throw std::runtime_error("HMAC failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

inline std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(EVP_sha256(), key, data);
}

// Raw SHA-256 digest bytes.
inline std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("EVP_Digest failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

// Lower-case hex of raw bytes.
inline std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// Standard, padded base64.
inline std::string b64encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Decodes standard, padded base64; throws on anything else.
inline std::string b64decode(std::string_view text) {
  if (text.size() % 4 != 0)
    throw std::runtime_error("not padded base64: " + std::string(text));
  std::string out(3 * text.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0)
    throw std::runtime_error("bad base64: " + std::string(text));
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!text.empty() && text.back() == '=')
    --len;
  if (text.size() >= 2 && text[text.size() - 2] == '=')
    --len;
  out.resize(len);
  return out;
}

// "a,b,,c" split at `sep` → {"a", "b", "", "c"}; empty fields are kept.
inline std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const auto next = s.find(sep, pos);
    out.emplace_back(s.substr(pos, next == std::string_view::npos ? s.npos : next - pos));
    if (next == std::string_view::npos)
      return out;
    pos = next + 1;
  }
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX a byte.
inline std::string form_decode(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  const auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out += static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "a=1&b=2" → [(a,1),(b,2)], names and values form-decoded, order kept.
inline std::vector<std::pair<std::string, std::string>> parse_form(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto amp = text.find('&', pos);
    if (amp == std::string::npos)
      amp = text.size();
    const auto part = text.substr(pos, amp - pos);
    if (!part.empty()) {
      const auto eq = part.find('=');
      if (eq == std::string::npos)
        out.emplace_back(form_decode(part), "");
      else
        out.emplace_back(form_decode(part.substr(0, eq)), form_decode(part.substr(eq + 1)));
    }
    pos = amp + 1;
  }
  return out;
}

} // namespace e2e::ref
