#pragma once
// Shared setup for end-to-end tests that run `hooktool listen` in the background: start it
// on a free port, read the records it prints with --json, and build --secret flags. Every
// wait is bounded (on the listener's output, never a sleep).

#include "background.hpp"
#include "process.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace e2e {

#ifdef HOOKTOOL_BIN
// Starts `hooktool listen --port 0 ARGS…` and waits (bounded) for its banner.
inline std::unique_ptr<Background> start_listen(const std::vector<std::string>& args,
                                                const BackgroundOptions& opts = {}) {
  std::vector<std::string> argv{"listen", "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto bg = std::make_unique<Background>(kHooktool, argv, opts);
  if (bg->wait_port(std::chrono::seconds(10)) <= 0)
    throw std::runtime_error("listen did not print its banner: " + bg->describe());
  return bg;
}
#endif

// Waits for the listener's n-th JSON record on stdout (--json; n counts from 1) and returns it.
inline nlohmann::json listen_record(Background& l, std::size_t n) {
  if (!l.wait_for_lines(Stream::out, n, std::chrono::seconds(10)))
    throw std::runtime_error("listen printed fewer than " + std::to_string(n) +
                             " records: " + l.describe());
  return nlohmann::json::parse(l.lines(Stream::out).at(n - 1));
}

// Each non-empty line of a --json output (send, replay), parsed; throws on a non-JSON line.
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines_of(text))
    out.push_back(nlohmann::json::parse(line));
  return out;
}

// `--secret PROVIDER=SECRET` for each (provider, secret) pair, followed by `extra`.
inline std::vector<std::string>
secret_flags(const std::vector<std::pair<std::string, std::string>>& secrets,
             const std::vector<std::string>& extra = {}) {
  std::vector<std::string> out;
  for (const auto& [provider, secret] : secrets) {
    out.emplace_back("--secret");
    out.push_back(provider + "=" + secret);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

} // namespace e2e
