// End-to-end: the commands that never go to the network do not load libcurl. hooktool loads it
// with dlopen on the first curl_* call (src/model/curl_shim.cpp), and parsing --to or
// --public-url (model::parse_target) makes none: the binary runs with LD_DEBUG=files, which has
// the dynamic loader name on stderr every object it loads, dlopen()ed ones included.

#include "background.hpp"
#include "process.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <gtest/gtest.h>
#include <regex>
#include <string>
#include <vector>

// One namespace per suite: the suites share unity units (their file-local helpers have the
// same names).
namespace e2e_no_libcurl {

namespace {

using e2e::Background;
using e2e::BackgroundOptions;
using e2e::ProcessOptions;
using e2e::Stream;

// The objects the dynamic loader reported loading ("file=libcurl.so.4 [0];  dynamically loaded
// by ..."), from LD_DEBUG=files output.
std::vector<std::string> loaded_objects(const std::string& ld_debug) {
  static const std::regex kFile(R"(file=([^ ]+) +\[)");
  std::vector<std::string> out;
  for (std::sregex_iterator it(ld_debug.begin(), ld_debug.end(), kFile), end; it != end; ++it)
    out.push_back((*it)[1].str());
  return out;
}

// The libcurl objects among them (libcurl.so.4, libcurl-gnutls.so.4, ...).
std::vector<std::string> libcurl_objects(const std::string& ld_debug) {
  std::vector<std::string> out;
  for (const auto& name : loaded_objects(ld_debug))
    if (name.find("libcurl") != std::string::npos)
      out.push_back(name);
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "" : " ") + name;
  return out;
}

// LD_DEBUG=files is in effect: the loader reported the C library (else an empty list of
// libcurl objects would prove nothing).
void expect_loader_reports(const std::string& ld_debug) {
  const auto objects = loaded_objects(ld_debug);
  EXPECT_NE(std::find_if(objects.begin(), objects.end(),
                         [](const std::string& name) { return name.starts_with("libc.so"); }),
            objects.end())
      << "LD_DEBUG=files reported no libc: " << ld_debug.substr(0, 2000);
}

ProcessOptions with_ld_debug() {
  ProcessOptions opts;
  opts.env["LD_DEBUG"] = "files";
  return opts;
}

} // namespace

// send --dry-run renders, signs and prints: parsing each shape of --to must not load libcurl.
TEST(NoLibcurl, SendDryRunDoesNotLoadLibcurl) {
  for (const char* to : {"127.0.0.1:9", "3000", ":3000/hooks", "localhost:3000/webhooks?x=1",
                         "https://[::1]:8443/a/b?c=d#frag", "HTTP://Example.COM/x"}) {
    SCOPED_TRACE(to);
    const auto r = e2e::hooktool(
        {"send", "github", "push", "--to", to, "--secret", "s", "--dry-run"}, with_ld_debug());
    ASSERT_EQ(r.exit_code, 0) << r.describe().substr(0, 4000);
    EXPECT_NE(r.out.find("POST "), std::string::npos) << r.out.substr(0, 2000);
    expect_loader_reports(r.err);
    EXPECT_EQ(joined(libcurl_objects(r.err)), "");
  }
}

// A bad --to is refused (a usage error) without libcurl too.
TEST(NoLibcurl, ABadTargetIsRefusedWithoutLibcurl) {
  for (const char* to : {"localhost:99999", "ftp://x", "http://user:pw@host/"}) {
    SCOPED_TRACE(to);
    const auto r = e2e::hooktool(
        {"send", "github", "push", "--to", to, "--secret", "s", "--dry-run"}, with_ld_debug());
    EXPECT_EQ(r.exit_code, 2) << r.describe().substr(0, 4000);
    EXPECT_NE(r.err.find("invalid URL '"), std::string::npos) << r.err.substr(0, 4000);
    expect_loader_reports(r.err);
    EXPECT_EQ(joined(libcurl_objects(r.err)), "");
  }
}

// listen without a forward target: --public-url is parsed at start-up, and nothing else needs
// libcurl.
TEST(NoLibcurl, ListenWithAPublicUrlDoesNotLoadLibcurl) {
  BackgroundOptions opts;
  opts.env["LD_DEBUG"] = "files";
  Background listen(e2e::kHooktool,
                    {"listen", "--port", "0", "--public-url", "https://hooks.example.com/in?x=1"},
                    opts);
  ASSERT_GT(listen.wait_port(std::chrono::seconds(10)), 0) << listen.describe();
  ASSERT_TRUE(listen.send_signal(SIGINT));
  const auto status = listen.wait_exit(std::chrono::seconds(10));
  EXPECT_FALSE(status.timed_out) << status.describe();
  const auto err = listen.text(Stream::err);
  expect_loader_reports(err);
  EXPECT_EQ(joined(libcurl_objects(err)), "");
}

// The control: a send that does go to the network loads libcurl, and LD_DEBUG=files shows it
// (so the tests above would see it if parsing loaded it).
// The control: a send that needs libcurl (https; a plain http:// send goes without it) loads it.
TEST(NoLibcurl, AnHttpsSendLoadsLibcurlAndTheTestSeesIt) {
  const int port = e2e::free_port();
  ASSERT_GT(port, 0);
  const auto r = e2e::hooktool({"send", "github", "push", "--to",
                                "https://127.0.0.1:" + std::to_string(port), "--secret", "s"},
                               with_ld_debug());
  EXPECT_NE(r.exit_code, 0) << r.describe().substr(0, 4000); // nothing listens there
  EXPECT_NE(joined(libcurl_objects(r.err)), "") << r.err.substr(0, 4000);
}

} // namespace e2e_no_libcurl
