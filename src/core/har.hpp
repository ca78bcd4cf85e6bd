#pragma once

#include "core/capture.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::core {

// Writes captured deliveries as a HAR 1.2 document ("log" with one entry per delivery),
// streaming: memory holds one entry at a time. hooktool's own fields (capture id, provider,
// event, verdict, peer) go in each entry's "_hooktool" object, as HAR allows for custom
// fields. A body that is not UTF-8 is written as base64 with postData "encoding": "base64".
class HarWriter {
public:
  // Writes the document's opening.
  explicit HarWriter(std::ostream& out);
  HarWriter(const HarWriter&) = delete;
  HarWriter& operator=(const HarWriter&) = delete;
  // Appends one entry.
  void add(const CaptureRecord& record);
  // Closes the entries list and the document; call once, after the last add().
  void finish();
  [[nodiscard]] std::size_t count() const noexcept { return count_; }

private:
  std::ostream& out_;
  std::size_t count_ = 0;
};

// One delivery as a HAR entry (a JSON object, compact, no newline).
std::string har_entry(const CaptureRecord& record);

// True when text (the start of a file) is a HAR document rather than capture lines: a JSON
// object whose first key is "log".
bool looks_like_har(std::string_view head);

// A HAR document's request entries. The response bodies a browser stores ("content") are
// skipped while parsing, so memory follows the requests, not the whole file.
class HarEntries {
public:
  // Parses the document; a usage error "ORIGIN: reason" when it is not HAR.
  HarEntries(std::string_view text, std::string origin);
  ~HarEntries();
  HarEntries(const HarEntries&) = delete;
  HarEntries& operator=(const HarEntries&) = delete;
  [[nodiscard]] std::size_t size() const noexcept;
  // Entry i (0-based) as a capture record: method, path and query from the URL, headers
  // (HTTP/2 pseudo-headers dropped), body bytes (postData text, base64 when marked, or the
  // form params), time, status; provider and event detected from the headers. Throws a usage
  // error "ORIGIN: entry N: reason" when the entry lacks what a replay needs.
  [[nodiscard]] CaptureRecord record(std::size_t i) const;

private:
  struct Impl;
  Impl* impl_;
  std::string origin_;
};

} // namespace hooktool::core
