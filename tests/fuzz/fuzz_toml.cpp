// Fuzzes the config-file reader: util::parse_toml (toml++) and core::parse_config
// (keys, types, providers). Input: the file's text. Errors are hooktool::Error with
// "ORIGIN:LINE: reason"; anything else (crash, UB, another exception) is a finding. A line
// number past the end of the input is a finding too.
#include "core/config.hpp"
#include "util/error.hpp"
#include "util/toml.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hooktool;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  try {
    for (const auto& entry : util::parse_toml(text, "f.toml")) {
      if (entry.line < 1 || entry.line > lines || entry.path.empty()) {
        std::fprintf(stderr, "fuzz_toml: entry at line %zu of %zu\n", entry.line, lines);
        std::abort();
      }
    }
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind("f.toml:", 0) != 0) {
      std::fprintf(stderr, "fuzz_toml: error without a place: %s\n", what.c_str());
      std::abort();
    }
  }
  try {
    (void)core::parse_config(text, "/p/.hooktool.toml", core::Layer::project, "/home/u");
  } catch (const Error&) {
  }
  return 0;
}
