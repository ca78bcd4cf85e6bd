// libcurl, loaded on first use. hooktool does not link libcurl: this file defines the curl_*
// functions hooktool calls, and the first call dlopen()s libcurl and resolves them all. Debian's
// libcurl4 pulls in GnuTLS, p11-kit, Kerberos, LDAP, libssh2, nettle and some twenty more
// libraries (GnuTLS initialises itself from a constructor at load time), 3.9 MiB of resident
// pages that a `listen` which never forwards has no use for (figures in the README).
// Only the functions hooktool calls are here: a new curl_* call is an undefined reference at
// link time until it is added below.
#include "util/error.hpp"

#include <cstdarg>
#include <curl/curl.h>
#include <dlfcn.h>
#include <string>

// curl.h makes these function-like macros (to check the argument count); the definitions
// below need the plain names.
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt

#ifndef HOOKTOOL_LIBCURL_SONAME
#define HOOKTOOL_LIBCURL_SONAME "libcurl.so.4"
#endif

namespace {

// libcurl's entry points, resolved once.
struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_version_info) version_info = nullptr;
  decltype(&curl_free) free = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
  decltype(&curl_multi_init) multi_init = nullptr;
  decltype(&curl_multi_cleanup) multi_cleanup = nullptr;
  decltype(&curl_multi_setopt) multi_setopt = nullptr;
  decltype(&curl_multi_add_handle) multi_add_handle = nullptr;
  decltype(&curl_multi_remove_handle) multi_remove_handle = nullptr;
  decltype(&curl_multi_perform) multi_perform = nullptr;
  decltype(&curl_multi_poll) multi_poll = nullptr;
  decltype(&curl_multi_info_read) multi_info_read = nullptr;
  decltype(&curl_url) url = nullptr;
  decltype(&curl_url_cleanup) url_cleanup = nullptr;
  decltype(&curl_url_set) url_set = nullptr;
  decltype(&curl_url_get) url_get = nullptr;
  decltype(&curl_url_strerror) url_strerror = nullptr;
};

hooktool::Error cannot_load(const std::string& why) {
  return hooktool::failure("cannot load libcurl (" + why +
                           "); https://, --location, a proxy and answers to decode need it: "
                           "install the libcurl4 package");
}

template <typename Fn> void resolve(void* library, const char* name, Fn& out) {
  void* symbol = ::dlsym(library, name);
  if (symbol == nullptr)
    throw cannot_load(std::string(HOOKTOOL_LIBCURL_SONAME) + " has no " + name);
  // POSIX guarantees that dlsym's object pointer converts to the function's pointer type.
  out = reinterpret_cast<Fn>(symbol); // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}

CurlApi load_curl() {
  // The handle stays open for the life of the process (libcurl keeps global state).
  void* library = ::dlopen(HOOKTOOL_LIBCURL_SONAME, RTLD_LAZY | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    throw cannot_load(why != nullptr ? why : HOOKTOOL_LIBCURL_SONAME);
  }
  CurlApi a;
  resolve(library, "curl_global_init", a.global_init);
  resolve(library, "curl_version_info", a.version_info);
  resolve(library, "curl_free", a.free);
  resolve(library, "curl_easy_init", a.easy_init);
  resolve(library, "curl_easy_cleanup", a.easy_cleanup);
  resolve(library, "curl_easy_reset", a.easy_reset);
  resolve(library, "curl_easy_perform", a.easy_perform);
  resolve(library, "curl_easy_setopt", a.easy_setopt);
  resolve(library, "curl_easy_getinfo", a.easy_getinfo);
  resolve(library, "curl_easy_strerror", a.easy_strerror);
  resolve(library, "curl_slist_append", a.slist_append);
  resolve(library, "curl_slist_free_all", a.slist_free_all);
  resolve(library, "curl_multi_init", a.multi_init);
  resolve(library, "curl_multi_cleanup", a.multi_cleanup);
  resolve(library, "curl_multi_setopt", a.multi_setopt);
  resolve(library, "curl_multi_add_handle", a.multi_add_handle);
  resolve(library, "curl_multi_remove_handle", a.multi_remove_handle);
  resolve(library, "curl_multi_perform", a.multi_perform);
  resolve(library, "curl_multi_poll", a.multi_poll);
  resolve(library, "curl_multi_info_read", a.multi_info_read);
  resolve(library, "curl_url", a.url);
  resolve(library, "curl_url_cleanup", a.url_cleanup);
  resolve(library, "curl_url_set", a.url_set);
  resolve(library, "curl_url_get", a.url_get);
  resolve(library, "curl_url_strerror", a.url_strerror);
  return a;
}

// Loaded by the first caller (thread-safe); a failed load throws hooktool::Error, which main
// turns into one line on stderr and exit status 1, and the next call tries again.
const CurlApi& curl() {
  static const CurlApi api = load_curl();
  return api;
}

// The one argument after an option, by the option's type: a long, a curl_off_t, or a pointer
// (object, string, list, blob or callback: all are passed as pointers).
enum class ArgKind { long_, off_t_, pointer };
constexpr ArgKind arg_kind(int option) noexcept {
  const int type = option / 10000 * 10000;
  if (type == CURLOPTTYPE_LONG)
    return ArgKind::long_;
  if (type == CURLOPTTYPE_OFF_T)
    return ArgKind::off_t_;
  return ArgKind::pointer;
}

// Passes the one argument after option on to libcurl's setopt with its type (the caller owns
// args: va_start before, va_end after).
// NOLINTBEGIN(cppcoreguidelines-pro-type-vararg)
template <typename Setopt, typename Handle, typename Option>
auto forward_option(Setopt setopt, Handle* handle, Option option, va_list args) {
  switch (arg_kind(static_cast<int>(option))) {
  case ArgKind::long_:
    return setopt(handle, option, va_arg(args, long));
  case ArgKind::off_t_:
    return setopt(handle, option, va_arg(args, curl_off_t));
  case ArgKind::pointer:
    break;
  }
  // A callback travels as void* too: object and function pointers share one representation on
  // every platform libcurl and dlsym run on, and libcurl reads it back with its own type.
  return setopt(handle, option, va_arg(args, void*));
}
// NOLINTEND(cppcoreguidelines-pro-type-vararg)

} // namespace

