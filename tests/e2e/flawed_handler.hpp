#pragma once

// hooktool_test_handler (tests/handlers/flawed_handler.cpp) on a free loopback port, with its
// processed counter in a temporary file that a --probe reads.
#include "background.hpp"
#include "temp_dir.hpp"

#include <chrono>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace e2e {

class FlawedHandler {
public:
  FlawedHandler(const std::string& mode, const std::string& provider, const std::string& secret,
                int delay_ms = 0)
      : state_(dir_.file("processed.txt")) {
    std::vector<std::string> args{"--mode",   mode,   "--provider", provider,
                                  "--secret", secret, "--state",    state_};
    if (delay_ms > 0) {
      args.emplace_back("--delay-ms");
      args.push_back(std::to_string(delay_ms));
    }
    bg_ = std::make_unique<Background>(HOOKTOOL_TEST_HANDLER, args);
    static const std::regex kBanner(R"(handler listening on http://127\.0\.0\.1:([0-9]+))");
    const auto line = bg_->wait_for_line(Stream::err, kBanner, std::chrono::seconds(10));
    std::smatch m;
    if (!line || !std::regex_search(*line, m, kBanner))
      throw std::runtime_error("the test handler did not start: " + bg_->describe());
    port_ = std::stoi(m[1].str());
  }

  [[nodiscard]] std::string to() const { return "127.0.0.1:" + std::to_string(port_) + "/hook"; }
  // A --probe printing the processed counter.
  [[nodiscard]] std::string probe() const { return "cat '" + state_ + "'"; }
  [[nodiscard]] std::string describe() const { return bg_->describe(); }

private:
  TempDir dir_;
  std::string state_;
  std::unique_ptr<Background> bg_;
  int port_ = -1;
};

} // namespace e2e
