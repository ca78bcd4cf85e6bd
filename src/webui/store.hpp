#pragma once

#include "core/capture.hpp"
#include "listen/session.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hooktool::webui {

// What the page's filter box asks for; every part empty matches everything.
struct Filter {
  std::string provider; // exact, case-insensitive
  std::string event;    // glob over the event type
  std::string verdict;  // valid, invalid, expired, unsigned, unverified
  std::string status;   // answered status: "404", or a class "4xx"
  std::string path;     // substring of the path
  std::string text;     // case-insensitive substring of the start line, headers or body
  [[nodiscard]] bool empty() const noexcept;
  [[nodiscard]] bool matches(const core::CaptureRecord& record) const;
};

// Reads a filter from a query string (provider=&event=&verdict=&status=&path=&q=).
Filter parse_filter(std::string_view query);

// One delivery the inspector holds.
struct Entry {
  std::uint64_t seq = 0; // 1, 2, … in arrival order within this run
  core::CaptureRecord record;
  std::optional<std::uint64_t> offset; // where its line starts in the capture file
};

// A delivery read back from the capture file.
struct HistoryEntry {
  std::uint64_t offset = 0;
  core::CaptureRecord record;
};

// Bounds of the in-memory window.
struct StoreOptions {
  std::size_t window = 1000;         // deliveries kept in memory
  std::size_t max_bytes = 64u << 20; // and at most this many body bytes (the newest is kept)
  std::string capture_path;          // older deliveries are read from here; empty: none
};

// The deliveries of this run, newest kept in memory, older ones read from the capture file on
// demand. Thread-safe: workers add, the web inspector's handlers read and wait.
class Store final : public listen::Observer {
public:
  explicit Store(StoreOptions options);
  void observe(const core::CaptureRecord& record,
               std::optional<std::uint64_t> capture_offset) override;

  struct Page {
    std::vector<std::shared_ptr<const Entry>> entries; // newest first
    bool more = false;                                 // older ones in memory
    std::optional<std::uint64_t> history_before;       // read older ones from the file before this
  };
  // Matching entries with seq < before (0: from the newest), at most limit.
  [[nodiscard]] Page list(const Filter& filter, std::uint64_t before, std::size_t limit) const;
  // Entries with seq > after, oldest first, waiting up to `wait` for one to arrive; empty on
  // timeout or once closed.
  std::vector<std::shared_ptr<const Entry>> wait_after(std::uint64_t after, const Filter& filter,
                                                       std::chrono::milliseconds wait,
                                                       std::size_t limit);
  // The entry with this capture id, in memory.
  [[nodiscard]] std::shared_ptr<const Entry> find(std::string_view id) const;

  struct HistoryPage {
    std::vector<HistoryEntry> entries; // newest first
    std::optional<std::uint64_t> next_before;
  };
  // Matching capture lines that start before the byte offset `before`, newest first; examines
  // at most scan_limit lines (the page asks again from next_before).
  [[nodiscard]] HistoryPage history(const Filter& filter, std::uint64_t before, std::size_t limit,
                                    std::size_t scan_limit = 5000) const;
  // The capture line starting at offset, when it is one and holds this id.
  [[nodiscard]] std::optional<HistoryEntry> read_at(std::uint64_t offset,
                                                    std::string_view id) const;
  // The first capture line with this id (a scan of the file).
  [[nodiscard]] std::optional<HistoryEntry> search_file(std::string_view id) const;

  [[nodiscard]] std::uint64_t last_seq() const;
  [[nodiscard]] const std::string& capture_path() const noexcept { return options_.capture_path; }
  // Wakes every waiter and makes later waits return at once (listen is stopping).
  void close();

private:
  StoreOptions options_;
  std::uint64_t start_size_ = 0; // the capture file's size when listen started
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::shared_ptr<const Entry>> entries_; // oldest first
  std::size_t bytes_ = 0;
  std::uint64_t next_seq_ = 1;
  bool closed_ = false;
};

} // namespace hooktool::webui
