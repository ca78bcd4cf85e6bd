// Fuzzes the --set path parser (core::parse_set) and core::apply_set on a small JSON document
// shaped like a fixture (objects, arrays, scalars), then serialises the result as compile does.
#include "core/template.hpp"
#include "util/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

constexpr std::string_view kDoc = R"({
  "id": "evt_1", "type": "invoice.paid", "livemode": false, "amount": 5000, "ratio": 0.5,
  "data": {"object": {"lines": {"data": [{"amount": 1, "tags": []}, {"amount": 2}]},
                      "metadata": null, "customer": "cus_1"}},
  "list": [1, "two", [3], {"four": 4}], "empty": {}
})";

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hooktool;
  static const auto base = nlohmann::ordered_json::parse(kDoc);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  core::SetOp op;
  try {
    op = core::parse_set(text);
  } catch (const Error&) {
    return 0;
  }
  if (op.path.empty()) {
    std::fprintf(stderr, "fuzz_set: parse_set returned an empty path\n");
    std::abort();
  }
  auto doc = base;
  try {
    core::apply_set(doc, op);
    // Applying the same override twice is idempotent.
    auto twice = doc;
    core::apply_set(twice, op);
    if (twice != doc) {
      std::fprintf(stderr, "fuzz_set: applying the same --set twice changed the document\n");
      std::abort();
    }
  } catch (const Error&) {
    return 0;
  }
  (void)doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
