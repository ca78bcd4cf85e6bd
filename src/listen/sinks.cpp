#include "listen/sinks.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace hooktool::listen {

TerminalSink::TerminalSink(TerminalFormat format, ui::ViewOptions view)
    : format_(format), view_(view) {}

void TerminalSink::write(const core::CaptureRecord& record) {
  std::string text;
  switch (format_) {
  case TerminalFormat::pretty:
    text = ui::render_pretty(record, view_);
    break;
  case TerminalFormat::brief:
    text = ui::render_brief(record, view_);
    break;
  case TerminalFormat::quiet:
    text = ui::render_quiet(record, view_.stream);
    break;
  case TerminalFormat::json:
    text = core::to_capture_line(record);
    break;
  }
  const std::lock_guard lock(mutex_);
  if (!broken_) {
    errno = 0;
    const auto written = std::fwrite(text.data(), 1, text.size(), stdout);
    broken_ = written != text.size() || std::fflush(stdout) != 0;
    if (broken_)
      reason_ = errno == EPIPE ? "stdout closed" : std::string("stdout: ") + std::strerror(errno);
  }
  if (broken_)
    throw failure(reason_);
}

CaptureSink::CaptureSink(const std::string& path, Durability durability)
    : path_(path), file_(path), durability_(durability) {}

void CaptureSink::write(const core::CaptureRecord& record) {
  (void)append(record);
}

std::optional<std::uint64_t> CaptureSink::append(const core::CaptureRecord& record) {
  const auto line = core::to_capture_line(record);
  const std::lock_guard lock(mutex_);
  file_.append(line);
  if (durability_ == Durability::power_loss)
    file_.sync();
  // The file is opened O_APPEND and written under this lock, so the line ends at its size.
  std::error_code ec;
  const auto size = std::filesystem::file_size(path_, ec);
  if (ec || size < line.size())
    return std::nullopt;
  return size - line.size();
}

} // namespace hooktool::listen
