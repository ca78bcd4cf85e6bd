#pragma once

#include "core/capture.hpp"
#include "ui/delivery_view.hpp"
#include "util/files.hpp"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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
  // What write() would write for record, appended to out.
  void render(const core::CaptureRecord& record, std::string& out) const;
  // Writes the rendered text of several deliveries at once; returns how many of its bytes
  // reached stdout: all of them, or fewer when stdout took no more (why: failure_reason()).
  // After a failure nothing more is written.
  std::size_t write_text(std::string_view text);
  [[nodiscard]] std::string failure_reason() const;

private:
  TerminalFormat format_;
  ui::ViewOptions view_;
  mutable std::mutex mutex_;
  bool broken_ = false;
  std::string reason_; // why stdout took no more
};

// Whether each capture write also reaches the disk (power-loss durability) before the answer.
enum class Durability { process_crash, power_loss };

// Appends one capture line per delivery and returns once the line is in the file (and on the
// device, for Durability::power_loss); throws when it is not. Group commit: the lines of the
// deliveries being handled at the same moment go out together, in one writev() (and one
// fdatasync()) by whichever worker comes first, while the others wait for theirs; so under
// load a write (or a sync) serves many deliveries, and "on disk before acknowledged" holds for
// each. A failed batch fails every delivery in it (a failed write takes its lines back).
class CaptureSink final : public Sink {
public:
  CaptureSink(const std::string& path, Durability durability);
  void write(const core::CaptureRecord& record) override;
  // The same, returning the byte offset where the line starts (when the file tells it).
  std::optional<std::uint64_t> append(const core::CaptureRecord& record);
  // Appends a line already serialised (one JSON line, '\n'-terminated).
  std::optional<std::uint64_t> append_line(std::string line);
  // Appends several lines in one commit; offsets gets each line's offset (when the file tells
  // it), in order. Throws when they are not in the file (then none of them is).
  void append_lines(const std::vector<std::string>& lines,
                    std::vector<std::optional<std::uint64_t>>& offsets);
  // Why the file may be exposed (readable by other users), or empty.
  [[nodiscard]] const std::string& warning() const { return file_.warning(); }
  // Writes (commits) so far: fewer than lines appended when batches formed.
  [[nodiscard]] std::uint64_t commits() const;
  // Lines queued for the next commit while one is being written.
  [[nodiscard]] std::size_t waiting() const;

private:
  struct Waiter;
  void commit(const std::vector<Waiter*>& batch);

  std::string path_;
  util::AppendFile file_;
  Durability durability_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::vector<Waiter*> queue_; // lines waiting for the next commit
  bool committing_ = false;    // a worker is writing a batch (outside the lock)
  std::uint64_t commits_ = 0;
};

} // namespace hooktool::listen
