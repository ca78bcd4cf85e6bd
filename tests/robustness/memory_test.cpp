// listen's memory (issue 18): libcurl and its dependency chain stay out of a listen that does
// not forward, an idle listen stays under a generous peak-RSS bound, and the flat duplicate
// tracker flags redeliveries across its chunk and index boundaries. The real binary, spoken to
// over raw TCP on loopback; every wait is bounded (on output lines and answers, never a sleep).
#include "../e2e/background.hpp"
#include "../e2e/listen_fixture.hpp"
#include "../e2e/process.hpp"
#include "../e2e/temp_dir.hpp"
#include "raw_socket.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

namespace suite_memory {

using namespace std::chrono_literals;
using e2e::Stream;

namespace {

// The lines of /proc/PID/maps that name a file containing needle.
std::vector<std::string> mappings_of(pid_t pid, const std::string& needle) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos)
      out.push_back(line);
  return out;
}

// A field of /proc/PID/status in KiB (VmHWM, RssFile…); -1 when unreadable.
long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0)
      return std::stol(line.substr(field.size() + 1));
  return -1;
}

// One unsigned GitHub-shaped delivery on a fresh connection; the answer's status (-1: none).
int deliver(int port, const std::string& delivery_id) {
  const std::string body = R"({"zen":"memory"})";
  const std::string request = "POST /hook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              "Content-Type: application/json\r\nX-GitHub-Event: ping\r\n"
                              "X-GitHub-Delivery: " +
                              delivery_id + "\r\nContent-Length: " + std::to_string(body.size()) +
                              "\r\nConnection: close\r\n\r\n" + body;
  const int fd = raw::connect_loopback(port);
  if (fd < 0)
    return -1;
  const auto deadline = raw::Clock::now() + 10s;
  std::string answer;
  bool closed = false;
  if (raw::send_all(fd, request, deadline))
    raw::read_until(
        fd, answer, deadline,
        [](const std::string& b) { return b.find("\r\n\r\n") != std::string::npos; }, closed);
  ::close(fd);
  if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12)
    return -1;
  return std::stoi(answer.substr(9, 3));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

} // namespace

// Debian's libcurl4 brings GnuTLS, p11-kit, Kerberos, LDAP, libssh2 and two dozen more
// libraries (3.9 MiB resident, GnuTLS initialising itself at load): a listen that verifies and
// answers without forwarding maps none of them, before or after a delivery, and its idle peak
// RSS stays under 10 MiB (12.0 MiB when libcurl was linked; 8.0 MiB measured without).
TEST(ListenMemory, IdleListenDoesNotMapLibcurlAndStaysSmall) {
  auto l = e2e::start_listen({"--quiet", "--secret", "github=s"});
  EXPECT_EQ(mappings_of(l->pid(), "libcurl"), std::vector<std::string>{});
  EXPECT_EQ(mappings_of(l->pid(), "libgnutls"), std::vector<std::string>{});
  if (!kSanitized) {
    const long peak = status_kib(l->pid(), "VmHWM");
    ASSERT_GT(peak, 0);
    EXPECT_LT(peak, 10 * 1024) << "idle peak RSS " << peak << " KiB";
  }
  ASSERT_EQ(deliver(l->port(), "mem-1"), 200);
  ASSERT_TRUE(l->wait_for_lines(Stream::out, 1, 10s)) << l->describe();
  EXPECT_EQ(mappings_of(l->pid(), "libcurl"), std::vector<std::string>{});
}

// Redeliveries are flagged with their first sighting across the tracker's chunks (1024 ids
// each) and index growths: 1100 distinct ids, then the first, a middle and the last again.
TEST(ListenMemory, DuplicatesAreFlaggedAcrossTrackerChunks) {
  auto l = e2e::start_listen({"--json"});
  constexpr int n = 1100;
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(deliver(l->port(), "dup-" + std::to_string(i)), 200) << "delivery " << i;
  const std::vector<int> again{0, 1024, n - 1};
  for (const int i : again)
    ASSERT_EQ(deliver(l->port(), "dup-" + std::to_string(i)), 200);
  ASSERT_TRUE(l->wait_for_lines(Stream::out, n + again.size(), 30s)) << l->describe();
  const auto lines = l->lines(Stream::out);
  std::vector<nlohmann::json> records;
  for (const auto& line : lines)
    records.push_back(nlohmann::json::parse(line));
  for (int i = 0; i < n; ++i)
    EXPECT_FALSE(records[i].contains("duplicate")) << "delivery " << i << ": " << lines[i];
  for (std::size_t k = 0; k < again.size(); ++k) {
    const auto& r = records[n + k];
    ASSERT_TRUE(r.contains("duplicate")) << lines[n + k];
    EXPECT_EQ(r["duplicate"]["seen"], 2);
    EXPECT_EQ(r["duplicate"]["first_id"], records[again[k]]["id"]) << lines[n + k];
  }
}

// Without a usable libcurl, what needs it fails with one line naming the package, exit 1
// (here a file that is not a library, then a library without curl's functions, found first
// through LD_LIBRARY_PATH).
TEST(ListenMemory, UnloadableLibcurlIsOneLineExit1) {
  e2e::TempDir dir;
  e2e::write_file(dir.file("libcurl.so.4"), "not a library\n");
  e2e::ProcessOptions opts;
  opts.env["LD_LIBRARY_PATH"] = dir.path().string();
  // https needs libcurl (a plain http:// send goes without it).
  auto r = e2e::hooktool({"send", "github", "push", "--to", "https://127.0.0.1:9", "--secret", "s"},
                         opts);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("hooktool: cannot load libcurl ("), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("install the libcurl4 package"), std::string::npos) << r.describe();
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.describe();

  // A real library that is not libcurl: its first missing function is named.
  // toml++, which hooktool links, stands in for it (its path from a listen's mappings).
  const auto l = e2e::start_listen({"--quiet"});
  const auto toml = mappings_of(l->pid(), "libtomlplusplus");
  ASSERT_FALSE(toml.empty());
  const auto path = toml.front().substr(toml.front().find('/'));
  std::filesystem::copy_file(path, dir.file("libcurl.so.4"),
                             std::filesystem::copy_options::overwrite_existing);
  r = e2e::hooktool({"send", "github", "push", "--to", "https://127.0.0.1:9", "--secret", "s"},
                    opts);
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.err.find("has no curl_"), std::string::npos) << r.describe();
}

} // namespace suite_memory
