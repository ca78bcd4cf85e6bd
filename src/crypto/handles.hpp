#pragma once

#include <memory>

// OpenSSL's handle types, declared here so that callers need not include OpenSSL.
struct x509_st;
struct evp_pkey_st;
struct evp_md_ctx_st;
struct bio_st;

namespace hooktool::crypto {

// Owning handles for the OpenSSL objects the crypto layer keeps: one definition of each, so
// that every file (and every unity unit) means the same type.
struct X509Deleter {
  void operator()(x509_st* p) const noexcept;
};
struct PkeyDeleter {
  void operator()(evp_pkey_st* p) const noexcept;
};
struct MdCtxDeleter {
  void operator()(evp_md_ctx_st* p) const noexcept;
};
struct BioDeleter {
  void operator()(bio_st* p) const noexcept;
};
// Memory OpenSSL allocated for the caller (OPENSSL_free).
struct OpensslDeleter {
  void operator()(void* p) const noexcept;
};
using X509Ptr = std::unique_ptr<x509_st, X509Deleter>;
using PkeyPtr = std::unique_ptr<evp_pkey_st, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<evp_md_ctx_st, MdCtxDeleter>;
using BioPtr = std::unique_ptr<bio_st, BioDeleter>;

} // namespace hooktool::crypto
