#include "crypto/handles.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace hooktool::crypto {

void X509Deleter::operator()(x509_st* p) const noexcept {
  X509_free(p);
}
void PkeyDeleter::operator()(evp_pkey_st* p) const noexcept {
  EVP_PKEY_free(p);
}
void MdCtxDeleter::operator()(evp_md_ctx_st* p) const noexcept {
  EVP_MD_CTX_free(p);
}
void BioDeleter::operator()(bio_st* p) const noexcept {
  BIO_free(p);
}
void OpensslDeleter::operator()(void* p) const noexcept {
  OPENSSL_free(p);
}

} // namespace hooktool::crypto
