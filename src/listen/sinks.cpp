#include "listen/sinks.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
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
  return append_line(core::to_capture_line(record)); // serialised outside any lock
}

struct CaptureSink::Waiter {
  std::string line;
  std::optional<std::uint64_t> offset;
  std::string error; // set when the batch failed
  bool done = false;
};

std::optional<std::uint64_t> CaptureSink::append_line(std::string line) {
  Waiter me{std::move(line), std::nullopt, {}, false};
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
  return me.offset;
}

void CaptureSink::commit(const std::vector<Waiter*>& batch) {
  std::vector<std::string_view> parts;
  parts.reserve(batch.size());
  std::uint64_t bytes = 0;
  for (const auto* w : batch) {
    parts.emplace_back(w->line);
    bytes += w->line.size();
  }
  try {
    const auto end = file_.append_all(parts);
    if (durability_ == Durability::power_loss)
      file_.sync();
    // Only this process's committing worker writes: the batch ends at the file's offset.
    if (end >= bytes) {
      auto at = end - bytes;
      for (auto* w : batch) {
        w->offset = at;
        at += w->line.size();
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
