#pragma once

#include "crypto/handles.hpp"

#include <memory>
#include <string>

namespace hooktool::crypto {

// A certificate with its private key.
struct CertifiedKey {
  X509Ptr cert;
  PkeyPtr key;
};

// A fresh P-256 key and a self-signed certificate for localhost, 127.0.0.1 and ::1,
// valid from now for 30 days.
CertifiedKey generate_self_signed();
// Loads a PEM certificate and key; a usage error naming the file when either is unusable.
CertifiedKey load_pem(const std::string& cert_path, const std::string& key_path);
// SHA-256 fingerprint of the certificate's DER bytes, as "AB:CD:…".
std::string fingerprint_sha256(const x509_st* cert);

} // namespace hooktool::crypto
