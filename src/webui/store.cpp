#include "webui/store.hpp"

#include "core/capture_reader.hpp"
#include "util/error.hpp"
#include "util/form.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace hooktool::webui {

namespace {

bool icontains(std::string_view haystack, std::string_view lowered_needle) {
  if (lowered_needle.empty())
    return true;
  const auto it =
      std::search(haystack.begin(), haystack.end(), lowered_needle.begin(), lowered_needle.end(),
                  [](char a, char b) {
                    return static_cast<char>(std::tolower(static_cast<unsigned char>(a))) == b;
                  });
  return it != haystack.end();
}

bool status_matches(std::string_view want, const std::optional<int>& status) {
  if (want.empty())
    return true;
  if (!status)
    return want == "none";
  const auto code = std::to_string(*status);
  if (want.size() == 3 && (want[1] == 'x' || want[1] == 'X') && (want[2] == 'x' || want[2] == 'X'))
    return code[0] == want[0];
  return code == want;
}

bool text_matches(std::string_view lowered, const core::CaptureRecord& r) {
  if (lowered.empty())
    return true;
  if (icontains(r.method + " " + r.path + (r.query.empty() ? "" : "?" + r.query), lowered))
    return true;
  for (const auto& h : r.headers)
    if (icontains(h.name + ": " + h.value, lowered))
      return true;
  return icontains(r.body, lowered);
}

std::size_t weight(const core::CaptureRecord& r) {
  std::size_t n = r.body.size() + r.path.size() + r.query.size() + 256;
  for (const auto& h : r.headers)
    n += h.name.size() + h.value.size() + 32;
  return n;
}

std::optional<HistoryEntry> parse_line(std::uint64_t offset, std::string_view line) {
  if (util::trim(line).empty())
    return std::nullopt;
  try {
    return HistoryEntry{offset, core::parse_capture_line(line)};
  } catch (const Error&) {
    return std::nullopt; // a torn or foreign line: not shown
  }
}

// A free-text needle whose characters a capture line always holds literally (JSON escapes none
// of them, and no field is joined to another by one), so a line without it cannot match: the
// line is then skipped without being parsed. Lines holding base64 bodies are always parsed.
bool literal_in_line(std::string_view lowered) {
  if (lowered.empty())
    return false;
  return std::all_of(lowered.begin(), lowered.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 ||
           std::string_view("-_.@+=%#!~,;()[]{}|^$*").find(c) != std::string_view::npos;
  });
}

bool cannot_match(const Filter& filter, std::string_view line) {
  return literal_in_line(filter.text) && !icontains(line, filter.text) &&
         line.find("_base64\"") == std::string_view::npos;
}

} // namespace

bool Filter::empty() const noexcept {
  return provider.empty() && event.empty() && verdict.empty() && status.empty() && path.empty() &&
         text.empty();
}

bool Filter::matches(const core::CaptureRecord& r) const {
  if (!provider.empty() && !util::iequals(provider, r.provider))
    return false;
  if (!event.empty() && !util::glob_match(event, r.event_type))
    return false;
  if (!verdict.empty() && verdict != model::to_string(r.verification.status))
    return false;
  if (!status_matches(status, r.response_status))
    return false;
  if (!path.empty() && r.path.find(path) == std::string::npos)
    return false;
  return text_matches(text, r);
}

Filter parse_filter(std::string_view query) {
  Filter f;
  for (auto& [name, value] : util::parse_form(query)) {
    if (name == "provider")
      f.provider = value;
    else if (name == "event")
      f.event = value;
    else if (name == "verdict")
      f.verdict = value;
    else if (name == "status")
      f.status = value;
    else if (name == "path")
      f.path = value;
    else if (name == "q")
      f.text = util::to_lower(value);
  }
  return f;
}

Store::Store(StoreOptions options) : options_(std::move(options)) {
  if (!options_.capture_path.empty()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(options_.capture_path, ec);
    start_size_ = ec ? 0 : size;
  }
}

void Store::observe(const core::CaptureRecord& record,
                    std::optional<std::uint64_t> capture_offset) {
  auto entry = std::make_shared<Entry>();
  entry->record = record;
  entry->offset = capture_offset;
  const auto w = weight(record);
  {
    const std::lock_guard lock(mutex_);
    entry->seq = next_seq_++;
    entries_.push_back(std::move(entry));
    bytes_ += w;
    while (entries_.size() > 1 &&
           (entries_.size() > options_.window || bytes_ > options_.max_bytes)) {
      bytes_ -= std::min(bytes_, weight(entries_.front()->record));
      entries_.pop_front();
    }
  }
  arrived_.notify_all();
}

