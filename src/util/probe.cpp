#include "util/probe.hpp"

#include "util/strings.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <memory>
#include <sys/wait.h>

namespace hooktool::util {

std::optional<double> run_probe(const std::string& cmd, std::string& error) {
  const auto line = "timeout 60 sh -c " + shell_quote(cmd);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(line.c_str(), "r"), ::pclose);
  if (!pipe) {
    error = "cannot run the probe";
    return std::nullopt;
  }
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0)
    out.append(buf.data(), n);
  const int status = ::pclose(pipe.release());
  if (WIFSIGNALED(status)) {
    error = "the probe was killed by signal " + std::to_string(WTERMSIG(status));
    return std::nullopt;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    constexpr int kSignalBase = 128; // the shell (and timeout) report a signal N as 128 + N
    if (code == 124)
      error = "the probe took longer than 60 s";
    else if (code > kSignalBase && code < kSignalBase + 65)
      error = "the probe was killed by signal " + std::to_string(code - kSignalBase);
    else
      error = "the probe exited with status " + std::to_string(code);
    return std::nullopt;
  }
  // The first number: "42", "count: 42", and `wc -l file` ("42 file-2024.log") all read 42.
  const auto start = out.find_first_of("0123456789");
  if (start == std::string::npos) {
    error = "the probe printed no number: '" + printable(trim(out)).substr(0, 60) + "'";
    return std::nullopt;
  }
  auto begin = start;
  if (begin > 0 && out[begin - 1] == '-')
    --begin;
  auto end = start;
  while (end < out.size() &&
         (std::isdigit(static_cast<unsigned char>(out[end])) || out[end] == '.'))
    ++end;
  try {
    return std::stod(out.substr(begin, end - begin));
  } catch (const std::exception&) {
    error = "the probe printed no number";
    return std::nullopt;
  }
}

std::string probe_text(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

} // namespace hooktool::util
