#include "crypto/tls_cert.hpp"

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

#include <array>
#include <cstdio>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace hooktool::crypto {

namespace {

struct ExtDeleter {
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};

[[noreturn]] void fail(const char* what) {
  throw failure(std::string("TLS certificate: ") + what);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtDeleter> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    fail("cannot add an extension");
}

} // namespace

CertifiedKey generate_self_signed() {
  CertifiedKey out;
  out.key.reset(EVP_EC_gen("P-256"));
  if (!out.key)
    fail("cannot generate a key");
  out.cert.reset(X509_new());
  X509* cert = out.cert.get();
  if (!cert)
    fail("out of memory");
  std::array<unsigned char, 16> serial{};
  if (RAND_bytes(serial.data(), static_cast<int>(serial.size())) != 1)
    fail("random generator failed");
  serial[0] &= 0x7F;
  BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
  ASN1_INTEGER* sn = bn ? BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) : nullptr;
  BN_free(bn);
  if (!sn)
    fail("cannot set a serial number");
  X509_set_version(cert, 2);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_set_pubkey(cert, out.key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("hooktool"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  add_extension(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_extension(cert, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert, NID_ext_key_usage, "serverAuth");
  if (X509_sign(cert, out.key.get(), EVP_sha256()) == 0)
    fail("cannot sign the certificate");
  return out;
}

namespace {

// A PEM file as a memory BIO: read as a small regular file first, so a FIFO, a device or a huge
// file is refused at once instead of blocking or filling memory inside OpenSSL.
std::unique_ptr<BIO, BioDeleter> pem_file(const std::string& flag, const std::string& path,
                                          std::size_t max_bytes, std::string& bytes) {
  try {
    bytes = util::read_regular_file(path, max_bytes);
  } catch (const Error& e) {
    throw usage_error(flag + " " + e.what());
  }
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio)
    fail("out of memory");
  return bio;
}

} // namespace

CertifiedKey load_pem(const std::string& cert_path, const std::string& key_path) {
  constexpr std::size_t kMaxCertFile = std::size_t{1} << 20; // a chain of certificates
  constexpr std::size_t kMaxKeyFile = std::size_t{64} << 10;
  CertifiedKey out;
  std::string bytes;
  {
    const auto bio = pem_file("--tls-cert", cert_path, kMaxCertFile, bytes);
    out.cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!out.cert)
      throw usage_error("--tls-cert " + util::printable(cert_path) + ": not a PEM certificate");
  }
  {
    const auto bio = pem_file("--tls-key", key_path, kMaxKeyFile, bytes);
    out.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    OPENSSL_cleanse(bytes.data(), bytes.size());
    if (!out.key)
      throw usage_error("--tls-key " + util::printable(key_path) +
                        ": not a PEM private key (encrypted keys are not supported)");
  }
  if (X509_check_private_key(out.cert.get(), out.key.get()) != 1)
    throw usage_error("--tls-key " + util::printable(key_path) +
                      ": does not match the certificate");
  return out;
}

std::string fingerprint_sha256(const x509_st* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1)
    fail("cannot compute the fingerprint");
  std::string out;
  std::array<char, 4> buf{};
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf.data(), buf.size(), "%02X", md[i]);
    out += (i == 0 ? "" : ":");
    out += buf.data();
  }
  return out;
}

} // namespace hooktool::crypto
