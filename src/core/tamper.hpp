#pragma once

#include "model/http.hpp"
#include "providers/provider.hpp"

#include <cstddef>
#include <string>

namespace hooktool::core {

// What the body drill changed.
struct BodyTamper {
  bool changed = false;
  std::size_t offset = 0; // byte offset in the body
  std::string path;       // JSON path (data.object.description) or form field name
  char before = 0;
  char after = 0;
  std::string note; // one line for the user
};

// Changes one byte of the body after signing, inside a value no handler routes on: a leaf
// nested below the top level when there is one (descriptions, names, amounts), never an id,
// type, action, status, time or signature field, and only where the event type and id the
// provider reads back stay the same. With `verify` (the parameters the delivery verifies
// with), only a change that makes verification fail counts: schemes that sign some fields
// only (Adyen) get a signed field changed. When no value qualifies, nothing changes
// (`changed` false, the note says why): the scheme does not cover the body (Mailgun signs a
// timestamp and token, GitLab sends a shared token).
BodyTamper tamper_body(model::HttpRequest& request, const providers::Provider& provider,
                       const providers::VerifyParams* verify = nullptr);

} // namespace hooktool::core
