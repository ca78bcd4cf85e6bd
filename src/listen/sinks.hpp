#pragma once

#include "core/capture.hpp"
#include "ui/delivery_view.hpp"
#include "util/files.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hooktool::listen {

// Where a received delivery goes once it has been inspected and answered.
class Sink {
public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  virtual ~Sink() = default;
  // Takes one delivery; called from worker threads, so implementations serialise.
  virtual void write(const core::CaptureRecord& record) = 0;
};

// How the terminal shows deliveries.
enum class TerminalFormat { pretty, brief, quiet, json };

// Writes each delivery to stdout in one piece (pretty, one line, or a capture JSON line).
// Throws a failure when stdout cannot take it (a closed pipe: `listen --json | head`), and
// again for every later delivery: a record that was not written is never reported as shown.
class TerminalSink final : public Sink {
public:
  TerminalSink(TerminalFormat format, ui::ViewOptions view);
  void write(const core::CaptureRecord& record) override;

private:
  TerminalFormat format_;
  ui::ViewOptions view_;
  std::mutex mutex_;
  bool broken_ = false;
  std::string reason_; // why stdout took no more
};

// Whether each capture write also reaches the disk (power-loss durability) before the answer.
enum class Durability { process_crash, power_loss };

// Appends one capture line per delivery with a single write(); throws when the write fails.
class CaptureSink final : public Sink {
public:
  CaptureSink(const std::string& path, Durability durability);
  void write(const core::CaptureRecord& record) override;
  // The same, returning the byte offset where the line starts (when the file size tells it).
  std::optional<std::uint64_t> append(const core::CaptureRecord& record);
  // Why the file may be exposed (readable by other users), or empty.
  [[nodiscard]] const std::string& warning() const { return file_.warning(); }

private:
  std::string path_;
  util::AppendFile file_;
  Durability durability_;
  std::mutex mutex_;
};

} // namespace hooktool::listen