Store::Page Store::list(const Filter& filter, std::uint64_t before, std::size_t limit) const {
  Page page;
  const std::lock_guard lock(mutex_);
  auto it = entries_.rbegin();
  for (; it != entries_.rend(); ++it) {
    if (before != 0 && (*it)->seq >= before)
      continue;
    if (!filter.matches((*it)->record))
      continue;
    if (page.entries.size() == limit) {
      page.more = true;
      break;
    }
    page.entries.push_back(*it);
  }
  if (!page.more && !options_.capture_path.empty()) {
    // Older than the window: the capture file, before the oldest line still in memory.
    std::optional<std::uint64_t> oldest;
    for (const auto& e : entries_)
      if (e->offset) {
        oldest = e->offset;
        break;
      }
    page.history_before = oldest ? *oldest : start_size_;
    if (*page.history_before == 0)
      page.history_before.reset();
  }
  return page;
}

std::vector<std::shared_ptr<const Entry>> Store::wait_after(std::uint64_t after,
                                                            const Filter& filter,
                                                            std::chrono::milliseconds wait,
                                                            std::size_t limit) {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::vector<std::shared_ptr<const Entry>> out;
  for (;;) {
    for (const auto& e : entries_)
      if (e->seq > after && filter.matches(e->record) && out.size() < limit)
        out.push_back(e);
    if (!out.empty() || closed_)
      return out;
    if (!entries_.empty())
      after = std::max(after, entries_.back()->seq); // non-matching ones are skipped for good
    if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout)
      return out;
  }
}

std::shared_ptr<const Entry> Store::find(std::string_view id) const {
  const std::lock_guard lock(mutex_);
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if ((*it)->record.id == id)
      return *it;
  return nullptr;
}

std::uint64_t Store::last_seq() const {
  const std::lock_guard lock(mutex_);
  return next_seq_ - 1;
}

void Store::close() {
  {
    const std::lock_guard lock(mutex_);
    closed_ = true;
  }
  arrived_.notify_all();
}

Store::HistoryPage Store::history(const Filter& filter, std::uint64_t before, std::size_t limit,
                                  std::size_t scan_limit) const {
  HistoryPage page;
  std::ifstream in(options_.capture_path, std::ios::binary);
  if (!in || before == 0)
    return page;
  constexpr std::uint64_t kChunk = 64u << 10;
  std::string buf; // bytes [pos, before) not yet cut into lines
  std::uint64_t pos = before;
  std::size_t scanned = 0;
  bool trimmed = false;
  std::uint64_t oldest = before;
  while (page.entries.size() < limit && scanned < scan_limit) {
    const auto nl = buf.rfind('\n');
    if (nl == std::string::npos && pos > 0) {
      const auto n = std::min(kChunk, pos);
      pos -= n;
      std::string chunk(n, '\0');
      in.seekg(static_cast<std::streamoff>(pos));
      in.read(chunk.data(), static_cast<std::streamsize>(n));
      buf.insert(0, chunk);
      if (!trimmed && !buf.empty() && buf.back() == '\n')
        buf.pop_back(); // `before` is a line start: the byte before it ends the previous line
      trimmed = true;
      continue;
    }
    const auto start = nl == std::string::npos ? 0 : nl + 1;
    const auto offset = pos + start;
    ++scanned;
    oldest = offset;
    const auto line = std::string_view(buf).substr(start);
    if (!cannot_match(filter, line))
      if (auto e = parse_line(offset, line))
        if (filter.matches(e->record))
          page.entries.push_back(std::move(*e));
    if (nl == std::string::npos)
      break;
    buf.resize(nl);
  }
  if (oldest > 0)
    page.next_before = oldest;
  return page;
}

std::optional<HistoryEntry> Store::read_at(std::uint64_t offset, std::string_view id) const {
  if (options_.capture_path.empty())
    return std::nullopt;
  std::ifstream in(options_.capture_path, std::ios::binary);
  if (!in)
    return std::nullopt;
  if (offset > 0) {
    in.seekg(static_cast<std::streamoff>(offset - 1));
    if (in.get() != '\n')
      return std::nullopt; // not a line start
  }
  std::string line;
  if (!std::getline(in, line))
    return std::nullopt;
  auto e = parse_line(offset, line);
  if (!e || e->record.id != id)
    return std::nullopt;
  return e;
}

std::optional<HistoryEntry> Store::search_file(std::string_view id) const {
  if (options_.capture_path.empty() || id.empty())
    return std::nullopt;
  try {
    core::CaptureReader reader(options_.capture_path);
    const std::string prefix = "{\"id\":\"" + std::string(id) + "\"";
    while (auto line = reader.next())
      if (line->text.starts_with(prefix))
        return parse_line(line->offset, line->text);
  } catch (const Error&) {
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace hooktool::webui
