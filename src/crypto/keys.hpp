#pragma once

#include <optional>
#include <string>
#include <string_view>

// Asymmetric signatures (Ed25519, ECDSA P-256/SHA-256) and key encodings, over OpenSSL. Keys
// are raw bytes unless a name says otherwise; a key that cannot be used is a usage error whose
// message never quotes the key.
namespace hooktool::crypto {

// An Ed25519 key pair as raw bytes: the 32-byte seed (the private key) and the 32-byte public key.
struct Ed25519Keys {
  std::string seed;
  std::string public_key;
};

// A fresh Ed25519 key pair from OpenSSL's DRBG.
Ed25519Keys ed25519_generate();
// The public key of a 32-byte seed.
std::string ed25519_public_key(std::string_view seed);
// The 64-byte signature of message under a 32-byte seed.
std::string ed25519_sign(std::string_view seed, std::string_view message);
// Whether signature is a valid signature of message under a 32-byte public key; false for a
// signature of the wrong length. Usage error when public_key is not a key.
bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature);
// The seed of a PKCS#8 PEM Ed25519 private key ("-----BEGIN PRIVATE KEY-----").
std::string ed25519_seed_from_pem(std::string_view pem);
// A PKCS#8 PEM private key for a 32-byte seed.
std::string ed25519_seed_to_pem(std::string_view seed);

// An ECDSA P-256 key pair: the private key as PKCS#8 PEM, the public key as DER
// SubjectPublicKeyInfo.
struct EcdsaKeys {
  std::string private_pem;
  std::string public_der;
};

// A fresh P-256 key pair.
EcdsaKeys ecdsa_p256_generate();
// Usage error unless pem is a PKCS#8 (or SEC 1) PEM P-256 private key.
void ecdsa_p256_check_private(std::string_view pem);
// The DER SubjectPublicKeyInfo of a PEM P-256 private key.
std::string ecdsa_p256_public_der(std::string_view private_pem);
// Usage error unless der is a DER SubjectPublicKeyInfo of a P-256 key.
void ecdsa_p256_check_public(std::string_view der);
// The DER (ASN.1 SEQUENCE{r, s}) ECDSA signature of SHA-256(message); randomised.
std::string ecdsa_p256_sign(std::string_view private_pem, std::string_view message);
// Whether der_signature is a valid DER ECDSA signature of SHA-256(message) under the public
// key (DER SubjectPublicKeyInfo); raw r||s and malformed DER are false. Usage error when
// public_der is not a P-256 key.
bool ecdsa_p256_verify(std::string_view public_der, std::string_view message,
                       std::string_view der_signature);

// Whether text carries PEM armour ("-----BEGIN ").
bool is_pem(std::string_view text) noexcept;
// The DER bytes inside a PEM block labelled label ("PUBLIC KEY"); nullopt when there is none.
std::optional<std::string> pem_to_der(std::string_view pem, std::string_view label);
// A PEM block of der under label, 64 characters a line.
std::string der_to_pem(std::string_view der, std::string_view label);
// Raw bytes of a hex string (either case); nullopt for odd lengths or non-hex characters.
std::optional<std::string> from_hex(std::string_view hex);

} // namespace hooktool::crypto
