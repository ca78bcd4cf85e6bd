#include "listen/sinks.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <unistd.h>

namespace hooktool::listen {

TerminalSink::TerminalSink(TerminalFormat format, ui::ViewOptions view)
    : format_(format), view_(view) {}

void TerminalSink::render(const core::CaptureRecord& record, std::string& out) const {
  switch (format_) {
  case TerminalFormat::pretty:
    out += ui::render_pretty(record, view_);
    break;
  case TerminalFormat::brief:
    out += ui::render_brief(record, view_);
    break;
  case TerminalFormat::quiet:
    out += ui::render_quiet(record, view_.stream);
    break;
  case TerminalFormat::json:
    out += core::to_capture_line(record);
    break;
  }
}

void TerminalSink::write(const core::CaptureRecord& record) {
  std::string text;
  render(record, text);
  if (write_text(text) != text.size())
    throw failure(failure_reason());
}

std::size_t TerminalSink::write_text(std::string_view text) {
  const std::lock_guard lock(mutex_);
  if (broken_ || text.empty())
    return 0;
  // Straight to the descriptor, so that the count of bytes written is exact (what stdio has
  // buffered is flushed first: nothing else of listen's output is in it for long).
  std::size_t done = 0;
  errno = 0;
  if (std::fflush(stdout) != 0) {
    broken_ = true;
  } else {
    while (done < text.size()) {
      const auto n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) { // a non-blocking stdout
        pollfd out{STDOUT_FILENO, POLLOUT, 0};
        (void)::poll(&out, 1, -1);
        continue;
      }
      broken_ = true;
      break;
    }
  }
  if (broken_)
    reason_ = errno == EPIPE ? "stdout closed"
                             : std::string("stdout: ") + std::strerror(errno != 0 ? errno : EIO);
  return done;
}

std::string TerminalSink::failure_reason() const {
  const std::lock_guard lock(mutex_);
  return reason_;
}

CaptureSink::CaptureSink(const std::string& path, Durability durability)
    : path_(path), file_(path), durability_(durability) {}

void CaptureSink::write(const core::CaptureRecord& record) {
  (void)append(record);
}

std::optional<std::uint64_t> CaptureSink::append(const core::CaptureRecord& record) {
  return append_line(core::to_capture_line(record)); // serialised outside any lock
}

struct CaptureSink::Waiter {
  const std::vector<std::string>* lines = nullptr;
  std::vector<std::optional<std::uint64_t>>* offsets = nullptr;
  std::string error; // set when the batch failed
  bool done = false;
};

std::optional<std::uint64_t> CaptureSink::append_line(std::string line) {
  const std::vector<std::string> lines{std::move(line)};
  std::vector<std::optional<std::uint64_t>> offsets;
  append_lines(lines, offsets);
  return offsets.front();
}

void CaptureSink::append_lines(const std::vector<std::string>& lines,
                               std::vector<std::optional<std::uint64_t>>& offsets) {
  offsets.assign(lines.size(), std::nullopt);
  if (lines.empty())
    return;
  Waiter me{&lines, &offsets, {}, false};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  while (!me.done) {
    if (committing_) {
      done_.wait(lock); // another worker is writing; ours goes in its batch or the next
      continue;
    }
    committing_ = true;
    std::vector<Waiter*> batch;
    batch.swap(queue_);
    lock.unlock();
    commit(batch);
    lock.lock();
    for (auto* w : batch)
      w->done = true;
    committing_ = false;
    ++commits_;
    done_.notify_all();
  }
  if (!me.error.empty())
    throw failure(me.error);
}

void CaptureSink::commit(const std::vector<Waiter*>& batch) {
  std::vector<std::string_view> parts;
  parts.reserve(batch.size());
  std::uint64_t bytes = 0;
  for (const auto* w : batch)
    for (const auto& line : *w->lines) {
      parts.emplace_back(line);
      bytes += line.size();
    }
  try {
    const auto end = file_.append_all(parts);
    if (durability_ == Durability::power_loss)
      file_.sync();
    // Only this process's committing worker writes: the batch ends at the file's offset.
    if (end >= bytes) {
      auto at = end - bytes;
      for (auto* w : batch)
        for (std::size_t i = 0; i < w->lines->size(); ++i) {
          (*w->offsets)[i] = at;
          at += (*w->lines)[i].size();
        }
    }
  } catch (const std::exception& e) { // never leave the others waiting on a throw
    for (auto* w : batch)
      w->error = e.what();
  }
}

std::uint64_t CaptureSink::commits() const {
  const std::lock_guard lock(mutex_);
  return commits_;
}

std::size_t CaptureSink::waiting() const {
  const std::lock_guard lock(mutex_);
  return queue_.size();
}

} // namespace hooktool::listen
