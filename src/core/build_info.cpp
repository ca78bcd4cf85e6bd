#include "core/build_info.hpp"

#include "util/version.hpp"

#include <CLI/Version.hpp>
#include <curl/curl.h>
#include <httplib.h> // for CPPHTTPLIB_VERSION only: the library is not linked
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

namespace hooktool::core {

std::string version_report() {
  // Only version strings: nothing here initialises a library or touches the disk. libcurl is
  // the version built against: asking the library would load it (and GnuTLS, Kerberos, LDAP…
  // with it), which took a third of --version's time; hooktool loads it only to send.
  return "hooktool " + std::string(util::version()) + "\n" + "libcurl " LIBCURL_VERSION ", " +
         OpenSSL_version(OPENSSL_VERSION) + ", cpp-httplib " CPPHTTPLIB_VERSION ", nlohmann/json " +
         std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_PATCH) + ", CLI11 " CLI11_VERSION;
}

} // namespace hooktool::core
