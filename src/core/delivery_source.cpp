#include "core/delivery_source.hpp"

#include "core/capture_reader.hpp"
#include "core/har.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

#include <array>
#include <fstream>

namespace hooktool::core {

namespace {

class CaptureSource final : public DeliverySource {
public:
  explicit CaptureSource(const std::string& path) : reader_(path) {}
  std::optional<std::pair<SourcePosition, CaptureRecord>> next() override {
    auto line = reader_.next();
    if (!line)
      return std::nullopt;
    SourcePosition pos{line->offset, line->number};
    return std::pair{pos, reader_.parse(*line)};
  }
  CaptureRecord at(const SourcePosition& pos) override {
    return reader_.parse(reader_.read_at(pos.offset, pos.number));
  }
  [[nodiscard]] const char* units() const noexcept override { return "lines"; }

private:
  CaptureReader reader_;
};

class HarSource final : public DeliverySource {
public:
  HarSource(const std::string& path, const std::string& text) : entries_(text, path) {}
  std::optional<std::pair<SourcePosition, CaptureRecord>> next() override {
    if (index_ >= entries_.size())
      return std::nullopt;
    const auto i = index_++;
    SourcePosition pos{i, i + 1};
    return std::pair{pos, entries_.record(i)};
  }
  CaptureRecord at(const SourcePosition& pos) override { return entries_.record(pos.offset); }
  [[nodiscard]] const char* units() const noexcept override { return "entries"; }

private:
  HarEntries entries_;
  std::size_t index_ = 0;
};

bool has_har_extension(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot != std::string::npos && util::to_lower(path.substr(dot + 1)) == "har";
}

} // namespace

std::unique_ptr<DeliverySource> open_deliveries(const std::string& path) {
  bool har = has_har_extension(path);
  if (!har && path != "-") {
    std::ifstream in(path, std::ios::binary);
    std::array<char, 512> head{};
    in.read(head.data(), head.size());
    har = looks_like_har(std::string_view(head.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (har) {
    if (path == "-")
      throw usage_error("read the HAR from a file, not standard input");
    return std::make_unique<HarSource>(path, util::read_file(path));
  }
  return std::make_unique<CaptureSource>(path);
}

} // namespace hooktool::core
