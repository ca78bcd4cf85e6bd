#include "commands/export.hpp"

#include "commands/common.hpp"
#include "core/har.hpp"
#include "util/error.hpp"

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace hooktool::commands {

CLI::App* register_export(CLI::App& app, ExportOptions& o) {
  auto* cmd = app.add_subcommand(
      "export", "Convert captured deliveries to HAR (browser dev tools, mitmproxy) or back");
  cmd->add_option("file", o.file, "Capture file (JSON Lines) or HAR file")->required();
  auto* har = cmd->add_flag("--har", o.har, "Write HAR 1.2 (the default)");
  cmd->add_flag("--jsonl", o.jsonl, "Write capture lines (JSON Lines), e.g. from a HAR")
      ->excludes(har);
  cmd->add_option("-o,--output", o.output,
                  "Write to FILE (mode 0600, replaced only when complete) instead of stdout");
  add_selection_options(*cmd, o.select);
  cmd->footer("Examples:\n"
              "  hooktool export --har deliveries.jsonl > deliveries.har\n"
              "  hooktool export --har deliveries.jsonl --event 'invoice.*' -o invoices.har\n"
              "  hooktool export --jsonl from-devtools.har | jq .path");
  one_value_per_flag(*cmd);
  return cmd;
}

namespace {

// Writes to a temporary file beside the target and renames it over the target on commit,
// so a failed export never leaves a half-written file behind.
class OutputFile {
public:
  explicit OutputFile(std::string path) : path_(std::move(path)) {
    const auto dir = std::filesystem::path(path_).parent_path();
    tmp_ = (dir.empty() ? std::filesystem::path(".") : dir) /
           ("." + std::filesystem::path(path_).filename().string() + ".XXXXXX");
    std::string tmpl = tmp_.string();
    const int fd = ::mkstemp(tmpl.data()); // 0600
    if (fd < 0)
      throw usage_error("-o " + path_ + ": cannot create (" + std::strerror(errno) + ")");
    ::close(fd);
    tmp_ = tmpl;
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (!committed_) {
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  std::ostream& stream() { return out_; }
  void commit() {
    out_.flush();
    if (!out_)
      throw usage_error("-o " + path_ + ": write failed (disk full?)");
    out_.close();
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
      throw usage_error("-o " + path_ + ": cannot replace (" + std::strerror(errno) + ")");
    committed_ = true;
  }

private:
  std::string path_;
  std::filesystem::path tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

} // namespace

int run_export(const ExportOptions& o) {
  const auto source = core::open_deliveries(o.file);
  const auto selection = select_deliveries(*source, o.select, {});
  std::unique_ptr<OutputFile> file;
  if (!o.output.empty())
    file = std::make_unique<OutputFile>(o.output);
  std::ostream& out = file ? file->stream() : std::cout;

  if (o.jsonl) {
    for (const auto& pos : selection.picked)
      out << core::to_capture_line(source->at(pos));
  } else {
    core::HarWriter writer(out);
    for (const auto& pos : selection.picked)
      writer.add(source->at(pos));
    writer.finish();
  }
  if (file)
    file->commit();
  else if (!std::cout.flush())
    throw failure("cannot write to standard output");
  std::cerr << "hooktool: exported " << selection.picked.size()
            << (selection.picked.size() == 1 ? " delivery" : " deliveries") << " of "
            << selection.total;
  if (selection.bad > 0)
    std::cerr << "; " << selection.bad << " malformed " << source->units() << " skipped";
  std::cerr << "\n";
  return 0;
}

} // namespace hooktool::commands
