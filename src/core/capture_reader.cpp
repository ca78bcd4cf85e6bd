#include "core/capture_reader.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hooktool::core {

CaptureReader::CaptureReader(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (std::filesystem::is_directory(path_, ec))
    throw usage_error(path_ + ": is a directory");
  if (path_ == "-")
    throw usage_error(
        "replay reads a file (it needs two passes); save standard input to a file first");
  in_.open(path_, std::ios::binary);
  if (!in_)
    throw usage_error(path_ + ": cannot read (" + std::strerror(errno) + ")");
}

std::optional<CaptureLine> CaptureReader::next() {
  for (;;) {
    CaptureLine line;
    line.offset = offset_;
    if (!std::getline(in_, line.text)) {
      if (in_.bad())
        throw usage_error(path_ + ": read error");
      return std::nullopt;
    }
    line.number = ++number_;
    line.complete = !in_.eof(); // getline hit the end of the file before a newline
    offset_ += line.text.size() + (line.complete ? 1 : 0);
    if (!line.text.empty() && line.text.back() == '\r')
      line.text.pop_back();
    if (line.text.find_first_not_of(" \t") == std::string::npos)
      continue; // blank lines are allowed between records
    if (first_record_line_ == 0)
      first_record_line_ = line.number;
    return line;
  }
}

CaptureLine CaptureReader::read_at(std::uint64_t offset, std::size_t number) {
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  CaptureLine line;
  line.offset = offset;
  line.number = number;
  if (!std::getline(in_, line.text))
    throw usage_error(path_ + ":" + std::to_string(number) + ": the file changed while replaying");
  line.complete = !in_.eof();
  if (!line.text.empty() && line.text.back() == '\r')
    line.text.pop_back();
  return line;
}

CaptureRecord CaptureReader::parse(const CaptureLine& line) const {
  try {
    return parse_capture_line(line.text);
  } catch (const UnsendableRecord& e) {
    // A record, but one that would change on its way out (an injected header line): the
    // file is a capture, this line of it is refused.
    throw usage_error(path_ + ":" + std::to_string(line.number) + ": " + e.what());
  } catch (const Error& e) {
    std::string why = e.what();
    const auto place = path_ + ":" + std::to_string(line.number);
    if (line.number == first_record_line_ && line.complete) {
      // A first line that is no record: most likely some other file (a HAR, a JSON document,
      // a log), not a capture cut short.
      if (const auto hint = why.find(" (truncated record?)"); hint != std::string::npos)
        why.erase(hint);
      throw usage_error("not a hooktool capture file (" + place + ": " + why + ")");
    }
    if (!line.complete)
      why = "truncated record at the end of the file (the writer stopped mid-line): " + why;
    throw usage_error(place + ": " + why);
  }
}

} // namespace hooktool::core
