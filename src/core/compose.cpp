#include "core/compose.hpp"

#include "core/tamper.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

namespace hooktool::core {

namespace {

void apply_overrides(model::Headers& headers, const model::Headers& extra) {
  for (const auto& h : extra)
    model::set_header(headers, h.name, h.value);
}

} // namespace

std::optional<Tamper> parse_tamper(std::string_view text) noexcept {
  if (text == "signature")
    return Tamper::signature;
  if (text == "body")
    return Tamper::body;
  if (text == "timestamp")
    return Tamper::timestamp;
  return std::nullopt;
}

PayloadTemplate::PayloadTemplate(const FixtureStore& store, const PayloadSpec& spec) : spec_(spec) {
  if (spec.data) {
    text_ = *spec.data;
    origin_ = "--data";
    const bool is_json = !util::json_nesting_exceeds(text_, 512) &&
                         !nlohmann::json::parse(text_, nullptr, false).is_discarded();
    format_ = is_json ? providers::BodyFormat::json : providers::BodyFormat::form;
    // Bytes given by the user go out as given unless they ask for changes.
    verbatim_ = spec.sets.empty() && text_.find("{{") == std::string::npos;
  } else {
    auto fixture = store.load(spec.fixture_family, spec.event);
    text_ = std::move(fixture.text);
    origin_ = fixture.origin == "built-in" ? "built-in " + fixture.provider + "/" + fixture.event
                                           : fixture.origin;
    format_ = fixture.format;
  }
  if (!verbatim_ && format_ == providers::BodyFormat::json) {
    // Serialised once with the placeholders in place; each render only fills them in.
    compiled_ = compile_json_template(text_, origin_, spec.sets, spec.pretty_json);
  }
}

Payload PayloadTemplate::render(std::int64_t now_ms) const {
  Payload out;
  out.format = format_;
  out.origin = origin_;
  if (verbatim_) {
    out.body = text_;
    return out;
  }
  Renderer renderer(now_ms, spec_.event);
  out.body = format_ == providers::BodyFormat::json ? renderer.fill_json_text(compiled_)
                                                    : renderer.render_form(text_, spec_.sets);
  return out;
}

void PayloadTemplate::render_into(std::int64_t now_ms, std::string& body) {
  if (!patchable()) {
    body = render(now_ms).body;
    return;
  }
  Renderer renderer(now_ms, spec_.event);
  if (!last_.empty() || !slots_.empty()) {
    body.assign(last_);
    if (renderer.patch(body, slots_))
      return;
  }
  last_ = format_ == providers::BodyFormat::json ? renderer.fill_json_text(compiled_, &slots_)
                                                 : renderer.fill_form_text(text_, &slots_);
  body.assign(last_);
}

Payload render_payload(const FixtureStore& store, const PayloadSpec& spec) {
  return PayloadTemplate(store, spec).render(spec.now_ms);
}

void compose_into(const ComposeInput& in, model::HttpRequest& request) {
  const auto& provider = *in.provider;
  request.method = "POST";
  request.url = in.url;
  request.headers = provider.envelope({in.event, in.payload.format, in.timestamp});
  provider.sign(request, {in.secret, in.timestamp, in.signing_url});
  apply_overrides(request.headers, in.extra_headers);
}

Composed compose(const ComposeInput& in) {
  const auto& provider = *in.provider;
  Composed out;
  auto& req = out.request;
  req.body = in.payload.body;
  compose_into(in, req);
  switch (in.tamper) {
  case Tamper::none:
    break;
  case Tamper::signature: {
    const auto where = provider.drill_signature(req, providers::SignatureDrill::corrupt);
    out.tamper_applied = !where.empty();
    out.tamper_note = where.empty() ? "the delivery carries no signature to corrupt"
                                    : "signature corrupted after signing (" + where + ")";
    break;
  }
  case Tamper::body: {
    providers::VerifyParams params;
    params.secret = provider.asymmetric() ? provider.verifying_key(in.secret) : in.secret;
    params.now = in.timestamp;
    // The URL as signed (Twilio adds bodySHA256 to it); a wrong guess only makes every
    // candidate count as breaking the signature, which is the drill without this check.
    params.urls = {req.url};
    if (!in.signing_url.empty())
      params.urls.push_back(in.signing_url);
    const auto drill = tamper_body(req, provider, &params);
    out.tamper_note = drill.note;
    out.tamper_applied = drill.changed;
    break;
  }
  case Tamper::timestamp:
    out.tamper_note = provider.tamper_delivery_timestamp(req);
    out.tamper_applied = true;
    break;
  }
  if (in.read_back_info)
    out.info = provider.event_info(req);
  if (out.info.type.empty())
    out.info.type = in.event;
  return out;
}

void resign(model::HttpRequest& request, const providers::Provider& provider,
            const std::string& secret, std::int64_t timestamp, const std::string& signing_url,
            const model::Headers& extra_headers) {
  provider.sign(request, {secret, timestamp, signing_url});
  apply_overrides(request.headers, extra_headers);
}

} // namespace hooktool::core