// curl.h declares the option and info parameters before `...` as enums, which clang flags for
// va_start; the definitions must match those declarations (libcurl's own do the same).
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wvarargs"
#endif

// NOLINTBEGIN(cppcoreguidelines-pro-type-vararg,readability-identifier-naming)
extern "C" {

CURLcode curl_global_init(long flags) {
  return curl().global_init(flags);
}
curl_version_info_data* curl_version_info(CURLversion version) {
  return curl().version_info(version);
}
void curl_free(void* p) {
  if (p != nullptr)
    curl().free(p);
}

CURL* curl_easy_init() {
  return curl().easy_init();
}
void curl_easy_cleanup(CURL* handle) {
  if (handle != nullptr)
    curl().easy_cleanup(handle);
}
void curl_easy_reset(CURL* handle) {
  curl().easy_reset(handle);
}
CURLcode curl_easy_perform(CURL* handle) {
  return curl().easy_perform(handle);
}
CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  const auto& api = curl();
  va_list args;
  va_start(args, option);
  const auto rc = forward_option(api.easy_setopt, handle, option, args);
  va_end(args);
  return rc;
}
CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  const auto& api = curl();
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*); // every CURLINFO takes a pointer to the result
  va_end(args);
  return api.easy_getinfo(handle, info, out);
}
const char* curl_easy_strerror(CURLcode code) {
  return curl().easy_strerror(code);
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  return curl().slist_append(list, text);
}
void curl_slist_free_all(curl_slist* list) {
  if (list != nullptr)
    curl().slist_free_all(list);
}

CURLM* curl_multi_init() {
  return curl().multi_init();
}
CURLMcode curl_multi_cleanup(CURLM* multi) {
  return multi != nullptr ? curl().multi_cleanup(multi) : CURLM_OK;
}
CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  const auto& api = curl();
  va_list args;
  va_start(args, option);
  const auto rc = forward_option(api.multi_setopt, multi, option, args);
  va_end(args);
  return rc;
}
CURLMcode curl_multi_add_handle(CURLM* multi, CURL* handle) {
  return curl().multi_add_handle(multi, handle);
}
CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* handle) {
  return curl().multi_remove_handle(multi, handle);
}
CURLMcode curl_multi_perform(CURLM* multi, int* running) {
  return curl().multi_perform(multi, running);
}
CURLMcode curl_multi_poll(CURLM* multi, curl_waitfd extra[], unsigned int count, int timeout_ms,
                          int* ret) {
  return curl().multi_poll(multi, extra, count, timeout_ms, ret);
}
CURLMsg* curl_multi_info_read(CURLM* multi, int* queued) {
  return curl().multi_info_read(multi, queued);
}

CURLU* curl_url() {
  return curl().url();
}
void curl_url_cleanup(CURLU* url) {
  if (url != nullptr)
    curl().url_cleanup(url);
}
CURLUcode curl_url_set(CURLU* url, CURLUPart part, const char* content, unsigned int flags) {
  return curl().url_set(url, part, content, flags);
}
CURLUcode curl_url_get(CURLU* url, CURLUPart part, char** content, unsigned int flags) {
  return curl().url_get(url, part, content, flags);
}
const char* curl_url_strerror(CURLUcode code) {
  return curl().url_strerror(code);
}

} // extern "C"
// NOLINTEND(cppcoreguidelines-pro-type-vararg,readability-identifier-naming)
