#pragma once

#include "core/fixtures.hpp"
#include "core/template.hpp"
#include "model/http.hpp"
#include "providers/provider.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hooktool::core {

// Security drills: what to break after signing.
enum class Tamper { none, signature, body, timestamp };

// Parses "signature" / "body" / "timestamp"; nullopt for anything else.
std::optional<Tamper> parse_tamper(std::string_view text) noexcept;

// A rendered payload, ready to sign.
struct Payload {
  std::string body;
  providers::BodyFormat format = providers::BodyFormat::json;
  std::string origin; // fixture path, "built-in", or "--data"
};

// What a payload is made from: a fixture (or --data) with --set overrides.
struct PayloadSpec {
  std::string fixture_family; // fixtures directory name
  std::string event;
  std::optional<std::string> data; // --data contents, replacing the fixture
  std::vector<SetOp> sets;
  bool pretty_json = false;
  std::int64_t now_ms = 0; // the clock fixtures see (backdated by --age)
};

// A fixture (or --data) loaded and parsed once, rendered many times with fresh values.
class PayloadTemplate {
public:
  // Loads the fixture or takes --data; a usage error when it is unknown or not valid JSON.
  PayloadTemplate(const FixtureStore& store, const PayloadSpec& spec);
  // A payload with fresh ids and times as of now_ms.
  [[nodiscard]] Payload render(std::int64_t now_ms) const;
  // The same bytes render would give, into body (its buffer reused), for load mode: the first
  // call renders in full and remembers where each value went; later ones copy that rendering
  // and overwrite only the values (in full again when a value's width changed).
  void render_into(std::int64_t now_ms, std::string& body);
  [[nodiscard]] providers::BodyFormat format() const noexcept { return format_; }

private:
  [[nodiscard]] bool patchable() const noexcept {
    return !verbatim_ && (format_ == providers::BodyFormat::json || spec_.sets.empty());
  }

  PayloadSpec spec_;
  providers::BodyFormat format_ = providers::BodyFormat::json;
  std::string origin_;
  std::string text_;      // form template, or verbatim --data bytes
  std::string compiled_;  // JSON template serialised once, --set applied, placeholders kept
  bool verbatim_ = false; // --data without placeholders or --set: sent as given
  std::string last_;      // render_into's last full rendering
  std::vector<Renderer::Slot> slots_; // where its values are
};

// Renders a fixture or --data payload with fresh ids and times (one-off PayloadTemplate).
Payload render_payload(const FixtureStore& store, const PayloadSpec& spec);

// Everything needed to turn a payload into a signed request.
struct ComposeInput {
  const providers::Provider* provider = nullptr;
  std::string event;
  Payload payload;
  std::string url;         // where the request goes
  std::string signing_url; // the URL the receiver sees (Twilio); empty: url
  std::string secret;
  std::int64_t timestamp = 0;
  model::Headers extra_headers; // --header: added last, replacing same-named headers
  Tamper tamper = Tamper::none;
  bool read_back_info = true; // read event type/id back from the delivery (load mode skips it)
};

// A request ready to send, and what it claims to be.
struct Composed {
  model::HttpRequest request;
  providers::EventInfo info;
  std::string tamper_note;     // what was broken, for the user
  bool tamper_applied = false; // false: the drill could not apply (scheme does not sign it)
};

// Envelope, signature, --header overrides, then the tamper drill.
Composed compose(const ComposeInput& in);

// What compose does before the drill, around a body already in request.body, reusing
// request's buffers (load mode): method, URL, envelope, signature, --header overrides.
void compose_into(const ComposeInput& in, model::HttpRequest& request);

// Signs an already-built request again with a fresh timestamp, keeping ids and body
// (retries, replay --resign); --header overrides are applied again afterwards.
void resign(model::HttpRequest& request, const providers::Provider& provider,
            const std::string& secret, std::int64_t timestamp, const std::string& signing_url,
            const model::Headers& extra_headers);

} // namespace hooktool::core
