// Fuzzes form-body parsing: util::parse_form / form_field and the form helpers in
// util/strings.hpp (form_decode, form_encode). Input: a form body; its first field name (up to
// '=' or '&') is also looked up with form_field.
#include "util/form.hpp"
#include "util/strings.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_form: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hooktool;
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  const auto fields = util::parse_form(body);
  std::size_t decoded_bytes = 0;
  for (const auto& [name, value] : fields)
    decoded_bytes += name.size() + value.size();
  if (decoded_bytes > body.size())
    fail("decoding made the form longer", body);

  // form_encode then form_decode is the identity, for field names and values alike.
  for (const auto& [name, value] : fields) {
    for (const auto* text : {&name, &value}) {
      const auto encoded = util::form_encode(*text);
      if (encoded.find_first_of("&= ") != std::string::npos)
        fail("form_encode left a separator in place", encoded);
      if (util::form_decode(encoded) != *text)
        fail("form_decode(form_encode(x)) != x", *text);
    }
  }
  // Re-encoding the decoded fields gives a body that parses to the same fields.
  std::string rebuilt;
  for (const auto& [name, value] : fields)
    rebuilt +=
        (rebuilt.empty() ? "" : "&") + util::form_encode(name) + "=" + util::form_encode(value);
  if (util::parse_form(rebuilt) != fields)
    fail("re-encoded form parses to other fields", rebuilt);

  const auto first = body.substr(0, body.find_first_of("=&"));
  const auto looked_up = util::form_field(body, util::form_decode(first));
  if (!first.empty() && !looked_up && !fields.empty() &&
      fields.front().first == util::form_decode(first))
    fail("form_field missed the first field", body);
  (void)util::form_decode(body);
  (void)util::split(body, '&');
  (void)util::trim(body);
  (void)util::is_valid_utf8(body);
  return 0;
}
