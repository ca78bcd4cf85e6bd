#pragma once

#include "core/capture.hpp"
#include "providers/provider.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace hooktool::webui {

// What the page asks of a replay (POST /api/deliveries/ID/replay): where to, whether a remote
// target is confirmed, the edits, and how to sign.
struct ReplayAsk {
  bool confirm = false;
  std::string url;     // empty: the delivery's forward target
  bool resign = false; // true: "re-sign with the current secret"; false: keep the signature
  std::optional<std::string> method;
  std::optional<std::string> path; // origin-form, may carry "?query"
  std::optional<model::Headers> headers;
  std::optional<std::string> body;
};

// Parses the request body ({"confirm","url","sign":"resign"|"keep","edit":{"method","path",
// "headers":[[name,value]…],"body"}}; an empty body asks for a plain replay). The reason
// when it is refused: not JSON, a method that is not a token, a path that is not origin-form
// or holds spaces or control bytes, a header name that is not a token, a header value holding
// CR, LF or NUL.
struct ParsedAsk {
  ReplayAsk ask;
  std::string error;
};
ParsedAsk parse_replay_ask(std::string_view body);

// The delivery with the edits applied (fields not given are kept as captured).
core::CaptureRecord apply_edits(core::CaptureRecord record, const ReplayAsk& ask);

// Signs the (edited) delivery again, as replay --resign does (core::resign: a fresh timestamp,
// ids kept), for a request going to target_url: the signature headers are replaced in place
// (or added), every other header keeps its place.
void resign_record(core::CaptureRecord& record, const providers::Provider& provider,
                   const std::string& secret, const std::string& target_url);

} // namespace hooktool::webui
